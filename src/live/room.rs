//! `RoomActor`: one per active group or TwinSpace (the `GroupActor` and `TwinSpaceActor` of
//! the design are this actor for a `Topic::Group` or `Topic::TwinSpace`: their live behaviour
//! is the same, their membership rules live in the services). It knows who listens and who is
//! online there, and fans events out.
//!
//! Fan-out goes through one bounded broadcast ring per room (`tokio::sync::broadcast`), not a
//! message per socket: a frame is serialised and stored once, and each listening socket reads
//! it from the ring when it is next polled, several frames per wake-up under load. Per
//! delivery that saves the actor mailbox envelope (an allocation, a queue push, a wake-up),
//! which was half of the server's time at 400 messages/s (BENCHMARKS.md). The ring also
//! bounds memory by design: a socket that stops reading costs its place in the ring, nothing
//! more, and when it reads again past a lap it hears `Lagged` and is told to resume.

use std::collections::HashMap;

use actix::{Actor, Context, Handler, Message, Recipient};
use bytestring::ByteString;
use tokio::sync::broadcast;

use super::{protocol, SessionId};
use crate::domain::event::{Topic, TopicEventBody};
use crate::ids::UserId;

pub struct RoomActor {
    topic: Topic,
    feed: broadcast::Sender<ByteString>,
    /// The listening sockets and whose they are.
    owners: HashMap<SessionId, UserId>,
    /// Sockets per online user: a user is online while at least one of theirs listens.
    online: HashMap<UserId, usize>,
}

impl RoomActor {
    /// `queue`: frames a socket may fall behind before it is told to resume (config
    /// `live.outbound_queue`).
    pub fn new(topic: Topic, queue: usize) -> Self {
        RoomActor {
            topic,
            feed: broadcast::channel(queue.max(1)).0,
            owners: HashMap::new(),
            online: HashMap::new(),
        }
    }

    fn broadcast(&mut self, event: &TopicEventBody) {
        let frame = ByteString::from(protocol::topic_event(self.topic, event));
        // `send` fails only when nobody listens, which is not an error here.
        let listeners = self.feed.send(frame).unwrap_or(0);
        // Counted once per fan-out: a metrics lookup per delivery costs more than the delivery.
        metrics::counter!("twinhub_live_events_pushed_total").increment(listeners as u64);
    }
}

impl Actor for RoomActor {
    type Context = Context<Self>;
}

/// Sent to a socket that joined a room: the presence snapshot, then the ring to read from.
/// `generation` is the socket's subscription number, so a late answer to an earlier
/// subscription of the same topic is recognised and dropped.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Listen {
    pub topic: Topic,
    pub generation: u64,
    pub snapshot: ByteString,
    pub feed: broadcast::Receiver<ByteString>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Join {
    pub session: SessionId,
    pub user: UserId,
    pub generation: u64,
    pub listener: Recipient<Listen>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Leave(pub SessionId);

#[derive(Message)]
#[rtype(result = "()")]
pub struct Broadcast(pub TopicEventBody);

impl Handler<Join> for RoomActor {
    type Result = ();
    fn handle(&mut self, msg: Join, _: &mut Context<Self>) {
        if self.owners.contains_key(&msg.session) {
            return;
        }
        let count = self.online.entry(msg.user).or_default();
        *count += 1;
        if *count == 1 {
            self.broadcast(&TopicEventBody::PresenceChanged {
                user: msg.user,
                online: true,
            });
        }
        self.owners.insert(msg.session, msg.user);
        // Subscribed after the presence change, before the snapshot is taken: the socket sees
        // the snapshot, then every later event, and nothing twice.
        let feed = self.feed.subscribe();
        let mut online: Vec<UserId> = self.online.keys().copied().collect();
        online.sort();
        let snapshot = protocol::topic_event(self.topic, &TopicEventBody::Presence { online });
        // One message per join, outside the bounded fan-out path.
        msg.listener.do_send(Listen {
            topic: self.topic,
            generation: msg.generation,
            snapshot: ByteString::from(snapshot),
            feed,
        });
    }
}

impl Handler<Leave> for RoomActor {
    type Result = ();
    fn handle(&mut self, msg: Leave, _: &mut Context<Self>) {
        let Some(user) = self.owners.remove(&msg.0) else {
            return;
        };
        if let Some(count) = self.online.get_mut(&user) {
            *count -= 1;
            if *count == 0 {
                self.online.remove(&user);
                self.broadcast(&TopicEventBody::PresenceChanged {
                    user,
                    online: false,
                });
            }
        }
    }
}

impl Handler<Broadcast> for RoomActor {
    type Result = ();
    fn handle(&mut self, msg: Broadcast, _: &mut Context<Self>) {
        self.broadcast(&msg.0);
    }
}
