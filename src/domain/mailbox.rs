//! The mailbox (R3, R4): messages between validated eTwinners who are contacts. A message is
//! stored once; each participant has their own folder entry (inbox or sent), so deleting it
//! "for myself" leaves the others' copies alone.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::ids::{MessageId, UserId};

/// A message as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredMessage {
    pub id: MessageId,
    pub from: UserId,
    pub to: Vec<UserId>,
    pub cc: Vec<UserId>,
    pub subject: String,
    pub body: String,
    pub in_reply_to: Option<MessageId>,
    /// The first message of the conversation (this one's own id when it starts one).
    pub thread: MessageId,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// Folder entries still holding the message; it is erased when the last one goes.
    pub holders: u32,
}

/// A received message in one member's inbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InboxEntry {
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Folder {
    Inbox,
    Sent,
}

/// What happened to a message in one member's mailbox (the `mail` user event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailChange {
    /// It arrived in the inbox (or was sent, for the sender's other tabs).
    New,
    Read,
    Unread,
    /// Deleted from this member's folders.
    Deleted,
}

/// A participant as a message shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: UserId,
    pub display_name: String,
    pub picture_url: Option<String>,
}

/// A message in a list: everything but the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MailSummary {
    pub id: MessageId,
    pub folder: Folder,
    pub from: Person,
    pub to: Vec<Person>,
    pub cc: Vec<Person>,
    pub subject: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// Always true in the sent folder.
    pub read: bool,
    pub in_reply_to: Option<MessageId>,
}

/// The recipients of a message: `to` then `cc`, each once, in the order given (a member named
/// in both keeps their `to` place).
pub fn recipients(to: &[UserId], cc: &[UserId]) -> (Vec<UserId>, Vec<UserId>) {
    let mut seen = Vec::new();
    let mut keep = |list: &[UserId]| {
        let mut out = Vec::new();
        for id in list {
            if !seen.contains(id) {
                seen.push(*id);
                out.push(*id);
            }
        }
        out
    };
    let to = keep(to);
    let cc = keep(cc);
    (to, cc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_deduplicated_with_to_first() {
        let (to, cc) = recipients(&[UserId(2), UserId(3), UserId(2)], &[UserId(3), UserId(4)]);
        assert_eq!(to, [UserId(2), UserId(3)]);
        assert_eq!(cc, [UserId(4)]);
    }
}
