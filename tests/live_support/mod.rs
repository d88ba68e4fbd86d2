//! Helpers shared by the `live_*` integration tests (on top of `common`): people, groups,
//! NSO validations as event sources, frame bookkeeping, and registry polling.
#![allow(dead_code)]

use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use awc::ws::{CloseCode, CloseReason, Message};
use futures_util::SinkExt;
use serde_json::{json, Value};

use crate::common::ws::Ws;
use crate::common::{self, Client, TestServer};

/// How long "nothing more arrives" is watched for.
pub const QUIET: Duration = Duration::from_millis(400);

/// A test server that stops quickly even if a socket is still open.
pub async fn server_with(tweak: impl FnOnce(&mut twinhub::config::Config)) -> TestServer {
    common::start_with(|c| {
        c.server.shutdown_timeout_secs = 1;
        tweak(c);
    })
    .await
}

pub async fn server() -> TestServer {
    server_with(|_| {}).await
}

/// Registers a member of France and logs them in as an API client (bearer token).
pub async fn person(server: &TestServer, email: &str) -> (Client, u64) {
    let anon = server.client();
    let (status, body) = anon.register(email, "FR").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let c = anon.login_token(email, common::PASSWORD).await;
    (c, server.user_id(email).0)
}

/// An NSO officer of France, appointed by an administrator through the API.
pub async fn nso_officer(server: &TestServer) -> Client {
    let (admin, _) = person(server, "admin@x.eu").await;
    server.make_admin("admin@x.eu");
    let (nso, nso_id) = person(server, "nso@x.eu").await;
    let (s, body) = admin.appoint_nso(nso_id, "FR").await;
    assert!(s.is_success(), "appoint: {s} {body}");
    nso
}

/// Validates (or withdraws the validation of) a member: one notification event for them.
pub async fn set_validated(nso: &Client, member: u64, validated: bool) {
    let method = if validated {
        Method::PUT
    } else {
        Method::DELETE
    };
    let (s, body) = nso
        .send(
            method,
            &format!("/api/nso/members/{member}/validation"),
            None,
        )
        .await;
    assert!(s.is_success(), "validation {validated}: {s} {body}");
}

/// Flips the member's validation `n` times, starting from "not validated": `n` events.
pub async fn notify_times(nso: &Client, member: u64, n: usize) {
    for i in 0..n {
        set_validated(nso, member, i % 2 == 0).await;
    }
}

/// What creating a group takes besides its title: subjects, languages, a policy and the
/// accepted Code of Conduct.
pub fn group_body(title: &str, policy: &str) -> Value {
    json!({
        "title": title,
        "description": "",
        "subjects": ["biology"],
        "languages": ["en"],
        "policy": policy,
        "accept_code_of_conduct": twinhub::domain::code_of_conduct::VERSION,
    })
}

/// Creates an open group; its owner (`owner_email`'s account) is made an eTwinner first,
/// since only eTwinners create groups.
pub async fn create_group(
    server: &TestServer,
    owner_email: &str,
    owner: &Client,
    title: &str,
) -> u64 {
    server.make_etwinner(owner_email);
    let (s, body) = owner.post("/api/groups", group_body(title, "all")).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["id"].as_u64().expect("group id")
}

pub async fn join_group(member: &Client, group: u64) {
    let (s, body) = member
        .post(&format!("/api/groups/{group}/members"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "join: {body}");
    assert_eq!(body["me"]["member"], true, "{body}");
}

pub async fn group_messages(member: &Client, group: u64) -> Vec<Value> {
    let (s, body) = member.get(&format!("/api/groups/{group}/messages")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

pub fn topic(group: u64) -> String {
    format!("group:{group}")
}

/// Sends raw text as one WebSocket text frame.
pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.framed
        .send(Message::Text(text.to_string().into()))
        .await
        .expect("send text");
}

/// Sends `frame` (with `v` 1 and the given id) and collects every frame up to and including
/// its answer: `(answer, frames before it)`. Unlike `Ws::call`, nothing is thrown away.
pub async fn exchange(ws: &mut Ws, id: &str, mut frame: Value) -> (Value, Vec<Value>) {
    frame["v"] = json!(1);
    frame["id"] = json!(id);
    ws.send(frame).await;
    let mut before = Vec::new();
    loop {
        let f = ws
            .recv()
            .await
            .unwrap_or_else(|| panic!("no answer to {id}; got {before:?}"));
        if f["id"] == id && (f["type"] == "result" || f["type"] == "error") {
            return (f, before);
        }
        before.push(f);
    }
}

/// Resumes after `after` (or the welcome point): `(answer, replayed frames)`.
pub async fn resume(ws: &mut Ws, id: &str, after: Option<u64>) -> (Value, Vec<Value>) {
    let mut frame = json!({"type": "resume"});
    if let Some(a) = after {
        frame["after"] = json!(a);
    }
    let (answer, before) = exchange(ws, id, frame).await;
    assert_eq!(answer["type"], "result", "{answer}");
    (answer, before)
}

/// The sequence numbers of the user-event frames among `frames`.
pub fn seqs(frames: &[Value]) -> Vec<u64> {
    frames
        .iter()
        .filter(|f| f["type"] == "event")
        .map(|f| f["event"]["seq"].as_u64().expect("seq"))
        .collect()
}

/// The topic frames of `kind` among `frames`.
pub fn topic_events<'a>(frames: &'a [Value], kind: &str) -> Vec<&'a Value> {
    frames
        .iter()
        .filter(|f| f["type"] == "topic" && f["event"]["kind"] == kind)
        .collect()
}

/// Subscribes and waits for both the answer and the presence snapshot; returns the snapshot.
pub async fn subscribe(ws: &mut Ws, id: &str, group: u64) -> Value {
    let (answer, mut seen) =
        exchange(ws, id, json!({"type": "subscribe", "topic": topic(group)})).await;
    assert_eq!(answer["type"], "result", "{answer}");
    assert_eq!(answer["data"]["topic"], topic(group));
    if let Some(p) = seen
        .drain(..)
        .find(|f| f["type"] == "topic" && f["event"]["kind"] == "presence")
    {
        return p;
    }
    ws.recv_until(|f| f["type"] == "topic" && f["event"]["kind"] == "presence")
        .await
}

/// Closes the socket from the client side (a tab closed).
pub async fn hang_up(mut ws: Ws) {
    let _ = ws
        .framed
        .send(Message::Close(Some(CloseReason::from(CloseCode::Normal))))
        .await;
    let _ = tokio::time::timeout(Duration::from_secs(2), ws.closed()).await;
}

/// Asks the registry for `(online users, active rooms)` after checking its invariants.
pub async fn inspect(server: &TestServer) -> (usize, usize) {
    server
        .registry
        .send(twinhub::live::registry::Inspect)
        .await
        .expect("registry answers")
        .unwrap_or_else(|e| panic!("registry invariant broken: {e}"))
}

/// Polls the registry (up to 2 s) until it reports `want`; returns what it last reported.
pub async fn settle(server: &TestServer, want: (usize, usize)) -> (usize, usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let got = inspect(server).await;
        if got == want || tokio::time::Instant::now() >= deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
