//! Live layer, end to end over real sockets: per-user events on every tab, resume after a
//! reconnect, resync past retention, the Origin/cookie handshake rules, group topics
//! (authorisation, presence, fan-out, membership ending), logout, and the registry's
//! bookkeeping after churn.

mod common;
mod live_support;

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use live_support::*;

#[actix_web::test]
async fn a_notification_reaches_every_tab_of_its_user_once_and_reading_clears_all_tabs() {
    let server = server().await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;
    let (bob, _) = person(&server, "bob@x.eu").await;

    let mut ann_tabs = [server.ws_token(&ann).await, server.ws_token(&ann).await];
    let mut bob_tabs = [server.ws_token(&bob).await, server.ws_token(&bob).await];
    for (i, tab) in ann_tabs.iter_mut().chain(bob_tabs.iter_mut()).enumerate() {
        let (answer, replayed) = resume(tab, &format!("r{i}"), None).await;
        assert_eq!(answer["data"]["last_seq"], 0, "{answer}");
        assert!(seqs(&replayed).is_empty());
    }
    assert_eq!(
        inspect(&server).await,
        (2, 0),
        "ann and bob online, no rooms"
    );

    set_validated(&nso, ann_id, true).await;
    for tab in &mut ann_tabs {
        let first = tab.recv_until(|f| f["type"] == "event").await;
        assert_eq!(first["event"]["seq"], 1, "{first}");
        assert_eq!(first["event"]["kind"], "notification");
        assert_eq!(first["event"]["unread"], 1);
        assert_eq!(first["event"]["notification"]["kind"], "validated");
        let rest = tab.drain(QUIET).await;
        assert!(seqs(&rest).is_empty(), "delivered more than once: {rest:?}");
    }
    for tab in &mut bob_tabs {
        let got = tab.drain(QUIET).await;
        assert!(seqs(&got).is_empty(), "bob got ann's event: {got:?}");
    }

    // Reading (from any tab or device) clears the count on every tab.
    let (s, body) = ann.post("/api/notifications/read-all", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["unread"], 0);
    for tab in &mut ann_tabs {
        let read = tab.recv_until(|f| f["type"] == "event").await;
        assert_eq!(read["event"]["seq"], 2, "{read}");
        assert_eq!(read["event"]["kind"], "notifications_read");
        assert_eq!(read["event"]["unread"], 0);
        assert_eq!(read["event"]["ids"].as_array().map(Vec::len), Some(1));
        let rest = tab.drain(QUIET).await;
        assert!(seqs(&rest).is_empty(), "{rest:?}");
    }
    for tab in &mut bob_tabs {
        assert!(seqs(&tab.drain(QUIET).await).is_empty());
    }
    // Nothing left to read publishes nothing.
    let (s, body) = ann.post("/api/notifications/read-all", json!({})).await;
    assert_eq!((s, body["unread"].as_u64()), (StatusCode::OK, Some(0)));
    assert!(seqs(&ann_tabs[0].drain(QUIET).await).is_empty());

    for tab in ann_tabs.into_iter().chain(bob_tabs) {
        hang_up(tab).await;
    }
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn events_wait_for_resume_and_then_arrive_exactly_once() {
    let server = server().await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;

    let mut tab = server.ws_token(&ann).await;
    set_validated(&nso, ann_id, true).await;
    let held = tab.drain(QUIET).await;
    assert!(seqs(&held).is_empty(), "pushed before resume: {held:?}");

    let (answer, replayed) = resume(&mut tab, "r", None).await;
    let rest = tab.drain(QUIET).await;
    let all: Vec<_> = replayed.into_iter().chain(rest).collect();
    assert_eq!(seqs(&all), [1], "{all:?}");
    assert_eq!(answer["data"]["last_seq"], 1, "{answer}");
    hang_up(tab).await;
    server.stop().await;
}

#[actix_web::test]
async fn a_reconnecting_tab_gets_exactly_what_it_missed_then_live_events_in_order() {
    let server = server().await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;

    let mut tab = server.ws_token(&ann).await;
    resume(&mut tab, "r", None).await;
    set_validated(&nso, ann_id, true).await;
    let first = tab.recv_until(|f| f["type"] == "event").await;
    let last_seen = first["event"]["seq"].as_u64().unwrap();
    assert_eq!(last_seen, 1);
    hang_up(tab).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0), "ann is offline");

    // Three notifications while offline.
    set_validated(&nso, ann_id, false).await;
    set_validated(&nso, ann_id, true).await;
    set_validated(&nso, ann_id, false).await;

    let mut tab = server.ws_token(&ann).await;
    let (answer, replayed) = resume(&mut tab, "r", Some(last_seen)).await;
    assert_eq!(seqs(&replayed), [2, 3, 4], "{replayed:?}");
    let kinds: Vec<_> = replayed
        .iter()
        .map(|f| f["event"]["notification"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["validation_withdrawn", "validated", "validation_withdrawn"]
    );
    assert_eq!(answer["data"]["replayed"], 3, "{answer}");
    assert_eq!(answer["data"]["last_seq"], 4, "{answer}");
    let dupes = tab.drain(QUIET).await;
    assert!(seqs(&dupes).is_empty(), "replayed twice: {dupes:?}");

    // Live again, in order, no repeats.
    set_validated(&nso, ann_id, true).await;
    let (s, _) = ann.post("/api/notifications/read-all", json!({})).await;
    assert!(s.is_success());
    let mut live = vec![tab.recv_until(|f| f["type"] == "event").await];
    live.extend(tab.drain(QUIET).await);
    assert_eq!(seqs(&live), [5, 6], "{live:?}");
    assert_eq!(live.last().unwrap()["event"]["kind"], "notifications_read");
    assert_eq!(live.last().unwrap()["event"]["unread"], 0);
    hang_up(tab).await;
    server.stop().await;
}

