//! Backpressure: a client that keeps its connection alive (it sends pongs) but never reads
//! is cut off within a bounded time, while the other members keep receiving everything; one
//! that pauses until it is a whole room ring behind is told to resume when it reads again.
//! Written against raw TCP sockets, so the stalls are real.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use socket2::{Domain, Socket, Type};

/// 300 messages of 40 kB: 12 MB, well over the kernel's socket buffers (4 MB on the send side),
/// so the stall reaches the server's own queue, which must stay bounded.
const MESSAGES: usize = 300;
const MESSAGE_BYTES: usize = 40_000;

/// Reads until `needle` has appeared `times` times (or fails after 5 s).
fn read_until(s: &mut TcpStream, needle: &str, times: usize) {
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut buf = [0u8; 4096];
    while String::from_utf8_lossy(&seen).matches(needle).count() < times {
        assert!(
            Instant::now() < deadline,
            "did not see {needle} x{times}: {}",
            String::from_utf8_lossy(&seen)
        );
        let n = s.read(&mut buf).expect("read");
        assert!(n > 0, "closed early");
        seen.extend_from_slice(&buf[..n]);
    }
}

/// Connects (with a 4 KiB receive buffer when `tiny_buffer`), authenticates and subscribes,
/// then stops reading.
fn stalled_client(addr: SocketAddr, token: &str, topic: &str, tiny_buffer: bool) -> TcpStream {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    if tiny_buffer {
        socket.set_recv_buffer_size(4096).unwrap();
    }
    socket.connect(&addr.into()).unwrap();
    let mut s: TcpStream = socket.into();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    read_until(&mut s, "101 Switching Protocols", 1);
    let auth = json!({"v": 1, "type": "auth", "id": "a", "token": token}).to_string();
    s.write_all(&common::ws::masked_frame(0x1, auth.as_bytes()))
        .unwrap();
    let sub = json!({"v": 1, "type": "subscribe", "id": "s", "topic": topic}).to_string();
    s.write_all(&common::ws::masked_frame(0x1, sub.as_bytes()))
        .unwrap();
    read_until(&mut s, "\"type\":\"result\"", 2);
    s
}

/// A server with a tiny per-socket queue, two members (ann, bob) of one group, and the
/// group's topic name. Messages may be `message_bytes` long.
async fn two_members(
    stall_timeout_secs: u64,
    message_bytes: usize,
) -> (
    common::TestServer,
    common::Client,
    common::Client,
    u64,
    String,
) {
    let server = common::start_with(move |c| {
        c.live.outbound_queue = 4;
        c.live.stall_timeout_secs = stall_timeout_secs;
        c.groups.message_chars = message_bytes;
        // The test floods the group on purpose.
        c.groups.messages_per_window = 100_000;
        c.limits.json_body_bytes = message_bytes + 1000;
        c.store.durability = twinhub::config::Durability::Flush;
    })
    .await;
    let anon = server.client();
    anon.register("ann@x.eu", "FR").await;
    anon.register("bob@x.eu", "FR").await;
    let ann = anon.login_token("ann@x.eu", common::PASSWORD).await;
    let bob = anon.login_token("bob@x.eu", common::PASSWORD).await;
    server.make_etwinner("ann@x.eu");
    let body = json!({"title": "Big data", "subjects": ["ict"], "languages": ["en"],
        "policy": "all", "accept_code_of_conduct": twinhub::domain::code_of_conduct::VERSION});
    let (_, group) = ann.post("/api/groups", body).await;
    let gid = group["id"].as_u64().unwrap();
    bob.post(&format!("/api/groups/{gid}/members"), json!({}))
        .await;
    (server, ann, bob, gid, format!("group:{gid}"))
}

