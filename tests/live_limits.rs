//! Issue 15's WebSocket holes, over real sockets: a frame header declaring a huge payload is
//! refused (1009) before the payload is kept; a socket that has not authenticated may send
//! only small frames; frames sent back to back take effect in order; and the cookie is taken
//! from no foreign origin by default.

mod common;
mod live_support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use actix_http::ws::Item;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use awc::ws::Message;
use futures_util::SinkExt;
use serde_json::{json, Value};

use common::TestServer;
use live_support::*;

/// What a client may stream into an oversized frame before the server must have refused it.
const STREAM_LIMIT: usize = 1 << 20;
/// How long the raw client waits for frames it expects.
const READ_WAIT: Duration = Duration::from_secs(5);

/// A raw client past its handshake, with the bytes read after the 101 answer.
fn raw_socket(server: &TestServer) -> (TcpStream, Vec<u8>) {
    let addr: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(READ_WAIT)).unwrap();
    s.write_all(
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let n = s.read(&mut buf).expect("handshake answer");
        assert!(n > 0, "closed during the handshake");
        seen.extend_from_slice(&buf[..n]);
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    assert!(seen.starts_with(b"HTTP/1.1 101"), "{seen:?}");
    (s, seen.split_off(end))
}

/// Reads server frames until a close frame; returns its code, or `None` if the connection
/// ended (or stayed silent for `READ_WAIT`) without one.
fn read_close_code(s: &mut TcpStream, mut buf: Vec<u8>) -> Option<u16> {
    let mut chunk = [0u8; 4096];
    loop {
        while let Some((opcode, payload, used)) = server_frame(&buf) {
            if opcode == 0x8 {
                return payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            }
            buf.drain(..used);
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The first whole (unmasked, short) server frame in `buf`: `(opcode, payload, length)`.
fn server_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    let (len, start) = match b1 & 0x7F {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => panic!("the server sent a frame of more than 64 KiB"),
        n => (n as usize, 2),
    };
    let payload = buf.get(start..start + len)?.to_vec();
    Some((b0 & 0x0F, payload, start + len))
}

/// Sends a header declaring a 2^40-byte text frame, then streams its payload (up to
/// `STREAM_LIMIT`) while a second thread reads; returns the close code the server sent.
fn stream_huge_frame(mut s: TcpStream, already_read: Vec<u8>) -> Option<u16> {
    let mut reader = s.try_clone().unwrap();
    let closed = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let seen = closed.clone();
    std::thread::spawn(move || {
        let code = read_close_code(&mut reader, already_read);
        seen.store(true, Ordering::SeqCst);
        let _ = tx.send(code);
    });
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 40).to_be_bytes());
    header.extend_from_slice(&[0, 0, 0, 0]);
    s.write_all(&header).unwrap();
    let chunk = vec![b'x'; 16 * 1024];
    let mut streamed = 0;
    while streamed < STREAM_LIMIT && !closed.load(Ordering::SeqCst) {
        match s.write(&chunk) {
            Ok(n) => streamed += n,
            // The server has closed: what it sent before is still to be read.
            Err(e) if e.kind() != ErrorKind::Interrupted => break,
            Err(_) => {}
        }
    }
    // Stop here: a server that waits for the rest of the frame never answers.
    rx.recv_timeout(READ_WAIT + Duration::from_secs(1))
        .expect("reader thread answers")
}