#[actix_web::test]
async fn resume_races_with_live_events_without_gaps_or_repeats() {
    let server = server().await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;
    notify_times(&nso, ann_id, 2).await;

    let mut tab = server.ws_token(&ann).await;
    // Events are committed while the resume is being answered.
    let producer = async {
        for i in 0..4 {
            set_validated(&nso, ann_id, i % 2 == 0).await; // validated, withdrawn, ...
        }
    };
    let ((answer, replayed), ()) = tokio::join!(resume(&mut tab, "r", Some(0)), producer);
    assert_eq!(answer["type"], "result");
    let mut all = replayed;
    all.extend(tab.drain(QUIET).await);
    let got = seqs(&all);
    // A resync is allowed by the protocol when a gap is seen; repeats and gaps are not.
    let resync = all.iter().find(|f| f["type"] == "resync");
    match resync {
        None => assert_eq!(got, (1..=6).collect::<Vec<u64>>(), "{all:?}"),
        Some(r) => {
            let mut sorted = got.clone();
            sorted.dedup();
            assert_eq!(sorted, got, "repeated events around a resync {r}: {all:?}");
        }
    }
    hang_up(tab).await;
    server.stop().await;
}

#[actix_web::test]
async fn resuming_from_before_the_kept_window_asks_for_a_resync() {
    let server = server_with(|c| c.live.events_kept_per_user = 2).await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;
    notify_times(&nso, ann_id, 5).await;

    let mut tab = server.ws_token(&ann).await;
    let (answer, before) = resume(&mut tab, "r0", Some(0)).await;
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0]["type"], "resync", "{before:?}");
    assert_eq!(before[0]["last_seq"], 5);
    assert_eq!(answer["data"]["last_seq"], 5, "{answer}");
    assert_eq!(answer["data"]["replayed"], 0, "{answer}");

    // Just inside the window: events; one further back: resync.
    let (_, inside) = resume(&mut tab, "r3", Some(3)).await;
    assert_eq!(seqs(&inside), [4, 5], "{inside:?}");
    let (_, outside) = resume(&mut tab, "r2", Some(2)).await;
    assert_eq!(outside.len(), 1, "{outside:?}");
    assert_eq!(outside[0]["type"], "resync");
    assert_eq!(outside[0]["last_seq"], 5);

    // After a resync the stream continues live from the resync point.
    set_validated(&nso, ann_id, false).await;
    let next = tab.recv_until(|f| f["type"] == "event").await;
    assert_eq!(next["event"]["seq"], 6, "{next}");
    hang_up(tab).await;
    server.stop().await;
}