/// Posts `count` messages of `bytes` bytes to the group.
async fn post_many(ann: &common::Client, gid: u64, count: usize, bytes: usize) {
    let text = "x".repeat(bytes);
    for i in 0..count {
        let (status, _) = ann
            .post(
                &format!("/api/groups/{gid}/messages"),
                json!({"client_id": format!("m{i}"), "text": text}),
            )
            .await;
        assert!(status.is_success());
    }
}

#[actix_web::test]
async fn a_reader_that_stalls_is_cut_off_and_others_keep_receiving() {
    let (server, ann, bob, gid, topic) = two_members(3, MESSAGE_BYTES).await;

    let addr: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let mut stalled = stalled_client(addr, bob.bearer.as_ref().unwrap(), &topic, true);
    // Keep the connection "alive" from the client side: pongs every 200 ms, never a read.
    let cut = Arc::new(AtomicBool::new(false));
    let pong_thread = {
        let cut = cut.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(60) {
                if stalled
                    .write_all(&common::ws::masked_frame(0xA, b""))
                    .is_err()
                {
                    cut.store(true, Ordering::SeqCst);
                    return Some(started.elapsed());
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            None
        })
    };

    let mut reader = server.ws_token(&ann).await;
    let r = reader
        .call(json!({"type": "subscribe", "topic": topic}))
        .await;
    assert_eq!(r["type"], "result");
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    actix_web::rt::spawn(async move {
        while let Some(f) = reader.recv().await {
            if f["event"]["kind"] == "message" {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
    });

    post_many(&ann, gid, MESSAGES, MESSAGE_BYTES).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while received.load(Ordering::SeqCst) < MESSAGES && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        received.load(Ordering::SeqCst),
        MESSAGES,
        "the reading member got every message"
    );

    let when = actix_web::rt::task::spawn_blocking(move || pong_thread.join().unwrap())
        .await
        .unwrap();
    assert!(
        cut.load(Ordering::SeqCst),
        "the stalled socket was never cut"
    );
    eprintln!("stalled socket cut after {when:?}");

    // Only the reading member is left online.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (users, _) = server
            .registry
            .send(twinhub::live::registry::Inspect)
            .await
            .unwrap()
            .unwrap();
        if users == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stalled session was not removed ({users} users online)"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop().await;
}

/// A reader that pauses long enough to fall a whole room ring behind, but not long enough for
/// the kernel to cut it, is told to resume (1013) as soon as it reads again, and the drop is
/// counted. Nothing was queued for it meanwhile beyond the shared ring.
#[actix_web::test]
async fn a_reader_that_falls_a_ring_behind_is_told_to_resume() {
    // 200 × 160 kB = 32 MB: more than the kernel buffers of both ends hold (their defaults
    // here, so that reading again is fast), while the kernel's cut is two minutes away.
    let (count, bytes) = (200, 160_000);
    let (server, ann, bob, gid, topic) = two_members(120, bytes).await;
    let addr: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let mut paused = stalled_client(addr, bob.bearer.as_ref().unwrap(), &topic, false);
    post_many(&ann, gid, count, bytes).await;

    // Read again: what the socket buffers held, then the close frame.
    let seen = actix_web::rt::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 65536];
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match paused.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
            if seen.windows(16).any(|w| w == b"too slow; resume") {
                break;
            }
        }
        seen
    })
    .await
    .unwrap();
    let close_frame = [0x88u8, 2 + 16, 0x03, 0xF5];
    assert!(
        seen.windows(4).any(|w| w == close_frame),
        "a close frame with code 1013 arrived after {} bytes",
        seen.len()
    );
    assert!(
        seen.len() < count * bytes,
        "the server held back {} bytes instead of the whole backlog",
        seen.len()
    );

    let (_, _, metrics) = server
        .client()
        .send_raw(actix_web::http::Method::GET, "/metrics", None)
        .await;
    let metrics = String::from_utf8_lossy(&metrics).to_string();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("twinhub_live_queue_drops_total") && !l.ends_with(" 0")),
        "the drop was counted"
    );
    server.stop().await;
}
