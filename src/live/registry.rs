//! The registry: the one place that knows which user and room actors are running. It starts
//! them on demand on a pool of arbiters (threads), routes bus messages to them, and stops them
//! when their last socket leaves. It only routes; fan-out happens in the user and room actors.

use std::collections::HashMap;

use actix::{Actor, Addr, Arbiter, ArbiterHandle, Context, Handler, Message, Recipient};

use super::bus::BusMessage;
use super::room::{self, RoomActor};
use super::user::{self, UserActor};
use super::{protocol, Push, SessionId};
use crate::domain::event::Topic;
use crate::ids::UserId;

struct UserEntry {
    addr: Addr<UserActor>,
    sessions: usize,
}

struct RoomEntry {
    addr: Addr<RoomActor>,
    /// topic → sockets (the socket keeps the other direction).
    sessions: HashMap<SessionId, (UserId, Recipient<Push>)>,
}

pub struct Registry {
    users: HashMap<UserId, UserEntry>,
    rooms: HashMap<Topic, RoomEntry>,
    /// Sockets per session token hash, so a logout closes them at once.
    tokens: HashMap<Vec<u8>, HashMap<SessionId, Recipient<Push>>>,
    arbiters: Vec<Arbiter>,
    next_arbiter: usize,
    /// Frames a socket may fall behind in a room (`live.outbound_queue`).
    room_queue: usize,
}

impl Registry {
    /// `threads` arbiters host the user and room actors; `room_queue` bounds each room's ring.
    pub fn new(threads: usize, room_queue: usize) -> Self {
        Registry {
            users: HashMap::new(),
            rooms: HashMap::new(),
            tokens: HashMap::new(),
            arbiters: (0..threads.max(1)).map(|_| Arbiter::new()).collect(),
            next_arbiter: 0,
            room_queue,
        }
    }

    fn arbiter(&mut self) -> ArbiterHandle {
        self.next_arbiter = (self.next_arbiter + 1) % self.arbiters.len();
        self.arbiters[self.next_arbiter].handle()
    }

    fn gauges(&self) {
        metrics::gauge!("twinhub_live_actors", "kind" => "user").set(self.users.len() as f64);
        metrics::gauge!("twinhub_live_actors", "kind" => "room").set(self.rooms.len() as f64);
    }

    fn leave_room(&mut self, topic: Topic, session: SessionId) {
        let Some(entry) = self.rooms.get_mut(&topic) else {
            return;
        };
        if entry.sessions.remove(&session).is_some() {
            entry.addr.do_send(room::Leave(session));
        }
        if entry.sessions.is_empty() {
            // Dropping the last address stops the actor once its mailbox is empty.
            self.rooms.remove(&topic);
        }
    }

    /// Checks the two-way index (tests): every room's sockets are counted in their user entry.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (topic, room) in &self.rooms {
            if room.sessions.is_empty() {
                return Err(format!("room {topic} kept with no sockets"));
            }
            for (user, _) in room.sessions.values() {
                if !self.users.contains_key(user) {
                    return Err(format!(
                        "room {topic} lists a socket of offline user {user}"
                    ));
                }
            }
        }
        if self.users.values().any(|u| u.sessions == 0) {
            return Err("user actor kept with no sockets".into());
        }
        Ok(())
    }
}

