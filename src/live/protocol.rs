//! The wire protocol: JSON text frames with a `type` tag and a protocol version `v`.
//! `docs/protocol.md` describes every frame with an example.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::event::{Topic, TopicEventBody, UserEvent};
use crate::ids::UserId;

pub const VERSION: u32 = 1;

/// Close codes used by the server (RFC 6455 §7.4.1).
pub mod close {
    /// The session expired, was logged out, or never authenticated in time.
    pub const POLICY: u16 = 1008;
    /// A message larger than `live.max_frame_bytes`.
    pub const TOO_BIG: u16 = 1009;
    /// The client did not read fast enough; reconnect and resume.
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub v: u32,
    #[serde(flatten)]
    pub frame: ClientFrame,
}

/// What a client may send. Every frame carries a client-chosen `id` and gets exactly one
/// answer (`result` or `error`) with that id; a repeated id gets the first answer again.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Authenticate with a token from `POST /api/auth/token` (needed without a cookie).
    Auth {
        id: String,
        token: String,
    },
    /// Start (or restart) receiving user events after sequence number `after`.
    Resume {
        id: String,
        after: Option<u64>,
    },
    Subscribe {
        id: String,
        topic: Topic,
    },
    Unsubscribe {
        id: String,
        topic: Topic,
    },
    Typing {
        id: String,
        topic: Topic,
    },
    /// Post a message in a group; `id` doubles as the idempotency key.
    Send {
        id: String,
        topic: Topic,
        text: String,
        /// Members mentioned in the text; each is notified.
        #[serde(default)]
        mentions: Vec<UserId>,
    },
    /// Edit one's own message in a group.
    Edit {
        id: String,
        topic: Topic,
        message: u64,
        text: String,
    },
    /// Delete a message in a group (one's own, or any as an administrator).
    Delete {
        id: String,
        topic: Topic,
        message: u64,
    },
    Ping {
        id: String,
    },
}

impl ClientFrame {
    pub fn id(&self) -> &str {
        match self {
            ClientFrame::Auth { id, .. }
            | ClientFrame::Resume { id, .. }
            | ClientFrame::Subscribe { id, .. }
            | ClientFrame::Unsubscribe { id, .. }
            | ClientFrame::Typing { id, .. }
            | ClientFrame::Send { id, .. }
            | ClientFrame::Edit { id, .. }
            | ClientFrame::Delete { id, .. }
            | ClientFrame::Ping { id } => id,
        }
    }
}

/// Best effort: the `id` of a frame that failed to parse, so the error can name it.
pub fn id_of_raw(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    v.get("id")?.as_str().map(str::to_string)
}

pub fn welcome(user: UserId, last_seq: u64) -> String {
    json!({"v": VERSION, "type": "welcome", "user": user, "last_seq": last_seq}).to_string()
}

pub fn result(id: &str, data: Value) -> String {
    json!({"v": VERSION, "type": "result", "id": id, "data": data}).to_string()
}

pub fn error(id: Option<&str>, code: &str, message: &str) -> String {
    json!({"v": VERSION, "type": "error", "id": id, "code": code, "message": message}).to_string()
}

pub fn event(e: &UserEvent) -> String {
    json!({"v": VERSION, "type": "event", "event": e}).to_string()
}

pub fn topic_event(topic: Topic, e: &TopicEventBody) -> String {
    json!({"v": VERSION, "type": "topic", "topic": topic, "event": e}).to_string()
}

pub fn resync(last_seq: u64) -> String {
    json!({"v": VERSION, "type": "resync", "last_seq": last_seq}).to_string()
}

pub fn unsubscribed(topic: Topic, reason: &str) -> String {
    json!({"v": VERSION, "type": "unsubscribed", "topic": topic, "reason": reason}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse_with_their_version() {
        let e: Envelope =
            serde_json::from_str(r#"{"v":1,"type":"subscribe","id":"a","topic":"group:3"}"#)
                .unwrap();
        assert_eq!(e.v, 1);
        assert!(
            matches!(e.frame, ClientFrame::Subscribe { ref topic, .. } if topic.to_string() == "group:3")
        );
        assert!(serde_json::from_str::<Envelope>(r#"{"v":1,"type":"nope","id":"a"}"#).is_err());
        assert!(
            serde_json::from_str::<Envelope>(r#"{"type":"ping","id":"a"}"#).is_err(),
            "v is required"
        );
        assert_eq!(id_of_raw(r#"{"id":"x","type":5}"#).as_deref(), Some("x"));
    }
}
