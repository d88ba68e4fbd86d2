//! Newtype ids, so a school id can never be passed where a user id is expected.
//! Stored as 8-byte big-endian keys, so key order is id order.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            pub fn key(self) -> [u8; 8] {
                self.0.to_be_bytes()
            }

            /// Reads an id back from the first 8 bytes of a key.
            pub fn from_key(bytes: &[u8]) -> Option<Self> {
                bytes.get(..8)?.try_into().ok().map(|b| $name(u64::from_be_bytes(b)))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A registered member.
    UserId
);
id_type!(
    /// A school (organisation).
    SchoolId
);
id_type!(
    /// One membership of a teacher in a school, kept after they leave (the school's history).
    TieId
);

id_type!(
    /// A group (R9).
    GroupId
);
id_type!(
    /// A TwinSpace, created when a project is approved (R7).
    TwinSpaceId
);
id_type!(
    /// A stored notification.
    NotificationId
);
id_type!(
    /// A mailbox message (R4), stored once and listed in each participant's folders.
    MessageId
);
id_type!(
    /// An outgoing e-mail (its queue entry, its Message-ID and its outbox file name).
    MailId
);
id_type!(
    /// A partner-finding posting, an "eTwinning project idea" (R6).
    PostingId
);
id_type!(
    /// A comment on a posting.
    CommentId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_like_ids_and_round_trip() {
        assert!(UserId(2).key() < UserId(256).key());
        assert_eq!(UserId::from_key(&UserId(77).key()), Some(UserId(77)));
        assert_eq!(UserId::from_key(&[1, 2]), None);
    }
}