#[actix_web::test]
async fn a_header_declaring_a_huge_frame_is_refused_with_1009_before_its_payload_arrives() {
    // A long authentication deadline: only the header check can close these sockets in time.
    let server = server_with(|c| c.live.auth_timeout_secs = 60).await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let token = ann.bearer.clone().unwrap();

    // Before authentication.
    let (s, rest) = raw_socket(&server);
    let code = tokio::task::spawn_blocking(move || stream_huge_frame(s, rest))
        .await
        .unwrap();
    assert_eq!(code, Some(1009), "unauthenticated");

    // After authentication, the same.
    let (mut s, mut rest) = raw_socket(&server);
    let auth = json!({"v": 1, "type": "auth", "id": "a", "token": token}).to_string();
    s.write_all(&common::ws::masked_frame(0x1, auth.as_bytes()))
        .unwrap();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&rest).contains("\"type\":\"result\"") {
        let n = s.read(&mut chunk).expect("auth answer");
        assert!(n > 0, "closed before the auth answer");
        rest.extend_from_slice(&chunk[..n]);
    }
    let code = tokio::task::spawn_blocking(move || stream_huge_frame(s, Vec::new()))
        .await
        .unwrap();
    assert_eq!(code, Some(1009), "authenticated");
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn before_authenticating_a_socket_may_send_only_small_frames() {
    let server = server_with(|c| c.live.max_unauthenticated_frame_bytes = 1024).await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let big = json!({"v": 1, "type": "ping", "id": "big", "pad": "x".repeat(2000)}).to_string();

    // One frame over the unauthenticated limit.
    let mut ws = server.ws_raw(&ann, None).await.expect("handshake");
    send_text(&mut ws, &big).await;
    assert_eq!(ws.closed().await, Some(1009));

    // Fragments each under it, together over it.
    let mut ws = server.ws_raw(&ann, None).await.expect("handshake");
    let part = Bytes::from("x".repeat(600));
    for item in [
        Item::FirstText(Bytes::from_static(
            b"{\"v\":1,\"type\":\"ping\",\"id\":\"f\",\"pad\":\"",
        )),
        Item::Continue(part.clone()),
        Item::Last(part),
    ] {
        let _ = ws.framed.send(Message::Continuation(item)).await;
    }
    assert_eq!(ws.closed().await, Some(1009));

    // Once authenticated, the socket's limit is live.max_frame_bytes.
    let mut ws = server.ws_token(&ann).await;
    send_text(&mut ws, &big).await;
    let answer = ws.recv_until(|f| f["id"] == "big").await;
    assert_eq!(answer["type"], "result", "{answer}");
    hang_up(ws).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

/// Sends `frames` back to back (one flush) and returns the answers, in arrival order.
async fn answers_to(ws: &mut common::ws::Ws, frames: &[Value]) -> Vec<Value> {
    for f in frames {
        ws.framed
            .feed(Message::Text(f.to_string().into()))
            .await
            .unwrap();
    }
    ws.framed.flush().await.unwrap();
    let mut answers = Vec::new();
    while answers.len() < frames.len() {
        let f = ws.recv().await.expect("an answer for every frame");
        if f["type"] == "result" || f["type"] == "error" {
            answers.push(f);
        }
    }
    answers
}

#[actix_web::test]
async fn frames_sent_back_to_back_take_effect_in_the_order_sent() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let group = create_group(&server, "ann@x.eu", &ann, "Climate").await;
    let token = ann.bearer.clone().unwrap();
    let t = topic(group);
    let frame = |id: &str, body: Value| {
        let mut f = body;
        f["v"] = json!(1);
        f["id"] = json!(id);
        f
    };
    let frames = [
        frame("a", json!({"type": "auth", "token": token})),
        frame("s", json!({"type": "subscribe", "topic": t})),
        frame("t1", json!({"type": "typing", "topic": t})),
        frame("u", json!({"type": "unsubscribe", "topic": t})),
        frame("t2", json!({"type": "typing", "topic": t})),
    ];
    // Each round is a new socket: before the fix, the subscribe found the socket not yet
    // authenticated about 6 times in 10.
    for round in 0..20 {
        let mut ws = server.ws_raw(&ann, None).await.expect("handshake");
        let answers = answers_to(&mut ws, &frames).await;
        let got: Vec<(&str, &str)> = answers
            .iter()
            .map(|a| {
                let outcome = a["code"].as_str().unwrap_or("ok");
                (a["id"].as_str().unwrap(), outcome)
            })
            .collect();
        let want = [
            ("a", "ok"),
            ("s", "ok"),
            ("t1", "ok"),
            ("u", "ok"),
            ("t2", "forbidden"),
        ];
        assert_eq!(got, want, "round {round}: {answers:?}");
        hang_up(ws).await;
    }

    // Messages sent right after `auth` are all stored (chat actions are stored concurrently:
    // docs/protocol.md does not promise their order).
    let mut ws = server.ws_raw(&ann, None).await.expect("handshake");
    let texts: Vec<String> = (1..=8).map(|i| format!("message {i}")).collect();
    let mut sends = vec![frame("a", json!({"type": "auth", "token": token}))];
    for (i, text) in texts.iter().enumerate() {
        let send = json!({"type": "send", "topic": t, "text": text});
        sends.push(frame(&format!("m{i}"), send));
    }
    let answers = answers_to(&mut ws, &sends).await;
    assert_eq!(answers[0]["id"], "a", "{answers:?}");
    assert!(answers.iter().all(|a| a["type"] == "result"), "{answers:?}");
    let mut stored: Vec<String> = group_messages(&ann, group)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect();
    stored.sort();
    assert_eq!(stored, texts);
    hang_up(ws).await;

    // A browser's cookie authenticates at the handshake: a frame sent at once waits for it.
    let browser = server.member("bob@x.eu", "FR").await;
    let own = server.base.clone();
    for round in 0..5 {
        let mut ws = server
            .ws_raw(&browser, Some(own.as_str()))
            .await
            .expect("handshake");
        let answers = answers_to(&mut ws, &[frame("r", json!({"type": "resume"}))]).await;
        assert_eq!(answers[0]["type"], "result", "round {round}: {answers:?}");
        hang_up(ws).await;
    }
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn by_default_no_other_origin_may_use_the_cookie_not_even_a_local_one() {
    let server = server().await;
    let browser = server.member("ann@x.eu", "FR").await;
    // The server listens on a free port, never 8080: these are other local applications.
    assert!(!server.base.ends_with(":8080"));
    for foreign in [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "https://evil.example",
    ] {
        let status = server.ws_refused(&browser, "/ws", Some(foreign)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{foreign}");
    }
    // The server's own origin needs no configuration.
    let mut ws = server
        .ws_raw(&browser, Some(&server.base))
        .await
        .expect("own origin");
    let welcome = ws.recv().await.expect("welcome");
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    hang_up(ws).await;
    server.stop().await;
}

#[actix_web::test]
async fn an_origin_on_the_allow_list_may_use_the_cookie() {
    let server =
        server_with(|c| c.live.allowed_origins = vec!["http://127.0.0.1:8080".into()]).await;
    let browser = server.member("ann@x.eu", "FR").await;
    let mut ws = server
        .ws_raw(&browser, Some("http://127.0.0.1:8080"))
        .await
        .expect("allowed origin");
    let welcome = ws.recv().await.expect("welcome");
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    hang_up(ws).await;
    let status = server
        .ws_refused(&browser, "/ws", Some("http://localhost:8080"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.stop().await;
}
