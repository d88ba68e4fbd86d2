//! `WsSession`: one actor per WebSocket connection (actix-web-actors). It authenticates the
//! socket, answers client frames (each exactly once, remembered by client id), orders and
//! de-duplicates the user's numbered events, and keeps the socket alive or closes it.
//!
//! A socket's frames take effect in the order they were sent, chat actions aside: the work
//! `auth`, `subscribe` and `resume` need from the blocking pool runs with `ctx.wait`, which
//! holds the actor's input until it is done, so the next frame is not read before the
//! previous one is answered. Frames sent meanwhile wait in the socket's kernel buffers
//! (bounded by TCP flow control), not in the server's memory. An `auth` followed at once by a
//! `subscribe` used to find the socket not yet authenticated, 6 times in 10. `send`, `edit`
//! and `delete` run concurrently (docs/protocol.md says so): each is answered once stored.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use actix::{
    Actor, ActorContext, ActorFutureExt, Addr, AsyncContext, Handler, Running, SpawnHandle,
    StreamHandler, WrapFuture,
};
use actix_web::web::{self, BytesMut};
use actix_web_actors::ws;
use bytestring::ByteString;
use serde_json::json;
use tokio::sync::broadcast::{self, error::RecvError};

use super::frames::FrameLimit;
use super::protocol::{self, close, ClientFrame, Envelope};
use super::registry::{self, Registry};
use super::room;
use super::{Push, SessionId};
use crate::domain::event::GroupMessage;
use crate::domain::event::Topic;
use crate::error::AppError;
use crate::ids::GroupId;
use crate::ids::UserId;
use crate::live::bus::BusMessage;
use crate::service::events::{self, Replay};
use crate::service::groups::chat::{self, EditMessage};
use crate::service::groups::{self, NewMessage};
use crate::service::{accounts, Core};

/// How often the server pings the client. Each ping costs a wake-up per socket: at 19,000
/// idle sockets a 5 s interval alone kept a fifth of a core busy.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(15);
/// A client silent (no pong, no frame) for this long is dropped.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(45);
/// How long an out-of-order user event waits for the one before it before a resync.
pub const GAP_WAIT: Duration = Duration::from_secs(2);

static NEXT_SESSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Who the socket belongs to, once authenticated.
struct SocketAuth {
    user: UserId,
    token: String,
    token_hash: Vec<u8>,
}

/// Where the user's event stream stands on this socket.
enum Stream {
    /// Authenticated, but the client has not sent `resume` yet: events wait (bounded).
    Held {
        buffer: Vec<(u64, ByteString)>,
        overflowed: bool,
    },
    /// A `resume` is being answered from the store: live events wait (bounded).
    Replaying {
        buffer: Vec<(u64, ByteString)>,
        overflowed: bool,
    },
    /// Delivering live; `last` is the last sequence number sent, `early` holds events that
    /// arrived before one they follow.
    Live {
        last: u64,
        early: BTreeMap<u64, ByteString>,
    },
}

/// One topic this socket listens to.
struct Subscription {
    /// Numbers this subscription, so the room's answer to an earlier one is told apart.
    generation: u64,
    /// Reads the room's broadcast ring, once the room has answered.
    feed: Option<SpawnHandle>,
}

/// One item from a room's ring: a frame, or how far this socket fell behind.
pub struct RoomFrame(Result<ByteString, RecvError>);

/// The frames of a room's ring as a stream the session actor handles; it ends with the room.
fn room_feed(rx: broadcast::Receiver<ByteString>) -> impl futures_util::Stream<Item = RoomFrame> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Err(RecvError::Closed) => None,
            item => Some((RoomFrame(item), rx)),
        }
    })
}

