//! Group chat over real WebSockets against the real server: several members chatting, edits
//! and deletions seen live, mentions notified, a member who was away catching up without
//! loss or duplication, and a removed member cut off at once.

mod common;
mod live_support;

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::ws::Ws;
use live_support::*;

/// Sends a chat frame and returns its answer (and the frames that came before it).
async fn chat(ws: &mut Ws, id: &str, frame: Value) -> (Value, Vec<Value>) {
    let (answer, before) = exchange(ws, id, frame).await;
    (answer, before)
}

fn send_frame(group: u64, text: &str) -> Value {
    json!({"type": "send", "topic": topic(group), "text": text})
}

/// Waits for the next topic event of `kind` on `ws`.
async fn next_event(ws: &mut Ws, kind: &str) -> Value {
    ws.recv_until(|f| f["type"] == "topic" && f["event"]["kind"] == kind)
        .await
}

#[actix_web::test]
async fn members_chat_live_with_edits_deletions_typing_and_mentions() {
    let server = server().await;
    let (ann, ann_id) = person(&server, "ann@x.eu").await;
    let (bob, bob_id) = person(&server, "bob@x.eu").await;
    let (cleo, _) = person(&server, "cleo@x.eu").await;
    let group = create_group(&server, "ann@x.eu", &ann, "Weather").await;
    join_group(&bob, group).await;
    join_group(&cleo, group).await;
    let mut sockets = Vec::new();
    for (i, c) in [&ann, &bob, &cleo].into_iter().enumerate() {
        let mut ws = server.ws_token(c).await;
        resume(&mut ws, &format!("r{i}"), None).await;
        subscribe(&mut ws, &format!("s{i}"), group).await;
        sockets.push(ws);
    }

    let [ann_ws, bob_ws, cleo_ws] = &mut sockets[..] else {
        unreachable!()
    };
    // Bob types; the others see it.
    let (answer, _) = chat(
        bob_ws,
        "ty-1",
        json!({"type": "typing", "topic": topic(group)}),
    )
    .await;
    assert_eq!(answer["type"], "result", "{answer}");
    for ws in [&mut *ann_ws, &mut *cleo_ws] {
        assert_eq!(next_event(ws, "typing").await["event"]["user"], bob_id);
    }

    // Ann sends, mentioning Bob: every member's socket gets the message once, Bob a
    // notification event.
    let mut frame = send_frame(group, "@Bob the rain gauge is ready");
    frame["mentions"] = json!([bob_id]);
    let (answer, _) = chat(ann_ws, "m-1", frame.clone()).await;
    assert_eq!(answer["type"], "result", "{answer}");
    let message = answer["data"]["message"].clone();
    assert_eq!(message["author"], ann_id);
    assert_eq!(message["mentions"], json!([bob_id]));
    // Bob gets both, the notification (a stored user event) and the message (a topic event).
    let mut got = (None, None);
    while got.0.is_none() || got.1.is_none() {
        let f = bob_ws.recv().await.expect("bob's frames");
        if f["type"] == "event" {
            got.0 = Some(f);
        } else if f["type"] == "topic" && f["event"]["kind"] == "message" {
            got.1 = Some(f);
        }
    }
    let (note, got) = (got.0.unwrap(), got.1.unwrap());
    assert_eq!(got["event"]["message"], message);
    assert_eq!(
        note["event"]["notification"]["kind"], "group_mention",
        "{note}"
    );
    assert_eq!(
        next_event(cleo_ws, "message").await["event"]["message"],
        message
    );
    let (again, _) = chat(ann_ws, "m-1b", json!({})).await;
    assert_eq!(again["type"], "error", "an empty frame is refused: {again}");
    // The same id again (a retry after a lost answer) returns the same message, sent once.
    let (retry, _) = chat(ann_ws, "m-1", frame).await;
    assert_eq!(retry["data"]["message"]["id"], message["id"], "{retry}");

    // Ann edits, then Cleo may not delete Ann's message, but Ann (an administrator) deletes
    // Cleo's; everyone sees each change live.
    let id = message["id"].as_u64().unwrap();
    let edit = json!({"type": "edit", "topic": topic(group), "message": id, "text": "The rain gauge is ready"});
    let (answer, _) = chat(ann_ws, "e-1", edit).await;
    assert_eq!(
        answer["data"]["message"]["text"], "The rain gauge is ready",
        "{answer}"
    );
    for ws in [&mut *bob_ws, &mut *cleo_ws] {
        let upd = next_event(ws, "message_updated").await;
        assert_eq!(upd["event"]["message"]["text"], "The rain gauge is ready");
        assert!(upd["event"]["message"]["edited_at"].is_string());
    }
    let (answer, _) = chat(cleo_ws, "c-1", send_frame(group, "off topic")).await;
    let cleo_msg = answer["data"]["message"]["id"].as_u64().unwrap();
    let del = |m: u64| json!({"type": "delete", "topic": topic(group), "message": m});
    let (refused, _) = chat(cleo_ws, "d-0", del(id)).await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let (answer, _) = chat(ann_ws, "d-1", del(cleo_msg)).await;
    assert_eq!(answer["data"]["message"]["deleted"], true, "{answer}");
    for ws in [&mut *bob_ws, &mut *cleo_ws] {
        let upd = next_event(ws, "message_updated").await;
        assert_eq!(upd["event"]["message"]["id"], cleo_msg);
        assert_eq!(upd["event"]["message"]["deleted"], true);
        assert_eq!(upd["event"]["message"]["text"], "");
    }
    // Bob may not edit Ann's message.
    let edit = json!({"type": "edit", "topic": topic(group), "message": id, "text": "mine"});
    let (refused, _) = chat(bob_ws, "e-2", edit).await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    server.stop().await;
}

