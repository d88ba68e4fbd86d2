//! `RoomActor`: one per active group or TwinSpace (the `GroupActor` and `TwinSpaceActor` of
//! the design are this actor for a `Topic::Group` or `Topic::TwinSpace`: their live behaviour
//! is the same, their membership rules live in the services). It holds the sockets listening
//! to the topic, who is online there, and fans events out.

use std::collections::HashMap;

use actix::{Actor, Context, Handler, Message, Recipient};

use bytestring::ByteString;

use super::{offer, protocol, Push, SessionId};
use crate::domain::event::{Topic, TopicEventBody};
use crate::ids::UserId;

pub struct RoomActor {
    topic: Topic,
    sessions: HashMap<SessionId, Recipient<Push>>,
    owners: HashMap<SessionId, UserId>,
    /// Sockets per online user: a user is online while at least one of theirs listens.
    online: HashMap<UserId, usize>,
}

impl RoomActor {
    pub fn new(topic: Topic) -> Self {
        RoomActor {
            topic,
            sessions: HashMap::new(),
            owners: HashMap::new(),
            online: HashMap::new(),
        }
    }

    fn broadcast(&mut self, event: &TopicEventBody) {
        let push = Push::Frame(ByteString::from(protocol::topic_event(self.topic, event)));
        offer(&mut self.sessions, &push);
    }
}

impl Actor for RoomActor {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Join {
    pub session: SessionId,
    pub user: UserId,
    pub addr: Recipient<Push>,
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
        if self.sessions.contains_key(&msg.session) {
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
        let mut online: Vec<UserId> = self.online.keys().copied().collect();
        online.sort();
        let snapshot = protocol::topic_event(self.topic, &TopicEventBody::Presence { online });
        let _ = msg.addr.try_send(Push::Frame(ByteString::from(snapshot)));
        self.sessions.insert(msg.session, msg.addr);
        self.owners.insert(msg.session, msg.user);
    }
}

impl Handler<Leave> for RoomActor {
    type Result = ();
    fn handle(&mut self, msg: Leave, _: &mut Context<Self>) {
        self.sessions.remove(&msg.0);
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
