//! The `Bus` seam: how committed events leave a service and reach the live actors.
//! In one process the `LocalBus` hands them to the registry actor; a Redis-backed bus will
//! share them between nodes. Services publish only after their transaction is durable, and
//! never from inside a request handler directly.

use std::sync::Mutex;

use actix::Addr;

use super::registry::{Publish, Registry};
use crate::domain::event::{Topic, TopicEventBody, UserEvent};
use crate::ids::UserId;

#[derive(Debug, Clone)]
pub enum BusMessage {
    /// A stored, numbered event for one user.
    User(UserId, UserEvent),
    /// A live event for everyone listening to a topic.
    Topic(Topic, TopicEventBody),
    /// The user is no longer a member: their sessions stop listening to the topic at once.
    MembershipEnded { topic: Topic, user: UserId },
    /// The session with this token hash ended (logout): its sockets close at once.
    SessionEnded { token_hash: Vec<u8> },
}

pub trait Bus: std::any::Any + Send + Sync {
    fn publish(&self, messages: Vec<BusMessage>);
}

/// For processes without a live layer (the CLI).
pub struct NullBus;

impl Bus for NullBus {
    fn publish(&self, _: Vec<BusMessage>) {}
}

/// Delivers to this process's registry actor.
pub struct LocalBus {
    registry: Addr<Registry>,
}

impl LocalBus {
    pub fn new(registry: Addr<Registry>) -> Self {
        LocalBus { registry }
    }
}

impl Bus for LocalBus {
    fn publish(&self, messages: Vec<BusMessage>) {
        if !messages.is_empty() {
            // Unbounded on purpose: the registry only routes, and dropping here would lose
            // events for every user; per-socket bounds are applied further down.
            self.registry.do_send(Publish(messages));
        }
    }
}

/// Remembers what was published (unit tests).
#[derive(Default)]
pub struct RecordingBus(pub Mutex<Vec<BusMessage>>);

impl Bus for RecordingBus {
    fn publish(&self, messages: Vec<BusMessage>) {
        if let Ok(mut v) = self.0.lock() {
            v.extend(messages);
        }
    }
}