/// Token bucket for client frames.
struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
    last_warning: Option<Instant>,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub struct WsSession {
    id: SessionId,
    core: web::Data<Core>,
    registry: Addr<Registry>,
    auth: Option<SocketAuth>,
    /// The largest frame the socket's decoder accepts: raised once the socket authenticates.
    frame_limit: FrameLimit,
    /// Set when the handshake carried a valid session cookie.
    cookie_token: Option<String>,
    heartbeat: Instant,
    topics: HashMap<Topic, Subscription>,
    next_generation: u64,
    stream: Stream,
    welcome_seq: u64,
    /// The answers sent, oldest first, by client id (a short list scanned on a repeat, which
    /// costs less memory per socket than a map).
    answers: VecDeque<(Box<str>, Box<str>)>,
    /// Ids whose answer is still being worked out (chat actions run concurrently).
    pending: Vec<String>,
    /// Closes a socket that does not authenticate in time; cancelled once it does.
    auth_deadline: Option<SpawnHandle>,
    /// Heartbeat ticks so far; every few the session is re-checked.
    ticks: u64,
    bucket: Bucket,
    fragments: Option<BytesMut>,
}

type Ctx = ws::WebsocketContext<WsSession>;

impl WsSession {
    pub fn new(
        core: web::Data<Core>,
        registry: Addr<Registry>,
        cookie_token: Option<String>,
        frame_limit: FrameLimit,
    ) -> Self {
        let live = &core.config.live;
        let bucket = Bucket {
            tokens: live.frames_burst as f64,
            rate: live.frames_per_second as f64,
            burst: live.frames_burst as f64,
            at: Instant::now(),
            last_warning: None,
        };
        WsSession {
            id: NEXT_SESSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            core,
            registry,
            auth: None,
            frame_limit,
            cookie_token,
            heartbeat: Instant::now(),
            topics: HashMap::new(),
            next_generation: 0,
            stream: Stream::Held {
                buffer: Vec::new(),
                overflowed: false,
            },
            welcome_seq: 0,
            answers: VecDeque::new(),
            pending: Vec::new(),
            auth_deadline: None,
            ticks: 0,
            bucket,
            fragments: None,
        }
    }

    fn close(ctx: &mut Ctx, code: u16, reason: &str) {
        ctx.close(Some(ws::CloseReason {
            code: ws::CloseCode::from(code),
            description: Some(reason.to_string()),
        }));
        ctx.stop();
    }

    /// Sends the one answer for client id `id` and remembers it for repeats.
    fn answer(&mut self, ctx: &mut Ctx, id: &str, frame: String) {
        ctx.text(frame.clone());
        self.pending.retain(|p| p != id);
        if self.pending.is_empty() {
            self.pending = Vec::new(); // Release its memory: most sockets idle.
        }
        self.answers.push_back((id.into(), frame.into()));
        while self.answers.len() > self.core.config.live.answers_remembered {
            self.answers.pop_front();
        }
    }

    fn answered(&self, id: &str) -> Option<&str> {
        let found = self.answers.iter().find(|(i, _)| &**i == id);
        found.map(|(_, frame)| &**frame)
    }

    fn answer_error(&mut self, ctx: &mut Ctx, id: &str, err: &AppError) {
        self.answer(
            ctx,
            id,
            protocol::error(Some(id), err.code(), &err.to_string()),
        );
    }

    /// Stops listening to `topic`; true when the socket was listening.
    fn drop_topic(&mut self, ctx: &mut Ctx, topic: &Topic) -> bool {
        let Some(sub) = self.topics.remove(topic) else {
            return false;
        };
        if let Some(feed) = sub.feed {
            ctx.cancel_future(feed);
        }
        true
    }

    /// One timer per socket (each costs memory on every idle socket): it pings, drops a silent
    /// client, and every few ticks re-checks the session.
    fn heartbeat(&self, ctx: &mut Ctx) {
        let recheck = self.core.config.live.session_recheck_secs;
        let every = recheck.div_ceil(HEARTBEAT_INTERVAL.as_secs()).max(1);
        ctx.run_interval(HEARTBEAT_INTERVAL, move |act, ctx| {
            if Instant::now().duration_since(act.heartbeat) > CLIENT_TIMEOUT {
                ctx.stop();
                return;
            }
            ctx.ping(b"");
            act.ticks += 1;
            if act.ticks % every == 0 {
                act.recheck(ctx);
            }
        });
    }

