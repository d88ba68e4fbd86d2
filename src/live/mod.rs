//! The live layer: actors that hold who is listening and push events over WebSockets.
//!
//! ```text
//! service ──(after durable commit)──▶ Bus ──▶ Registry ──┬─▶ UserActor ─▶ that user's sockets
//!                                                       └─▶ RoomActor (group / TwinSpace) ─▶ listening sockets
//! socket (WsSession) ──frames──▶ services (auth, resume, subscribe, send)
//! ```
//!
//! Actors own live state only (who listens, presence); the store is the source of truth.
//! The registry starts user and room actors on demand, spread over a pool of arbiters, and
//! stops them when their last socket leaves. Subscriptions are indexed both ways: each socket
//! knows its topics, each room its sockets, so a disconnect touches only its own rooms.

pub mod bus;
pub mod protocol;
pub mod registry;
pub mod room;
pub mod session;
pub mod user;

use actix_web::web::Bytes;

/// One WebSocket connection's id, unique in this process.
pub type SessionId = u64;

/// What actors push to a socket. Frames are serialised once per fan-out, not per socket.
#[derive(actix::Message, Clone)]
#[rtype(result = "()")]
pub enum Push {
    /// A numbered user event (the socket orders and de-duplicates by `seq`).
    UserEvent { seq: u64, frame: Bytes },
    /// A ready frame (topic events, presence).
    Frame(Bytes),
    /// The socket no longer listens to a topic (membership ended).
    Unsubscribed {
        topic: crate::domain::event::Topic,
        reason: &'static str,
    },
    /// Close the socket with this code and reason.
    Close { code: u16, reason: &'static str },
}
