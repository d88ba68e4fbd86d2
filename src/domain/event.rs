//! Events: what the live layer pushes. Per-user events are stored with a per-user sequence
//! number (so a reconnecting client gets exactly what it missed); topic events (typing,
//! presence, group messages) belong to a group or TwinSpace and are fanned out to listeners.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::openapi::schema::{Discriminator, Object, OneOfBuilder};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::contact::ContactState;
use super::mailbox::{MailChange, MailSummary};
use crate::ids::{GroupId, MessageId, NotificationId, PostingId, TwinSpaceId, UserId};

/// Something a user must see, numbered in the user's own sequence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UserEvent {
    /// 1, 2, 3, ... per user, without gaps.
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(flatten)]
    pub body: UserEventBody,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UserEventBody {
    /// A new notification, and the unread count including it.
    Notification {
        notification: Notification,
        unread: u64,
    },
    /// Notifications were marked read (on any tab or device); `ids` empty means all.
    NotificationsRead {
        ids: Vec<NotificationId>,
        unread: u64,
    },
    /// Where the member now stands with `user` (a request sent, received, accepted, declined,
    /// cancelled, or a contact removed), so every open list and profile follows.
    Contact { user: UserId, state: ContactState },
    /// A message arrived, was sent, read, marked unread or deleted in this member's mailbox,
    /// with the unread count after it. `summary` comes with `new`, so lists need no fetch.
    Mail {
        change: MailChange,
        message: MessageId,
        unread_mail: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        summary: Option<Box<MailSummary>>,
    },
}

/// A stored notification. `kind` and `params` let the UI phrase it in the reader's language.
/// Its OpenAPI schema is written by hand below.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    pub id: NotificationId,
    #[serde(flatten)]
    pub what: NotificationKind,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

/// The fields a [`Notification`] has beside its kind, for its OpenAPI schema only.
#[derive(ToSchema)]
#[allow(dead_code)]
struct NotificationFields {
    id: NotificationId,
    created_at: OffsetDateTime,
    read_at: Option<OffsetDateTime>,
}

/// `Notification` in the OpenAPI document: a `oneOf` over one component per kind
/// (`NotificationContactRequested`, ...), each an object with `id`, `created_at` and
/// `read_at` beside `kind` and `params`, told apart by `kind`. The derived schema (`allOf` of
/// the kinds' `oneOf` and an object, from `#[serde(flatten)]`) is valid, but a common client
/// generator (openapi-python-client) cannot take it, nor inline variants, and dropped them.
impl utoipa::PartialSchema for Notification {
    fn schema() -> RefOr<Schema> {
        let variants = notification_variants();
        let mapping = variants
            .iter()
            .map(|(kind, name, _)| (kind.clone(), format!("#/components/schemas/{name}")));
        variants
            .iter()
            .fold(OneOfBuilder::new(), |one_of, (_, name, _)| {
                one_of.item(Ref::from_schema_name(name.clone()))
            })
            .discriminator(Some(Discriminator::with_mapping("kind", mapping)))
            .description(Some(
                "A stored notification. `kind` and `params` let the UI phrase it in the \
                 reader's language.",
            ))
            .into()
    }
}

impl ToSchema for Notification {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        NotificationFields::schemas(schemas);
        NotificationKind::schemas(schemas);
        for (_, name, schema) in notification_variants() {
            schemas.push((name, RefOr::T(Schema::Object(schema))));
        }
    }
}

/// Each kind's object with the notification's own fields added: (kind, component name,
/// schema).
fn notification_variants() -> Vec<(String, String, Object)> {
    let (RefOr::T(Schema::OneOf(kinds)), RefOr::T(Schema::Object(fields))) =
        (NotificationKind::schema(), NotificationFields::schema())
    else {
        return Vec::new();
    };
    kinds
        .items
        .into_iter()
        .filter_map(|kind| match kind {
            RefOr::T(Schema::Object(mut object)) => {
                let tag = kind_tag(&object)?;
                let name = format!("Notification{}", pascal_case(&tag));
                object.properties.extend(fields.properties.clone());
                object.required.extend(fields.required.clone());
                Some((tag, name, object))
            }
            _ => None,
        })
        .collect()
}

/// The one value of a kind object's `kind` property.
fn kind_tag(object: &Object) -> Option<String> {
    match object.properties.get("kind")? {
        RefOr::T(Schema::Object(kind)) => kind
            .enum_values
            .as_ref()?
            .first()?
            .as_str()
            .map(String::from),
        _ => None,
    }
}

fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(tag = "kind", content = "params", rename_all = "snake_case")]
pub enum NotificationKind {
    /// `name` (member `by`) asks to become a contact (R2).
    ContactRequested { by: UserId, name: String },
    /// `name` (member `by`) accepted the member's contact request.
    ContactAccepted { by: UserId, name: String },
    /// A mailbox message from `name` (member `by`) arrived.
    MailReceived {
        by: UserId,
        name: String,
        message: MessageId,
        subject: String,
    },
    /// `name` (member `by`) commented on the member's posting `posting`, titled `title`.
    PostingComment {
        posting: PostingId,
        title: String,
        by: UserId,
        name: String,
    },
    /// `name` (member `by`) mentioned the member in message `message` of group `group`.
    GroupMention {
        group: GroupId,
        title: String,
        message: u64,
        by: UserId,
        name: String,
    },
    /// `name` (member `by`), an administrator of group `group`, invited the member to it.
    GroupInvited {
        group: GroupId,
        title: String,
        by: UserId,
        name: String,
    },
    /// The NSO of `country` validated the member as an eTwinner.
    Validated { country: String, by: UserId },
    /// The NSO of `country` withdrew the member's validation.
    ValidationWithdrawn { country: String, by: UserId },
    /// The NSO of `country` refused to validate the member, for `reason` (empty if none given).
    ValidationRefused {
        country: String,
        by: UserId,
        reason: String,
    },
}

/// A group or TwinSpace: something sessions subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Group(GroupId),
    TwinSpace(TwinSpaceId),
}

impl Topic {
    /// Parses the wire form: `group:12` or `twinspace:7`.
    pub fn parse(s: &str) -> Option<Topic> {
        let (kind, id) = s.split_once(':')?;
        let id: u64 = id.parse().ok()?;
        match kind {
            "group" => Some(Topic::Group(GroupId(id))),
            "twinspace" => Some(Topic::TwinSpace(TwinSpaceId(id))),
            _ => None,
        }
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Topic::Group(id) => write!(f, "group:{id}"),
            Topic::TwinSpace(id) => write!(f, "twinspace:{id}"),
        }
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Topic, D::Error> {
        let s = String::deserialize(d)?;
        Topic::parse(&s)
            .ok_or_else(|| serde::de::Error::custom("a topic is group:<id> or twinspace:<id>"))
    }
}

/// A live event about a topic, sent to the sessions listening to it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TopicEventBody {
    /// A member started typing (clients show it for a few seconds).
    Typing { user: UserId },
    /// Who is online in the topic: sent to a socket when it subscribes.
    Presence { online: Vec<UserId> },
    /// A member came online in (or left) the topic: sent to the other listeners.
    PresenceChanged { user: UserId, online: bool },
    /// A new group message.
    Message { message: GroupMessage },
    /// A message was edited or deleted: the message as it is now (`deleted` set, text gone).
    MessageUpdated { message: GroupMessage },
    /// Someone joined, left or was removed, or became or stopped being an administrator.
    MemberChanged { user: UserId, change: MemberChange },
    /// An administrator changed the group's title, description, subjects, languages,
    /// policy or picture.
    GroupUpdated { group: super::group::GroupSummary },
}

/// What happened to a member of a group (`TopicEventBody::MemberChanged`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberChange {
    Joined,
    Left,
    Removed,
    /// Appointed administrator.
    Admin,
    /// No longer an administrator.
    Member,
}

/// A message posted in a group's chat.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct GroupMessage {
    pub id: u64,
    pub group: GroupId,
    pub author: UserId,
    /// The author's display name when the message was sent.
    #[serde(default)]
    pub author_name: String,
    /// Empty once the message is deleted.
    pub text: String,
    /// The sender's id for this send, so a retried send is recognised.
    pub client_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Members the author mentioned (`@name` in the text); each was notified.
    #[serde(default)]
    pub mentions: Vec<UserId>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
    /// Deleted by its author or an administrator: it keeps its place, without its text.
    #[serde(default)]
    pub deleted: bool,
    /// Grows with every change (send, edit, delete): `GET /api/groups/{id}/changes` lists the
    /// messages changed after a `rev`, which is how a client catches up after a disconnect.
    #[serde(default)]
    pub rev: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip_and_reject_garbage() {
        assert_eq!(Topic::parse("group:12"), Some(Topic::Group(GroupId(12))));
        assert_eq!(
            Topic::parse("twinspace:7").unwrap().to_string(),
            "twinspace:7"
        );
        for bad in ["group", "group:x", "room:1", "group:-1", ""] {
            assert_eq!(Topic::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn events_serialise_with_kind_tags() {
        let e = UserEvent {
            seq: 3,
            at: OffsetDateTime::UNIX_EPOCH,
            body: UserEventBody::NotificationsRead {
                ids: vec![],
                unread: 0,
            },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "notifications_read");
        assert_eq!(v["seq"], 3);
        assert_eq!(serde_json::from_value::<UserEvent>(v).unwrap(), e);
    }
}