    /// Re-checks the session: one that expired or was logged out closes (1008).
    fn recheck(&mut self, ctx: &mut Ctx) {
        let Some(auth) = &self.auth else { return };
        let (core, token) = (self.core.clone(), auth.token.clone());
        let check = web::block(move || accounts::authenticate(&core, &token));
        ctx.spawn(check.into_actor(self).map(|res, _, ctx| {
            if !matches!(res, Ok(Ok(_))) {
                Self::close(ctx, close::POLICY, "session ended");
            }
        }));
    }

    /// Authenticates with a token, registers the socket, and sends `welcome`. The socket's
    /// next frame is read after the answer (see the module documentation).
    fn authenticate(&mut self, ctx: &mut Ctx, token: String, id: Option<String>) {
        let core = self.core.clone();
        let work = web::block(move || {
            let who = accounts::authenticate(&core, &token)?;
            Ok::<_, AppError>((who, token))
        });
        ctx.wait(work.into_actor(self).map(move |res, act, ctx| {
            let res = res.map_err(AppError::internal).and_then(|r| r);
            match res {
                Ok((who, token)) => {
                    let auth = SocketAuth {
                        user: who.user.id,
                        token,
                        token_hash: who.token_hash,
                    };
                    act.registry.do_send(registry::Connect {
                        user: auth.user,
                        session: act.id,
                        token_hash: auth.token_hash.clone(),
                        addr: ctx.address().recipient(),
                    });
                    let user = auth.user;
                    act.auth = Some(auth);
                    act.frame_limit.set(act.core.config.live.max_frame_bytes);
                    if let Some(deadline) = act.auth_deadline.take() {
                        ctx.cancel_future(deadline);
                    }
                    // Read after registering: every later event then arrives live.
                    let core = act.core.clone();
                    let seq = web::block(move || events::last_seq(&core, user));
                    ctx.wait(seq.into_actor(act).map(move |res, act, ctx| {
                        let last = res.map_err(AppError::internal).and_then(|r| r).unwrap_or(0);
                        act.welcome_seq = last;
                        ctx.text(protocol::welcome(user, last));
                        if let Some(id) = &id {
                            act.answer(
                                ctx,
                                id,
                                protocol::result(id, json!({"user": user, "last_seq": last})),
                            );
                        }
                    }));
                }
                Err(_) => match &id {
                    Some(id) => act.answer_error(ctx, id, &AppError::Unauthenticated),
                    None => Self::close(ctx, close::POLICY, "session ended"),
                },
            }
        }));
    }

