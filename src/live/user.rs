//! `UserActor`: one per online user, holding all of that user's sockets (tabs, devices),
//! and delivering the user's numbered events to each of them once.

use std::collections::HashMap;

use actix::{Actor, Context, Handler, Message, Recipient};
use actix_web::web::Bytes;

use super::{protocol, Push, SessionId};
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
        let frame = Bytes::from(protocol::event(&msg.0));
        let push = Push::UserEvent {
            seq: msg.0.seq,
            frame,
        };
        offer(&mut self.sessions, &push);
    }
}

/// Offers a push to every socket without waiting. A socket whose bounded mailbox is full is
/// too slow: it is told to close (`do_send` bypasses the bound for this one message, so the
/// close reason is queued behind what it already has) and dropped from the fan-out. It will
/// reconnect and resume from its last sequence number, so nothing is lost.
pub fn offer(sessions: &mut HashMap<SessionId, Recipient<Push>>, push: &Push) {
    let mut stalled = Vec::new();
    for (id, r) in sessions.iter() {
        match r.try_send(push.clone()) {
            Ok(()) => metrics::counter!("twinhub_live_events_pushed_total").increment(1),
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
    for id in stalled {
        sessions.remove(&id);
    }
}
