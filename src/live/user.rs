//! `UserActor`: one per online user, holding all of that user's sockets (tabs, devices),
//! and delivering the user's numbered events to each of them once.

use std::collections::HashMap;

use actix::{Actor, Context, Handler, Message, Recipient};

use bytestring::ByteString;

use super::{offer, protocol, Push, SessionId};
use crate::domain::event::UserEvent;

pub struct UserActor {
    sessions: HashMap<SessionId, Recipient<Push>>,
}

impl UserActor {
    pub fn new() -> Self {
        UserActor {
            sessions: HashMap::new(),
        }
    }
}

impl Default for UserActor {
    fn default() -> Self {
        Self::new()
    }
}

impl Actor for UserActor {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct AddSession(pub SessionId, pub Recipient<Push>);

#[derive(Message)]
#[rtype(result = "()")]
pub struct RemoveSession(pub SessionId);

#[derive(Message)]
#[rtype(result = "()")]
pub struct Deliver(pub UserEvent);

impl Handler<AddSession> for UserActor {
    type Result = ();
    fn handle(&mut self, msg: AddSession, _: &mut Context<Self>) {
        self.sessions.insert(msg.0, msg.1);
    }
}

impl Handler<RemoveSession> for UserActor {
    type Result = ();
    fn handle(&mut self, msg: RemoveSession, _: &mut Context<Self>) {
        self.sessions.remove(&msg.0);
    }
}

impl Handler<Deliver> for UserActor {
    type Result = ();
    fn handle(&mut self, msg: Deliver, _: &mut Context<Self>) {
        let frame = ByteString::from(protocol::event(&msg.0));
        let push = Push::UserEvent {
            seq: msg.0.seq,
            frame,
        };
        offer(&mut self.sessions, &push);
    }
}