    fn on_text(&mut self, ctx: &mut Ctx, text: &str) {
        if !self.bucket.take() {
            let now = Instant::now();
            let warn = self
                .bucket
                .last_warning
                .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1));
            if warn {
                self.bucket.last_warning = Some(now);
                let id = protocol::id_of_raw(text);
                ctx.text(protocol::error(
                    id.as_deref(),
                    "rate_limited",
                    "too many frames; slow down",
                ));
            }
            return;
        }
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                ctx.text(protocol::error(
                    None,
                    "bad_request",
                    &format!("malformed JSON: {e}"),
                ));
                return;
            }
        };
        let raw_id = value.get("id").and_then(|v| v.as_str()).map(str::to_string);
        // The version first: a client of another version must hear that, not "malformed".
        match value.get("v").and_then(|v| v.as_u64()) {
            Some(v) if v == protocol::VERSION as u64 => {}
            Some(_) => {
                let msg = "this server speaks protocol version 1 (\"v\":1)";
                ctx.text(protocol::error(
                    raw_id.as_deref(),
                    "unsupported_version",
                    msg,
                ));
                return;
            }
            None => {
                let msg = "every frame needs the protocol version \"v\":1";
                ctx.text(protocol::error(raw_id.as_deref(), "bad_request", msg));
                return;
            }
        }
        let envelope: Envelope = match serde_json::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                ctx.text(protocol::error(
                    raw_id.as_deref(),
                    "bad_request",
                    &format!("malformed frame: {e}"),
                ));
                return;
            }
        };
        let id = envelope.frame.id().to_string();
        if id.is_empty() || id.chars().count() > groups::CLIENT_ID_CHARS {
            ctx.text(protocol::error(
                Some(&id),
                "bad_request",
                "id must have 1 to 64 characters",
            ));
            return;
        }
        if let Some(first) = self.answered(&id) {
            ctx.text(first.to_string());
            return;
        }
        if self.pending.contains(&id) {
            return; // The first answer is on its way.
        }
        self.pending.push(id.clone());
        self.dispatch(ctx, envelope.frame, id);
    }

    fn dispatch(&mut self, ctx: &mut Ctx, frame: ClientFrame, id: String) {
        if let ClientFrame::Auth { token, .. } = frame {
            if self.auth.is_some() {
                let e = AppError::Conflict("already authenticated".into());
                return self.answer_error(ctx, &id, &e);
            }
            return self.authenticate(ctx, token, Some(id));
        }
        let Some(user) = self.auth.as_ref().map(|a| a.user) else {
            return self.answer_error(ctx, &id, &AppError::Unauthenticated);
        };
        match frame {
            ClientFrame::Auth { .. } => {}
            ClientFrame::Ping { .. } => {
                self.answer(ctx, &id, protocol::result(&id, json!({"pong": true})))
            }
            ClientFrame::Resume { after, .. } => {
                self.resume(ctx, user, after.unwrap_or(self.welcome_seq), id)
            }
            ClientFrame::Subscribe { topic, .. } => self.subscribe(ctx, user, topic, id),
            ClientFrame::Unsubscribe { topic, .. } => {
                if self.drop_topic(ctx, &topic) {
                    self.registry.do_send(registry::Unsubscribe {
                        topic,
                        session: self.id,
                    });
                }
                self.answer(ctx, &id, protocol::result(&id, json!({"topic": topic})));
            }
            ClientFrame::Typing { topic, .. } => {
                if !self.topics.contains_key(&topic) {
                    let e = AppError::Forbidden("subscribe to the topic first".into());
                    return self.answer_error(ctx, &id, &e);
                }
                let typing = crate::domain::event::TopicEventBody::Typing { user };
                self.core
                    .bus
                    .publish(vec![BusMessage::Topic(topic, typing)]);
                self.answer(ctx, &id, protocol::result(&id, json!({"topic": topic})));
            }
            ClientFrame::Send {
                topic,
                text,
                mentions,
                ..
            } => {
                let input = NewMessage {
                    client_id: id.clone(),
                    text,
                    mentions,
                };
                self.chat(ctx, topic, id, move |core, group| {
                    chat::post(core, user, group, input)
                })
            }
            ClientFrame::Edit {
                topic,
                message,
                text,
                ..
            } => self.chat(ctx, topic, id, move |core, group| {
                chat::edit(core, user, group, message, EditMessage { text })
            }),
            ClientFrame::Delete { topic, message, .. } => {
                self.chat(ctx, topic, id, move |core, group| {
                    chat::delete(core, user, group, message)
                })
            }
        }
    }

    fn subscribe(&mut self, ctx: &mut Ctx, user: UserId, topic: Topic, id: String) {
        if self.topics.contains_key(&topic) {
            return self.answer(ctx, &id, protocol::result(&id, json!({"topic": topic})));
        }
        if self.topics.len() >= self.core.config.live.subscriptions_per_socket {
            let e = AppError::Conflict("too many subscriptions on this socket".into());
            return self.answer_error(ctx, &id, &e);
        }
        let core = self.core.clone();
        let check = web::block(move || groups::may_listen(&core, user, topic));
        ctx.wait(check.into_actor(self).map(move |res, act, ctx| {
            match res.map_err(AppError::internal).and_then(|r| r) {
                Ok(()) => {
                    act.next_generation += 1;
                    let generation = act.next_generation;
                    let sub = Subscription {
                        generation,
                        feed: None,
                    };
                    act.topics.insert(topic, sub);
                    act.registry.do_send(registry::Subscribe {
                        topic,
                        user,
                        session: act.id,
                        generation,
                        addr: ctx.address().recipient(),
                        listener: ctx.address().recipient(),
                    });
                    act.answer(ctx, &id, protocol::result(&id, json!({"topic": topic})));
                    act.recheck_membership(ctx, user, topic, generation);
                }
                Err(e) => act.answer_error(ctx, &id, &e),
            }
        }));
    }

    /// Checks membership once more after the registry was asked to add this socket. A
    /// removal that committed between the first check and the registration published its
    /// `MembershipEnded` before the socket was in the room, so nothing would cut it: this
    /// check sees that removal and drops the subscription. A removal that commits later
    /// reaches the registry after the registration, which cuts the socket as usual.
    fn recheck_membership(&mut self, ctx: &mut Ctx, user: UserId, topic: Topic, generation: u64) {
        let core = self.core.clone();
        let check = web::block(move || groups::may_listen(&core, user, topic));
        ctx.spawn(check.into_actor(self).map(move |res, act, ctx| {
            // Only a definite "no" ends it; a failed check leaves the first one standing.
            let gone = matches!(res, Ok(Err(AppError::Forbidden(_) | AppError::NotFound(_))));
            let current = act.topics.get(&topic).map(|s| s.generation) == Some(generation);
            if gone && current && act.drop_topic(ctx, &topic) {
                act.registry.do_send(registry::Unsubscribe {
                    topic,
                    session: act.id,
                });
                ctx.text(protocol::unsubscribed(topic, "membership_ended"));
            }
        }));
    }

    /// Runs a chat action (send, edit, delete) on the blocking pool and answers with the
    /// message as stored; the service checks membership and fans the change out.
    fn chat(
        &mut self,
        ctx: &mut Ctx,
        topic: Topic,
        id: String,
        action: impl FnOnce(&Core, GroupId) -> Result<GroupMessage, AppError> + Send + 'static,
    ) {
        let Topic::Group(group) = topic else {
            let e = AppError::Validation("messages can only be sent to groups".into());
            return self.answer_error(ctx, &id, &e);
        };
        let core = self.core.clone();
        let work = web::block(move || action(&core, group));
        // Not `ctx.wait`: a socket's sends are stored concurrently, so the group commit
        // batches them (waiting for each multiplied the chat's latency under load,
        // BENCHMARKS.md "Frames in order"). docs/protocol.md says so.
        ctx.spawn(work.into_actor(self).map(move |res, act, ctx| {
            match res.map_err(AppError::internal).and_then(|r| r) {
                Ok(message) => {
                    act.answer(ctx, &id, protocol::result(&id, json!({"message": message})))
                }
                Err(e) => act.answer_error(ctx, &id, &e),
            }
        }));
    }

    /// Replays what the client missed after `after`, then goes live without gaps or repeats.
    fn resume(&mut self, ctx: &mut Ctx, user: UserId, after: u64, id: String) {
        // Live events that arrive while the store is read wait, with any already held.
        self.stream = match std::mem::replace(
            &mut self.stream,
            Stream::Held {
                buffer: Vec::new(),
                overflowed: false,
            },
        ) {
            Stream::Held { buffer, overflowed } | Stream::Replaying { buffer, overflowed } => {
                Stream::Replaying { buffer, overflowed }
            }
            Stream::Live { .. } => Stream::Replaying {
                buffer: Vec::new(),
                overflowed: false,
            },
        };
        metrics::counter!("twinhub_live_resumes_total").increment(1);
        let core = self.core.clone();
        let work = web::block(move || events::since(&core, user, after));
        ctx.wait(work.into_actor(self).map(move |res, act, ctx| {
            let (buffer, overflowed) = match std::mem::replace(
                &mut act.stream,
                Stream::Live {
                    last: after,
                    early: BTreeMap::new(),
                },
            ) {
                Stream::Replaying { buffer, overflowed } => (buffer, overflowed),
                _ => (Vec::new(), false),
            };
            let mut last = after;
            let mut replayed = 0;
            match res.map_err(AppError::internal).and_then(|r| r) {
                Ok(Replay::Events(list)) => {
                    for e in &list {
                        ctx.text(protocol::event(e));
                        last = e.seq;
                    }
                    replayed = list.len();
                }
                Ok(Replay::Resync { last_seq }) => {
                    metrics::counter!("twinhub_live_resyncs_total").increment(1);
                    ctx.text(protocol::resync(last_seq));
                    last = last_seq;
                }
                Err(e) => {
                    act.stream = Stream::Held { buffer, overflowed };
                    return act.answer_error(ctx, &id, &e);
                }
            }
            act.stream = Stream::Live {
                last,
                early: BTreeMap::new(),
            };
            if overflowed {
                act.resync_to(ctx, buffer.iter().map(|(s, _)| *s).max().unwrap_or(last));
            } else {
                let mut buffer = buffer;
                buffer.sort_by_key(|(s, _)| *s);
                for (seq, frame) in buffer {
                    act.deliver(ctx, seq, frame);
                }
            }
            let last = match act.stream {
                Stream::Live { last, .. } => last,
                _ => last,
            };
            act.answer(
                ctx,
                &id,
                protocol::result(&id, json!({"replayed": replayed, "last_seq": last})),
            );
        }));
    }

    fn resync_to(&mut self, ctx: &mut Ctx, seq: u64) {
        metrics::counter!("twinhub_live_resyncs_total").increment(1);
        ctx.text(protocol::resync(seq));
        self.stream = Stream::Live {
            last: seq,
            early: BTreeMap::new(),
        };
    }

    /// Sends a live event in order, once. Two writes for the same user can be published in
    /// the opposite order of their sequence numbers, so an early event waits for the missing
    /// one; if it does not come within `GAP_WAIT` (the push was lost), the client resyncs.
    fn deliver(&mut self, ctx: &mut Ctx, seq: u64, frame: ByteString) {
        let limit = self.core.config.live.outbound_queue;
        let (ready, gap) = match &mut self.stream {
            Stream::Held { buffer, overflowed } | Stream::Replaying { buffer, overflowed } => {
                if buffer.len() < limit {
                    buffer.push((seq, frame));
                } else {
                    *overflowed = true;
                }
                return;
            }
            Stream::Live { last, early } => {
                if seq <= *last {
                    return;
                }
                early.insert(seq, frame);
                let mut ready = Vec::new();
                while let Some(f) = early.remove(&(*last + 1)) {
                    *last += 1;
                    ready.push(f);
                }
                let newest = early.keys().next_back().copied();
                (ready, newest.map(|n| (*last + 1, n, early.len() > limit)))
            }
        };
        for f in ready {
            ctx.text(f);
        }
        match gap {
            Some((_, newest, true)) => self.resync_to(ctx, newest),
            Some((missing, _, false)) => {
                ctx.run_later(GAP_WAIT, move |act, ctx| {
                    let newest = match &act.stream {
                        Stream::Live { last, early } if *last < missing => {
                            early.keys().next_back().copied()
                        }
                        _ => None,
                    };
                    if let Some(newest) = newest {
                        act.resync_to(ctx, newest);
                    }
                });
            }
            None => {}
        }
    }

    fn on_fragment(&mut self, ctx: &mut Ctx, item: actix_http::ws::Item) {
        let max = self.frame_limit.get();
        let (start, bytes, last) = match item {
            actix_http::ws::Item::FirstText(b) => (true, b, false),
            actix_http::ws::Item::FirstBinary(b) => (true, b, false),
            actix_http::ws::Item::Continue(b) => (false, b, false),
            actix_http::ws::Item::Last(b) => (false, b, true),
        };
        if start {
            self.fragments = Some(BytesMut::new());
        }
        let Some(buf) = self.fragments.as_mut() else {
            return Self::close(ctx, 1002, "continuation without a first fragment");
        };
        if buf.len() + bytes.len() > max {
            return Self::close(ctx, close::TOO_BIG, "message too big");
        }
        buf.extend_from_slice(&bytes);
        if last {
            let whole = self.fragments.take().unwrap_or_default();
            match std::str::from_utf8(&whole) {
                Ok(text) => self.on_text(ctx, text),
                Err(_) => ctx.text(protocol::error(
                    None,
                    "bad_request",
                    "text frames must be UTF-8",
                )),
            }
        }
    }
}