impl Actor for Registry {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        for a in &self.arbiters {
            a.stop();
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Connect {
    pub user: UserId,
    pub session: SessionId,
    pub token_hash: Vec<u8>,
    pub addr: Recipient<Push>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Disconnect {
    pub user: UserId,
    pub session: SessionId,
    pub token_hash: Vec<u8>,
    /// The socket's own topics: only these rooms are touched.
    pub topics: Vec<Topic>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Subscribe {
    pub topic: Topic,
    pub user: UserId,
    pub session: SessionId,
    /// The socket's subscription number, echoed in `room::Listen`.
    pub generation: u64,
    pub addr: Recipient<Push>,
    pub listener: Recipient<room::Listen>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Unsubscribe {
    pub topic: Topic,
    pub session: SessionId,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Publish(pub Vec<BusMessage>);

/// Asks the registry to check its invariants (tests and debugging).
#[derive(Message)]
#[rtype(result = "Result<(usize, usize), String>")]
pub struct Inspect;

impl Handler<Connect> for Registry {
    type Result = ();
    fn handle(&mut self, msg: Connect, _: &mut Context<Self>) {
        if !self.users.contains_key(&msg.user) {
            let arbiter = self.arbiter();
            let addr = UserActor::start_in_arbiter(&arbiter, |_| UserActor::new());
            self.users.insert(msg.user, UserEntry { addr, sessions: 0 });
        }
        let Some(entry) = self.users.get_mut(&msg.user) else {
            return;
        };
        entry.sessions += 1;
        entry
            .addr
            .do_send(user::AddSession(msg.session, msg.addr.clone()));
        self.tokens
            .entry(msg.token_hash)
            .or_default()
            .insert(msg.session, msg.addr);
        self.gauges();
    }
}

impl Handler<Disconnect> for Registry {
    type Result = ();
    fn handle(&mut self, msg: Disconnect, _: &mut Context<Self>) {
        for topic in msg.topics {
            self.leave_room(topic, msg.session);
        }
        if let Some(entry) = self.users.get_mut(&msg.user) {
            entry.addr.do_send(user::RemoveSession(msg.session));
            entry.sessions = entry.sessions.saturating_sub(1);
            if entry.sessions == 0 {
                self.users.remove(&msg.user);
            }
        }
        if let Some(sockets) = self.tokens.get_mut(&msg.token_hash) {
            sockets.remove(&msg.session);
            if sockets.is_empty() {
                self.tokens.remove(&msg.token_hash);
            }
        }
        self.gauges();
    }
}

impl Handler<Subscribe> for Registry {
    type Result = ();
    fn handle(&mut self, msg: Subscribe, _: &mut Context<Self>) {
        if !self.rooms.contains_key(&msg.topic) {
            let arbiter = self.arbiter();
            let (topic, queue) = (msg.topic, self.room_queue);
            let addr = RoomActor::start_in_arbiter(&arbiter, move |_| RoomActor::new(topic, queue));
            self.rooms.insert(
                msg.topic,
                RoomEntry {
                    addr,
                    sessions: HashMap::new(),
                },
            );
        }
        let Some(entry) = self.rooms.get_mut(&msg.topic) else {
            return;
        };
        if entry.sessions.contains_key(&msg.session) {
            return;
        }
        entry.sessions.insert(msg.session, (msg.user, msg.addr));
        entry.addr.do_send(room::Join {
            session: msg.session,
            user: msg.user,
            generation: msg.generation,
            listener: msg.listener,
        });
        self.gauges();
    }
}

impl Handler<Unsubscribe> for Registry {
    type Result = ();
    fn handle(&mut self, msg: Unsubscribe, _: &mut Context<Self>) {
        self.leave_room(msg.topic, msg.session);
        self.gauges();
    }
}

impl Handler<Publish> for Registry {
    type Result = ();
    fn handle(&mut self, msg: Publish, _: &mut Context<Self>) {
        for m in msg.0 {
            match m {
                BusMessage::User(user, event) => {
                    if let Some(entry) = self.users.get(&user) {
                        entry.addr.do_send(user::Deliver(event));
                    }
                }
                BusMessage::Topic(topic, event) => {
                    if let Some(entry) = self.rooms.get(&topic) {
                        entry.addr.do_send(room::Broadcast(event));
                    }
                }
                BusMessage::MembershipEnded { topic, user } => {
                    let sockets: Vec<(SessionId, Recipient<Push>)> = self
                        .rooms
                        .get(&topic)
                        .map(|r| {
                            r.sessions
                                .iter()
                                .filter(|(_, (u, _))| *u == user)
                                .map(|(s, (_, addr))| (*s, addr.clone()))
                                .collect()
                        })
                        .unwrap_or_default();
                    for (session, addr) in sockets {
                        self.leave_room(topic, session);
                        addr.do_send(Push::Unsubscribed {
                            topic,
                            reason: "membership_ended",
                        });
                    }
                }
                BusMessage::SessionEnded { token_hash } => {
                    for addr in self
                        .tokens
                        .get(&token_hash)
                        .into_iter()
                        .flat_map(|m| m.values())
                    {
                        addr.do_send(Push::Close {
                            code: protocol::close::POLICY,
                            reason: "session ended",
                        });
                    }
                }
            }
        }
        self.gauges();
    }
}

impl Handler<Inspect> for Registry {
    type Result = Result<(usize, usize), String>;
    fn handle(&mut self, _: Inspect, _: &mut Context<Self>) -> Self::Result {
        self.check_invariants()?;
        Ok((self.users.len(), self.rooms.len()))
    }
}