#[actix_web::test]
async fn the_handshake_checks_the_origin_and_takes_the_cookie_only_from_accepted_origins() {
    let server = server().await;
    let browser = server.member("ann@x.eu", "FR").await;
    let ann_id = server.user_id("ann@x.eu").0;

    // The server's own address is `server.base` (a free port, not on the allow-list).
    let own = server.base.clone();
    let host = own.trim_start_matches("http://").to_string();
    let look_alike = format!("{own}.evil.example");
    for (evil, as_host) in [
        ("https://evil.example", None),
        // Other local applications: no origin is allowed by default.
        ("http://127.0.0.1:8080", None),
        ("http://localhost:8080", None),
        ("http://127.0.0.1:8080.evil.example", None),
        (look_alike.as_str(), None),
        ("null", None),
        ("null", Some("null")),
        // Named twinhub.example:8443 by the browser: other sites are still foreign.
        ("https://evil.example", Some("twinhub.example:8443")),
        ("https://twinhub.example", Some("twinhub.example:8443")),
        (
            "https://twinhub.example:8443.evil.example",
            Some("twinhub.example:8443"),
        ),
        (
            "https://evil.twinhub.example:8443",
            Some("twinhub.example:8443"),
        ),
        (own.as_str(), Some("twinhub.example:8443")),
    ] {
        let status = server
            .ws_refused_as(&browser, "/ws", Some(evil), as_host)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{evil} to {as_host:?}");
    }

    // Allowed or same origin + cookie: authenticated at the handshake, no auth frame. The
    // same origin is `http(s)://` + the Host header, ignoring case: a fresh install works at
    // any address and port without configuring origins.
    let localhost = host.replace("127.0.0.1", "LOCALHOST");
    let localhost_origin = format!("http://{}", localhost.to_lowercase());
    for (origin, as_host) in [
        (own.as_str(), None),
        (localhost_origin.as_str(), Some(localhost.as_str())),
        ("https://Twinhub.Example:8443", Some("twinhub.example:8443")),
        ("http://twinhub.example", Some("TWINHUB.example")),
    ] {
        let mut ws = server
            .ws_raw_as(&browser, Some(origin), as_host)
            .await
            .expect(origin);
        let welcome = ws.recv().await.expect("welcome");
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        assert_eq!(welcome["user"], ann_id);
        assert_eq!(welcome["last_seq"], 0);
        let pong = ws.call(json!({"type": "ping"})).await;
        assert_eq!(pong["type"], "result", "{pong}");
        // Already authenticated: a second authentication is refused.
        let again = ws.call(json!({"type": "auth", "token": "whatever"})).await;
        assert_eq!(again["code"], "conflict", "{again}");
        hang_up(ws).await;
    }

    // No Origin (not a browser): the cookie is ignored.
    let mut ws = server.ws_raw(&browser, None).await.expect("handshake");
    let nothing = ws.drain(QUIET).await;
    assert!(
        !nothing.iter().any(|f| f["type"] == "welcome"),
        "{nothing:?}"
    );
    let answer = ws
        .call(json!({"type": "subscribe", "topic": "group:1"}))
        .await;
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(answer["code"], "unauthenticated", "{answer}");
    let answer = ws.call(json!({"type": "resume"})).await;
    assert_eq!(answer["code"], "unauthenticated", "{answer}");
    hang_up(ws).await;

    // Same origin with a cookie that is no session: closed as a policy violation.
    let mut forged = server.client();
    forged.cookie = Some("not-a-session".into());
    let mut ws = server
        .ws_raw(&forged, Some(own.as_str()))
        .await
        .expect("handshake");
    assert_eq!(ws.closed().await, Some(1008));

    // A bad token in an auth frame is an error answer, and a good one still works after.
    let (api, _) = person(&server, "bob@x.eu").await;
    let mut ws = server.ws_raw(&api, None).await.expect("handshake");
    let bad = ws.call(json!({"type": "auth", "token": "nope"})).await;
    assert_eq!(bad["code"], "unauthenticated", "{bad}");
    let good = ws
        .call(json!({"type": "auth", "token": api.bearer.clone().unwrap()}))
        .await;
    assert_eq!(good["type"], "result", "{good}");
    hang_up(ws).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn only_members_listen_to_a_group_and_leaving_stops_its_messages_at_once() {
    let server = server().await;
    let (owner, owner_id) = person(&server, "owner@x.eu").await;
    let (bob, bob_id) = person(&server, "bob@x.eu").await;
    let group = create_group(&server, "owner@x.eu", &owner, "Climate").await;

    let mut bob_ws = server.ws_token(&bob).await;
    for (id, topic, code) in [
        ("s1", topic(group), "forbidden"),
        ("s2", "group:999999".to_string(), "not_found"),
        ("s3", "twinspace:1".to_string(), "not_found"),
    ] {
        let (answer, _) = exchange(
            &mut bob_ws,
            id,
            json!({"type": "subscribe", "topic": topic}),
        )
        .await;
        assert_eq!(answer["type"], "error", "{topic}: {answer}");
        assert_eq!(answer["code"], code, "{topic}: {answer}");
    }
    let (answer, _) = exchange(
        &mut bob_ws,
        "s4",
        json!({"type": "subscribe", "topic": "room:1"}),
    )
    .await;
    assert_eq!(answer["code"], "bad_request", "{answer}");
    let (answer, _) = exchange(
        &mut bob_ws,
        "ty0",
        json!({"type": "typing", "topic": topic(group)}),
    )
    .await;
    assert_eq!(
        answer["code"], "forbidden",
        "typing needs a subscription: {answer}"
    );
    assert_eq!(
        inspect(&server).await,
        (1, 0),
        "refused subscriptions leave no room"
    );

    let mut owner_ws = server.ws_token(&owner).await;
    let snapshot = subscribe(&mut owner_ws, "s", group).await;
    assert_eq!(snapshot["event"]["online"], json!([owner_id]), "{snapshot}");

    join_group(&bob, group).await;
    let snapshot = subscribe(&mut bob_ws, "s5", group).await;
    assert_eq!(snapshot["topic"], topic(group));
    let mut want = vec![owner_id, bob_id];
    want.sort();
    assert_eq!(snapshot["event"]["online"], json!(want), "{snapshot}");
    let came = owner_ws
        .recv_until(|f| f["type"] == "topic" && f["event"]["kind"] == "presence_changed")
        .await;
    assert_eq!(came["event"]["user"], bob_id);
    assert_eq!(came["event"]["online"], true);
    assert_eq!(inspect(&server).await, (2, 1));

    // Bob leaves the group over HTTP: his socket is told at once.
    let (s, body) = bob
        .send(
            Method::DELETE,
            &format!("/api/groups/{group}/members/me"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    let gone = bob_ws.recv_until(|f| f["type"] == "unsubscribed").await;
    assert_eq!(gone["topic"], topic(group), "{gone}");
    assert_eq!(gone["reason"], "membership_ended", "{gone}");
    let left = owner_ws
        .recv_until(|f| f["type"] == "topic" && f["event"]["kind"] == "presence_changed")
        .await;
    assert_eq!(left["event"]["user"], bob_id);
    assert_eq!(left["event"]["online"], false);

    let (answer, mut heard) = exchange(
        &mut owner_ws,
        "m1",
        json!({"type": "send", "topic": topic(group), "text": "after bob left"}),
    )
    .await;
    assert_eq!(answer["type"], "result", "{answer}");
    // The message event may overtake the answer.
    heard.extend(owner_ws.drain(QUIET).await);
    assert_eq!(topic_events(&heard, "message").len(), 1, "{heard:?}");
    let after = bob_ws.drain(QUIET).await;
    assert!(
        !after.iter().any(|f| f["type"] == "topic"),
        "a former member still hears the group: {after:?}"
    );
    // And he cannot listen again or type there.
    let (answer, _) = exchange(
        &mut bob_ws,
        "s6",
        json!({"type": "subscribe", "topic": topic(group)}),
    )
    .await;
    assert_eq!(answer["code"], "forbidden", "{answer}");
    let (answer, _) = exchange(
        &mut bob_ws,
        "ty1",
        json!({"type": "typing", "topic": topic(group)}),
    )
    .await;
    assert_eq!(answer["code"], "forbidden", "{answer}");
    assert_eq!(inspect(&server).await, (2, 1));

    hang_up(bob_ws).await;
    hang_up(owner_ws).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn a_group_message_reaches_every_listening_member_once_and_typing_reaches_the_others() {
    let server = server().await;
    let (owner, owner_id) = person(&server, "owner@x.eu").await;
    let (bob, bob_id) = person(&server, "bob@x.eu").await;
    let (cleo, _) = person(&server, "cleo@x.eu").await;
    let group = create_group(&server, "owner@x.eu", &owner, "Climate").await;
    join_group(&bob, group).await;
    join_group(&cleo, group).await;

    let mut sockets = Vec::new();
    for (i, c) in [&owner, &bob, &cleo].into_iter().enumerate() {
        let mut ws = server.ws_token(c).await;
        subscribe(&mut ws, &format!("s{i}"), group).await;
        sockets.push(ws);
    }
    for ws in &mut sockets {
        ws.drain(QUIET).await; // presence changes
    }
    assert_eq!(inspect(&server).await, (3, 1));

    let (answer, before) = exchange(
        &mut sockets[0],
        "hello-1",
        json!({"type": "send", "topic": topic(group), "text": "hello all"}),
    )
    .await;
    assert_eq!(answer["type"], "result", "{answer}");
    let message = answer["data"]["message"].clone();
    assert_eq!(message["text"], "hello all");
    assert_eq!(message["author"], owner_id);
    assert_eq!(message["group"], group);
    assert_eq!(message["client_id"], "hello-1");
    for (i, ws) in sockets.iter_mut().enumerate() {
        let mut frames = if i == 0 { before.clone() } else { Vec::new() };
        frames.extend(ws.drain(QUIET).await);
        let got = topic_events(&frames, "message");
        assert_eq!(got.len(), 1, "socket {i}: {frames:?}");
        assert_eq!(got[0]["topic"], topic(group));
        assert_eq!(got[0]["event"]["message"], message, "socket {i}");
    }

    let (answer, _) = exchange(
        &mut sockets[1],
        "ty-1",
        json!({"type": "typing", "topic": topic(group)}),
    )
    .await;
    assert_eq!(answer["type"], "result", "{answer}");
    for i in [0, 2] {
        let frames = sockets[i].drain(QUIET).await;
        let typing = topic_events(&frames, "typing");
        assert_eq!(typing.len(), 1, "socket {i}: {frames:?}");
        assert_eq!(typing[0]["event"]["user"], bob_id);
    }

    // HTTP posts fan out the same way.
    let (s, body) = cleo
        .post(
            &format!("/api/groups/{group}/messages"),
            json!({"client_id": "web-1", "text": "from the web"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    for (i, ws) in sockets.iter_mut().enumerate() {
        let frames = ws.drain(QUIET).await;
        let got = topic_events(&frames, "message");
        assert_eq!(got.len(), 1, "socket {i}: {frames:?}");
        assert_eq!(got[0]["event"]["message"]["id"], body["id"]);
    }
    assert_eq!(group_messages(&owner, group).await.len(), 2);

    // Messages only go to groups.
    let (answer, _) = exchange(
        &mut sockets[0],
        "ts",
        json!({"type": "send", "topic": "twinspace:1", "text": "x"}),
    )
    .await;
    assert_eq!(answer["type"], "error", "{answer}");

    for ws in sockets {
        hang_up(ws).await;
    }
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn a_repeated_send_id_posts_once_and_gets_the_first_answer_again() {
    let server = server().await;
    let (owner, _) = person(&server, "owner@x.eu").await;
    let (bob, _) = person(&server, "bob@x.eu").await;
    let group = create_group(&server, "owner@x.eu", &owner, "Climate").await;
    join_group(&bob, group).await;
    let mut listener = server.ws_token(&bob).await;
    subscribe(&mut listener, "s", group).await;
    let mut ws = server.ws_token(&owner).await;
    subscribe(&mut ws, "s", group).await;
    listener.drain(QUIET).await;

    let frame = json!({"type": "send", "topic": topic(group), "text": "only once"});
    let (first, _) = exchange(&mut ws, "dup-1", frame.clone()).await;
    assert_eq!(first["type"], "result", "{first}");
    let (second, _) = exchange(&mut ws, "dup-1", frame.clone()).await;
    assert_eq!(second, first, "a repeated id gets the first answer");
    // The same client id sent on a new socket (a reconnect) still posts nothing new.
    let mut ws2 = server.ws_token(&owner).await;
    let (third, _) = exchange(&mut ws2, "dup-1", frame.clone()).await;
    assert_eq!(third["type"], "result", "{third}");
    assert_eq!(third["data"]["message"], first["data"]["message"]);

    // Two identical frames sent back to back: every answer is the same, one message.
    ws.send(json!({"v": 1, "id": "dup-2", "type": "send", "topic": topic(group), "text": "twice"}))
        .await;
    ws.send(json!({"v": 1, "id": "dup-2", "type": "send", "topic": topic(group), "text": "twice"}))
        .await;
    let frames = ws.drain(QUIET).await;
    let answers: Vec<_> = frames.iter().filter(|f| f["id"] == "dup-2").collect();
    assert!(!answers.is_empty(), "{frames:?}");
    assert!(
        answers
            .iter()
            .all(|a| a["type"] == "result" && *a == answers[0]),
        "{answers:?}"
    );

    let heard = listener.drain(QUIET).await;
    let texts: Vec<_> = topic_events(&heard, "message")
        .iter()
        .map(|f| f["event"]["message"]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, ["only once", "twice"], "{heard:?}");
    let stored = group_messages(&owner, group).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(
        stored.iter().filter(|m| m["client_id"] == "dup-1").count(),
        1
    );

    for w in [ws, ws2, listener] {
        hang_up(w).await;
    }
    server.stop().await;
}

#[actix_web::test]
async fn logout_closes_that_sessions_sockets_only() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let other_session = ann.login_token("ann@x.eu", common::PASSWORD).await;
    let mut ws = server.ws_token(&ann).await;
    let mut ws_same = server.ws_token(&ann).await;
    let mut ws_other = server.ws_token(&other_session).await;

    let (s, _) = ann.post("/api/auth/logout", json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(ws.closed().await, Some(1008));
    assert_eq!(ws_same.closed().await, Some(1008));
    let pong = ws_other.call(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "result", "another session stays: {pong}");

    // The ended token no longer authenticates a socket.
    let mut again = server.ws_raw(&ann, None).await.expect("handshake");
    let answer = again
        .call(json!({"type": "auth", "token": ann.bearer.clone().unwrap()}))
        .await;
    assert_eq!(answer["code"], "unauthenticated", "{answer}");

    // A browser session: logging out with the cookie closes its socket too.
    let browser = server.member("bob@x.eu", "FR").await;
    let mut tab = server
        .ws_raw(&browser, Some(server.base.as_str()))
        .await
        .expect("handshake");
    assert_eq!(tab.recv().await.expect("welcome")["type"], "welcome");
    let (s, _) = browser.post("/api/auth/logout", json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(tab.closed().await, Some(1008));

    hang_up(again).await;
    hang_up(ws_other).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

#[actix_web::test]
async fn the_registry_stays_consistent_through_churn_and_empties_when_all_sockets_close() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let (bob, _) = person(&server, "bob@x.eu").await;
    let (cleo, _) = person(&server, "cleo@x.eu").await;
    let g1 = create_group(&server, "ann@x.eu", &ann, "One").await;
    let g2 = create_group(&server, "cleo@x.eu", &cleo, "Two").await;
    join_group(&bob, g1).await;

    let mut ann1 = server.ws_token(&ann).await;
    let mut ann2 = server.ws_token(&ann).await;
    let mut bob1 = server.ws_token(&bob).await;
    let mut cleo1 = server.ws_token(&cleo).await;
    subscribe(&mut ann1, "a", g1).await;
    subscribe(&mut ann2, "a", g1).await;
    subscribe(&mut bob1, "b", g1).await;
    subscribe(&mut cleo1, "c", g2).await;
    // Subscribing twice is one subscription.
    let (again, _) = exchange(
        &mut cleo1,
        "c2",
        json!({"type": "subscribe", "topic": topic(g2)}),
    )
    .await;
    assert_eq!(again["type"], "result", "{again}");
    assert_eq!(inspect(&server).await, (3, 2));

    // Bob's membership ends: g1 keeps ann's sockets.
    let (s, _) = bob
        .send(
            Method::DELETE,
            &format!("/api/groups/{g1}/members/me"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    bob1.recv_until(|f| f["type"] == "unsubscribed").await;
    assert_eq!(inspect(&server).await, (3, 2));

    // Ann's first tab unsubscribes, the second closes: g1 has nobody left.
    let (answer, _) = exchange(
        &mut ann1,
        "u",
        json!({"type": "unsubscribe", "topic": topic(g1)}),
    )
    .await;
    assert_eq!(answer["type"], "result", "{answer}");
    hang_up(ann2).await;
    assert_eq!(settle(&server, (3, 1)).await, (3, 1));

    // Cleo's socket dies without a close frame (network gone).
    drop(cleo1);
    assert_eq!(settle(&server, (2, 0)).await, (2, 0));

    // Unauthenticated sockets never count.
    let stranger = server
        .ws_raw(&server.client(), None)
        .await
        .expect("handshake");
    assert_eq!(inspect(&server).await, (2, 0));

    hang_up(ann1).await;
    hang_up(bob1).await;
    hang_up(stranger).await;
    assert_eq!(settle(&server, (0, 0)).await, (0, 0));
    server.stop().await;
}

/// `live.max_sockets` bounds the sockets held: one more handshake gets 503 `unavailable`,
/// and the place comes back when a socket closes. A plain GET (no upgrade) gets 400, and an
/// upgrade anywhere but /ws gets 404.
#[actix_web::test]
async fn sockets_over_max_sockets_are_refused_until_one_closes() {
    let server = server_with(|c| c.live.max_sockets = 1).await;
    let member = server.member("ann@x.eu", "FR").await;
    let first = server.ws_raw(&member, None).await.expect("first socket");
    let over = server.ws_refused(&member, "/ws", None).await;
    assert_eq!(over, StatusCode::SERVICE_UNAVAILABLE);
    drop(first);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match server.ws_raw(&member, None).await {
            Ok(_) => break,
            Err(e) if std::time::Instant::now() > deadline => {
                panic!("no socket after the first closed: {e}")
            }
            Err(_) => actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }

    let (status, _, body) = member.send_raw(Method::GET, "/ws", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("bad_request"));
    let elsewhere = server.ws_refused(&member, "/api/me", None).await;
    assert_eq!(elsewhere, StatusCode::NOT_FOUND);
    server.stop().await;
}

/// An upgrade request that is not a valid WebSocket handshake (here: no key, no version)
/// gets 400 in the usual error shape, and the connection is closed.
#[actix_web::test]
async fn a_broken_websocket_handshake_gets_400_in_the_error_shape() {
    use std::io::{Read, Write};
    let server = server().await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut tcp = std::net::TcpStream::connect(addr).unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        tcp.write_all(
            b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        )
        .unwrap();
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).expect("the server closes the connection");
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains(r#""code":"bad_request""#), "{answer}");
    server.stop().await;
}

/// The periodic session re-check (which rides the heartbeat, every 15 s at the earliest)
/// closes a socket whose session has expired with 1008, with no logout to tell it.
#[actix_web::test]
async fn a_socket_whose_session_expires_is_closed_by_the_recheck() {
    use futures_util::StreamExt;
    let server = server_with(|c| {
        c.auth.session_idle_secs = 3;
        c.auth.session_absolute_secs = 3;
        c.live.session_recheck_secs = 1;
    })
    .await;
    let anon = server.client();
    anon.register("ann@x.eu", "FR").await;
    let ann = anon.login_token("ann@x.eu", common::PASSWORD).await;
    let mut ws = server.ws_token(&ann).await;
    let started = std::time::Instant::now();
    let code = loop {
        let next = tokio::time::timeout(std::time::Duration::from_secs(25), ws.framed.next())
            .await
            .expect("the socket was not closed within 25 s");
        match next {
            Some(Ok(awc::ws::Frame::Close(reason))) => break reason.map(|r| u16::from(r.code)),
            Some(Ok(_)) => continue,
            other => panic!("the socket ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(code, Some(1008));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(3),
        "closed before the session could expire"
    );
    server.stop().await;
}

#[actix_web::test]
async fn the_unread_count_carries_the_seq_of_the_last_event_it_includes() {
    let server = server().await;
    let nso = nso_officer(&server).await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;
    let unread = || async { ann.get("/api/notifications/unread").await };

    let mut tab = server.ws_token(&ann).await;
    let (answer, _) = resume(&mut tab, "r1", None).await;
    assert_eq!(answer["data"]["last_seq"], 0);
    assert_eq!(unread().await.1, json!({"unread": 0, "seq": 0}));

    // Each count is stamped with the seq of the event that produced it, as the socket saw it.
    set_validated(&nso, ann_id, true).await;
    set_validated(&nso, ann_id, false).await;
    let mut last = json!(null);
    for want in [1, 2] {
        let e = tab.recv_until(|f| f["type"] == "event").await;
        assert_eq!(e["event"]["seq"], want, "{e}");
        last = e["event"].clone();
    }
    let (s, count) = unread().await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(count["seq"], last["seq"], "{count} vs {last}");
    assert_eq!(count["unread"], last["unread"]);
    assert_eq!(count, json!({"unread": 2, "seq": 2}));

    // Marking read answers the seq of the event it appended, which every tab then gets.
    let (_, page) = ann.get("/api/notifications").await;
    let newest = page["items"][0]["id"].clone();
    let (s, count) = ann
        .post("/api/notifications/read", json!({"ids": [newest]}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(count, json!({"unread": 1, "seq": 3}));
    let e = tab.recv_until(|f| f["type"] == "event").await;
    assert_eq!(
        (
            e["event"]["kind"].clone(),
            e["event"]["seq"].clone(),
            e["event"]["unread"].clone()
        ),
        (
            json!("notifications_read"),
            count["seq"].clone(),
            count["unread"].clone()
        ),
        "{e}"
    );
    let (_, count) = ann.post("/api/notifications/read-all", json!({})).await;
    assert_eq!(count, json!({"unread": 0, "seq": 4}));
    let e = tab.recv_until(|f| f["type"] == "event").await;
    assert_eq!(e["event"]["seq"], 4, "{e}");

    // Nothing to mark: no event, and the answer carries the current last seq.
    let (_, count) = ann.post("/api/notifications/read-all", json!({})).await;
    assert_eq!(count, json!({"unread": 0, "seq": 4}));
    let (_, count) = ann
        .post("/api/notifications/read", json!({"ids": [newest, 987654]}))
        .await;
    assert_eq!(count, json!({"unread": 0, "seq": 4}));
    assert!(seqs(&tab.drain(QUIET).await).is_empty());
    assert_eq!(unread().await.1, json!({"unread": 0, "seq": 4}));

    // A new socket's welcome agrees with the count's seq.
    let mut other = server.ws_token(&ann).await;
    let (answer, _) = resume(&mut other, "r2", None).await;
    assert_eq!(answer["data"]["last_seq"], 4, "{answer}");
    hang_up(tab).await;
    hang_up(other).await;
    server.stop().await;
}
