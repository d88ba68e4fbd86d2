//! Live protocol robustness over real sockets: oversized and fragmented frames, malformed
//! frames, the per-socket rate limit, the authentication deadline, authentication races,
//! and resume points the server never issued.

mod common;
mod live_support;

use std::time::{Duration, Instant};

use actix_http::ws::Item;
use actix_web::web::Bytes;
use awc::ws::Message;
use futures_util::SinkExt;
use serde_json::json;

use live_support::*;

#[actix_web::test]
async fn a_message_over_max_frame_bytes_closes_the_socket_with_1009() {
    let server = server_with(|c| c.live.max_frame_bytes = 4096).await;
    let (ann, _) = person(&server, "ann@x.eu").await;

    // Just under the limit is fine (unknown fields are ignored).
    let mut ws = server.ws_token(&ann).await;
    let frame = json!({"v": 1, "type": "ping", "id": "big", "pad": "x".repeat(3900)}).to_string();
    assert!(frame.len() < 4096);
    send_text(&mut ws, &frame).await;
    let answer = ws.recv_until(|f| f["id"] == "big").await;
    assert_eq!(answer["type"], "result", "{answer}");

    // One frame over the limit.
    let frame = json!({"v": 1, "type": "ping", "id": "huge", "pad": "x".repeat(5000)}).to_string();
    send_text(&mut ws, &frame).await;
    assert_eq!(ws.closed().await, Some(1009));

    // Fragments each under the limit, together over it.
    let mut ws = server.ws_token(&ann).await;
    let chunk = Bytes::from("x".repeat(3000));
    ws.framed
        .send(Message::Continuation(Item::FirstText(Bytes::from_static(
            b"{\"v\":1,\"type\":\"ping\",\"id\":\"frag\",\"pad\":\"",
        ))))
        .await
        .unwrap();
    ws.framed
        .send(Message::Continuation(Item::Continue(chunk.clone())))
        .await
        .unwrap();
    let _ = ws
        .framed
        .send(Message::Continuation(Item::Last(chunk)))
        .await;
    assert_eq!(ws.closed().await, Some(1009));
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn a_fragmented_frame_under_the_limit_is_reassembled_and_answered() {
    let server = server_with(|c| c.live.max_frame_bytes = 4096).await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let mut ws = server.ws_token(&ann).await;
    let parts: [&'static [u8]; 3] = [b"{\"v\":1,\"ty", b"pe\":\"ping\",", b"\"id\":\"pieces\"}"];
    ws.framed
        .send(Message::Continuation(Item::FirstText(Bytes::from_static(
            parts[0],
        ))))
        .await
        .unwrap();
    ws.framed
        .send(Message::Continuation(Item::Continue(Bytes::from_static(
            parts[1],
        ))))
        .await
        .unwrap();
    ws.framed
        .send(Message::Continuation(Item::Last(Bytes::from_static(
            parts[2],
        ))))
        .await
        .unwrap();
    let answer = ws.recv_until(|f| f["id"] == "pieces").await;
    assert_eq!(answer["type"], "result", "{answer}");
    assert_eq!(answer["data"]["pong"], true);
    hang_up(ws).await;
    server.stop().await;
}

#[actix_web::test]
async fn malformed_frames_get_error_answers_and_the_socket_stays_open() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let mut ws = server.ws_token(&ann).await;

    let cases: [(&str, serde_json::Value, &str); 7] = [
        ("{not json", json!(null), "bad_request"),
        (
            r#"{"v":1,"type":"teleport","id":"u1"}"#,
            json!("u1"),
            "bad_request",
        ),
        (
            r#"{"v":2,"type":"ping","id":"w1"}"#,
            json!("w1"),
            "unsupported_version",
        ),
        (r#"{"type":"ping","id":"n1"}"#, json!("n1"), "bad_request"),
        (
            r#"{"v":1,"type":"subscribe","id":"g1","topic":"group:x"}"#,
            json!("g1"),
            "bad_request",
        ),
        (r#"{"v":1,"type":"ping","id":""}"#, json!(""), "bad_request"),
        (
            r#"{"v":1,"type":"send","id":"s1","topic":"group:1"}"#,
            json!("s1"),
            "bad_request",
        ),
    ];
    for (text, id, code) in cases {
        send_text(&mut ws, text).await;
        let answer = ws.recv().await.expect("an answer, not a close");
        assert_eq!(answer["type"], "error", "{text}: {answer}");
        assert_eq!(answer["code"], code, "{text}: {answer}");
        assert_eq!(answer["id"], id, "{text}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let long_id = "i".repeat(65);
    send_text(
        &mut ws,
        &json!({"v": 1, "type": "ping", "id": long_id}).to_string(),
    )
    .await;
    let answer = ws.recv().await.expect("answer");
    assert_eq!(answer["code"], "bad_request", "{answer}");

    ws.framed
        .send(Message::Binary(Bytes::from_static(b"\x00\x01")))
        .await
        .unwrap();
    let answer = ws.recv().await.expect("answer");
    assert_eq!(answer["code"], "bad_request", "{answer}");

    let pong = ws.call(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "result", "{pong}");
    assert_eq!(pong["data"]["pong"], true);
    // Errors for unparsable frames are not remembered: the same id works once fixed.
    let pong = ws.call(json!({"type": "ping", "id": "u1"})).await;
    assert_eq!(pong["type"], "result", "{pong}");
    hang_up(ws).await;
    server.stop().await;
}

/// A client speaking another protocol version likely uses frame types this server does not
/// know; it must still be told `unsupported_version`, not that its frame is malformed.
#[actix_web::test]
async fn a_frame_of_another_version_is_unsupported_even_with_a_type_unknown_to_v1() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let mut ws = server.ws_token(&ann).await;
    send_text(&mut ws, r#"{"v":2,"type":"hello","id":"h1","caps":[]}"#).await;
    let answer = ws.recv().await.expect("answer");
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(answer["code"], "unsupported_version", "{answer}");
    hang_up(ws).await;
    server.stop().await;
}

#[actix_web::test]
async fn a_flood_of_frames_is_rate_limited_and_the_socket_recovers() {
    let server = server_with(|c| {
        c.live.frames_burst = 5;
        c.live.frames_per_second = 1;
    })
    .await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let mut ws = server.ws_token(&ann).await; // the auth frame took one token

    for i in 0..20 {
        let f = json!({"v": 1, "type": "ping", "id": format!("f{i}")});
        ws.framed
            .feed(Message::Text(f.to_string().into()))
            .await
            .unwrap();
    }
    ws.framed.flush().await.unwrap();
    let frames = ws.drain(QUIET).await;
    let answered = frames.iter().filter(|f| f["type"] == "result").count();
    let limited = frames
        .iter()
        .filter(|f| f["type"] == "error" && f["code"] == "rate_limited")
        .count();
    assert!(limited >= 1, "{frames:?}");
    assert!(
        (3..=6).contains(&answered),
        "answered {answered}: {frames:?}"
    );

    // The bucket refills at one frame per second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let pong = ws.call(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "result", "{pong}");
    hang_up(ws).await;
    server.stop().await;
}

#[actix_web::test]
async fn a_socket_that_does_not_authenticate_in_time_is_closed_with_1008() {
    let server = server_with(|c| c.live.auth_timeout_secs = 1).await;
    let (ann, _) = person(&server, "ann@x.eu").await;

    let started = Instant::now();
    let mut idle = server
        .ws_raw(&server.client(), None)
        .await
        .expect("handshake");
    let mut authed = server.ws_token(&ann).await;
    assert_eq!(idle.closed().await, Some(1008));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
    // One that authenticated in time stays open past the deadline.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pong = authed.call(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "result", "{pong}");
    hang_up(authed).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

/// Two auth frames sent before the first is answered must not register the socket twice:
/// the second is refused (or equivalent), and the registry forgets the socket when it closes.
#[actix_web::test]
async fn two_auth_frames_in_flight_register_the_socket_once() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let token = ann.bearer.clone().unwrap();
    let mut ws = server.ws_raw(&ann, None).await.expect("handshake");
    for id in ["a1", "a2"] {
        let f = json!({"v": 1, "type": "auth", "id": id, "token": token});
        ws.framed
            .feed(Message::Text(f.to_string().into()))
            .await
            .unwrap();
    }
    ws.framed.flush().await.unwrap();
    let frames = ws.drain(QUIET).await;
    let welcomes = frames.iter().filter(|f| f["type"] == "welcome").count();
    let results = frames.iter().filter(|f| f["type"] == "result").count();
    // Refusing the second (conflict) or repeating the first answer are both fine; a second
    // authentication (a second welcome, a second registration) is not.
    assert_eq!(welcomes, 1, "authenticated twice: {frames:?}");
    assert!((1..=2).contains(&results), "{frames:?}");
    hang_up(ws).await;
    assert_eq!(
        settle(&server, (0, 0)).await,
        (0, 0),
        "the user stays registered after their only socket closed"
    );
    server.stop().await;
}

/// A socket authenticated as one user must never receive another user's events, however
/// its auth frames race.
#[actix_web::test]
async fn racing_auth_frames_of_two_users_never_mix_their_events() {
    let server = server().await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;
    let (bob, bob_id) = person(&server, "bob@x.eu").await;
    let mut ws = server.ws_raw(&ann, None).await.expect("handshake");
    for (id, c) in [("a", &ann), ("b", &bob)] {
        let f = json!({"v": 1, "type": "auth", "id": id, "token": c.bearer.clone().unwrap()});
        ws.framed
            .feed(Message::Text(f.to_string().into()))
            .await
            .unwrap();
    }
    ws.framed.flush().await.unwrap();
    let mut frames = ws.drain(QUIET).await;
    let (answer, more) = resume(&mut ws, "r", Some(0)).await;
    assert_eq!(answer["type"], "result");
    frames.extend(more);
    // Ann: validated, then read. Bob: validated, withdrawn, validated. Distinct kind sequences.
    set_validated(&nso, ann_id, true).await;
    let (s, _) = ann.post("/api/notifications/read-all", json!({})).await;
    assert!(s.is_success());
    tokio::time::sleep(Duration::from_millis(100)).await;
    notify_times(&nso, bob_id, 3).await;
    frames.extend(ws.drain(Duration::from_millis(800)).await);
    let kinds: Vec<&str> = frames
        .iter()
        .filter(|f| f["type"] == "event")
        .map(|f| {
            f["event"]["notification"]["kind"]
                .as_str()
                .unwrap_or("read")
        })
        .collect();
    let anns = ["validated", "read"];
    let bobs = ["validated", "validation_withdrawn", "validated"];
    assert!(
        kinds == anns || kinds == bobs,
        "one socket got events of two users: {kinds:?} {frames:?}"
    );
    hang_up(ws).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0), "registry leak");
    server.stop().await;
}

/// A client claiming to have seen more than the server ever numbered (stale client state,
/// a restored store) must be resynchronised, not silently starved of every event up to its
/// claimed number.
#[actix_web::test]
async fn resuming_after_a_sequence_number_the_server_never_issued_does_not_lose_events() {
    let server = server().await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;
    set_validated(&nso, ann_id, true).await;

    let mut ws = server.ws_token(&ann).await;
    let (answer, before) = resume(&mut ws, "r", Some(50)).await;
    let resynced = before.iter().any(|f| f["type"] == "resync");
    assert!(
        resynced || answer["data"]["last_seq"] == 1,
        "the server accepted a resume point it never issued: {answer} {before:?}"
    );
    set_validated(&nso, ann_id, false).await;
    let frames = ws.drain(QUIET).await;
    assert_eq!(seqs(&frames), [2], "event 2 was dropped: {frames:?}");
    hang_up(ws).await;
    server.stop().await;
}