#[actix_web::test]
async fn a_member_who_was_away_catches_up_without_loss_or_duplication() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let (bob, _) = person(&server, "bob@x.eu").await;
    let group = create_group(&server, "ann@x.eu", &ann, "Weather").await;
    join_group(&bob, group).await;
    let mut ann_ws = server.ws_token(&ann).await;
    subscribe(&mut ann_ws, "s", group).await;
    let mut bob_ws = server.ws_token(&bob).await;
    subscribe(&mut bob_ws, "s", group).await;

    // Bob's view: message id → (rev, text, deleted), from live events and catch-ups alike.
    let mut view: BTreeMap<u64, (u64, String, bool)> = BTreeMap::new();
    let mut apply = |m: &Value| {
        let id = m["id"].as_u64().unwrap();
        let rev = m["rev"].as_u64().unwrap();
        let entry = (
            rev,
            m["text"].as_str().unwrap().to_string(),
            m["deleted"] == true,
        );
        // A newer revision replaces, an older or equal one (a duplicate) is ignored.
        if view.get(&id).is_none_or(|(r, _, _)| *r < rev) {
            view.insert(id, entry);
        }
    };
    let (first, _) = chat(&mut ann_ws, "a1", send_frame(group, "one")).await;
    let first = first["data"]["message"].clone();
    let got = next_event(&mut bob_ws, "message").await;
    apply(&got["event"]["message"]);
    let last_rev = got["event"]["message"]["rev"].as_u64().unwrap();

    // Bob's connection drops; meanwhile Ann sends two, edits the first and deletes one.
    hang_up(bob_ws).await;
    let (second, _) = chat(&mut ann_ws, "a2", send_frame(group, "two")).await;
    chat(&mut ann_ws, "a3", send_frame(group, "three")).await;
    let first_id = first["id"].as_u64().unwrap();
    let edit =
        json!({"type": "edit", "topic": topic(group), "message": first_id, "text": "one (edited)"});
    chat(&mut ann_ws, "a4", edit).await;
    let second_id = second["data"]["message"]["id"].as_u64().unwrap();
    chat(
        &mut ann_ws,
        "a5",
        json!({"type": "delete", "topic": topic(group), "message": second_id}),
    )
    .await;

    // Bob comes back: subscribes first (so nothing after this point is missed), then asks
    // for what changed after the last revision he saw. A message sent in between may come
    // both ways: it counts once.
    let mut bob_ws = server.ws_token(&bob).await;
    subscribe(&mut bob_ws, "s2", group).await;
    let (racing, _) = chat(&mut ann_ws, "a6", send_frame(group, "four")).await;
    let (s, changes) = bob
        .get(&format!("/api/groups/{group}/changes?after_rev={last_rev}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{changes}");
    for m in changes["items"].as_array().unwrap() {
        apply(m);
    }
    let live = next_event(&mut bob_ws, "message").await;
    assert_eq!(
        live["event"]["message"]["id"],
        racing["data"]["message"]["id"]
    );
    apply(&live["event"]["message"]);

    let texts: Vec<(String, bool)> = view.values().map(|(_, t, d)| (t.clone(), *d)).collect();
    let want: Vec<(String, bool)> = [
        ("one (edited)", false),
        ("", true),
        ("three", false),
        ("four", false),
    ]
    .iter()
    .map(|(t, d)| (t.to_string(), *d))
    .collect();
    assert_eq!(texts, want);
    // The history over HTTP agrees, newest first.
    let history: Vec<String> = group_messages(&bob, group)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(history, ["four", "three", "", "one (edited)"]);
    server.stop().await;
}

#[actix_web::test]
async fn a_removed_member_is_cut_off_at_once_and_cannot_post() {
    let server = server().await;
    let (ann, _) = person(&server, "ann@x.eu").await;
    let (bob, bob_id) = person(&server, "bob@x.eu").await;
    let group = create_group(&server, "ann@x.eu", &ann, "Weather").await;
    join_group(&bob, group).await;
    let mut ann_ws = server.ws_token(&ann).await;
    subscribe(&mut ann_ws, "s", group).await;
    // Bob listens from two tabs.
    let mut tabs = Vec::new();
    for i in 0..2 {
        let mut ws = server.ws_token(&bob).await;
        subscribe(&mut ws, &format!("s{i}"), group).await;
        tabs.push(ws);
    }
    let (s, _) = ann
        .send(
            Method::DELETE,
            &format!("/api/groups/{group}/members/{bob_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for ws in &mut tabs {
        let gone = ws.recv_until(|f| f["type"] == "unsubscribed").await;
        assert_eq!(gone["topic"], topic(group));
        assert_eq!(gone["reason"], "membership_ended");
    }
    let changed = next_event(&mut ann_ws, "member_changed").await;
    assert_eq!(
        changed["event"],
        json!({"kind": "member_changed", "user": bob_id, "change": "removed"})
    );
    // Nothing said afterwards reaches Bob's tabs.
    chat(&mut ann_ws, "a1", send_frame(group, "after Bob left")).await;
    for ws in &mut tabs {
        let later = ws.drain(QUIET).await;
        assert!(
            topic_events(&later, "message").is_empty(),
            "a removed member still hears the group: {later:?}"
        );
    }
    // His sends, typing and new subscriptions are refused.
    let tab = &mut tabs[0];
    let (refused, _) = chat(tab, "b1", send_frame(group, "still here?")).await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let (refused, _) = chat(tab, "b2", json!({"type": "typing", "topic": topic(group)})).await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let (refused, _) = chat(
        tab,
        "b3",
        json!({"type": "subscribe", "topic": topic(group)}),
    )
    .await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    server.stop().await;
}
