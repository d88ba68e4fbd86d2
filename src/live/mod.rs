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
pub mod frames;
pub mod protocol;
pub mod registry;
pub mod room;
pub mod session;
pub mod user;

use std::collections::HashMap;

use actix::Recipient;
use bytestring::ByteString;

/// One WebSocket connection's id, unique in this process.
pub type SessionId = u64;

/// What actors push to a socket. Frames are serialised once per fan-out and shared (a
/// `ByteString` clone is a reference count), so a delivery copies nothing until the socket
/// encodes it.
#[derive(actix::Message, Clone)]
#[rtype(result = "()")]
pub enum Push {
    /// A numbered user event (the socket orders and de-duplicates by `seq`).
    UserEvent { seq: u64, frame: ByteString },
    /// The socket no longer listens to a topic (membership ended).
    Unsubscribed {
        topic: crate::domain::event::Topic,
        reason: &'static str,
    },
    /// Close the socket with this code and reason.
    Close { code: u16, reason: &'static str },
}

/// Offers a push to every socket without waiting. A socket whose bounded mailbox is full is
/// too slow: it is told to close (`do_send` bypasses the bound for this one message, so the
/// close reason is queued behind what it already has) and dropped from the fan-out. It will
/// reconnect and resume from its last sequence number, so nothing is lost.
pub fn offer(sessions: &mut HashMap<SessionId, Recipient<Push>>, push: &Push) {
    let mut stalled = Vec::new();
    let mut pushed = 0u64;
    for (id, r) in sessions.iter() {
        match r.try_send(push.clone()) {
            Ok(()) => pushed += 1,
            Err(actix::prelude::SendError::Full(_)) => {
                metrics::counter!("twinhub_live_queue_drops_total").increment(1);
                r.do_send(Push::Close {
                    code: protocol::close::TRY_AGAIN_LATER,
                    reason: "too slow; resume",
                });
                stalled.push(*id);
            }
            Err(actix::prelude::SendError::Closed(_)) => stalled.push(*id),
        }
    }
    // Counted once per fan-out: a metrics lookup per delivery costs more than the delivery.
    metrics::counter!("twinhub_live_events_pushed_total").increment(pushed);
    for id in stalled {
        sessions.remove(&id);
    }
}