impl Actor for WsSession {
    type Context = Ctx;

    fn started(&mut self, ctx: &mut Ctx) {
        metrics::gauge!("twinhub_ws_sessions").increment(1.0);
        ctx.set_mailbox_capacity(self.core.config.live.outbound_queue);
        self.heartbeat(ctx);
        let timeout = Duration::from_secs(self.core.config.live.auth_timeout_secs);
        self.auth_deadline = Some(ctx.run_later(timeout, |act, ctx| {
            if act.auth.is_none() {
                Self::close(ctx, close::POLICY, "not authenticated in time");
            }
        }));
        if let Some(token) = self.cookie_token.take() {
            self.authenticate(ctx, token, None);
        }
    }

    fn stopping(&mut self, _: &mut Ctx) -> Running {
        if let Some(auth) = &self.auth {
            self.registry.do_send(registry::Disconnect {
                user: auth.user,
                session: self.id,
                token_hash: auth.token_hash.clone(),
                topics: self.topics.drain().map(|(topic, _)| topic).collect(),
            });
        }
        Running::Stop
    }

    fn stopped(&mut self, _: &mut Ctx) {
        metrics::gauge!("twinhub_ws_sessions").decrement(1.0);
    }
}

impl Handler<Push> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Push, ctx: &mut Ctx) {
        match msg {
            Push::UserEvent { seq, frame } => self.deliver(ctx, seq, frame),
            Push::Unsubscribed { topic, reason } => {
                if self.drop_topic(ctx, &topic) {
                    ctx.text(protocol::unsubscribed(topic, reason));
                }
            }
            Push::Close { code, reason } => Self::close(ctx, code, reason),
        }
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for WsSession {
    fn handle(&mut self, msg: Result<ws::Message, ws::ProtocolError>, ctx: &mut Ctx) {
        self.heartbeat = Instant::now();
        match msg {
            Ok(ws::Message::Ping(p)) => ctx.pong(&p),
            Ok(ws::Message::Pong(_)) | Ok(ws::Message::Nop) => {}
            Ok(ws::Message::Text(t)) => self.on_text(ctx, &t),
            Ok(ws::Message::Binary(_)) => ctx.text(protocol::error(
                None,
                "bad_request",
                "only text frames are understood",
            )),
            Ok(ws::Message::Continuation(item)) => self.on_fragment(ctx, item),
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Err(ws::ProtocolError::Overflow) => Self::close(ctx, close::TOO_BIG, "message too big"),
            Err(_) => ctx.stop(),
        }
    }
}

impl Handler<room::Listen> for WsSession {
    type Result = ();

    /// The room accepted this socket: send its presence snapshot, then read its ring.
    fn handle(&mut self, msg: room::Listen, ctx: &mut Ctx) {
        let Some(sub) = self.topics.get_mut(&msg.topic) else {
            return; // Unsubscribed meanwhile.
        };
        if sub.generation != msg.generation || sub.feed.is_some() {
            return; // The answer to an earlier subscription.
        }
        ctx.text(msg.snapshot);
        sub.feed = Some(ctx.add_stream(room_feed(msg.feed)));
    }
}

impl StreamHandler<RoomFrame> for WsSession {
    fn handle(&mut self, msg: RoomFrame, ctx: &mut Ctx) {
        match msg.0 {
            Ok(frame) => ctx.text(frame),
            // Fell a whole ring behind: what it missed is in the store; it resumes.
            Err(_) => {
                metrics::counter!("twinhub_live_queue_drops_total").increment(1);
                Self::close(ctx, close::TRY_AGAIN_LATER, "too slow; resume");
            }
        }
    }

    /// A room's ring closes when the room stops; the socket itself goes on (the default
    /// would stop the actor).
    fn finished(&mut self, _: &mut Ctx) {}
}
