//! Groups over HTTP against the real server (sled store, tantivy index): the Code of
//! Conduct, each join policy and its refusals, administrators, invitations, removal, the
//! chat's history pages and catch-up list, unread counts, limits, and what an
//! invitation-only group keeps from others (its members, its chat, search snippets).

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::{assert_error, Client, TestServer};

const VERSION: u32 = twinhub::domain::code_of_conduct::VERSION;

fn group_body(title: &str, policy: &str) -> Value {
    json!({
        "title": title,
        "description": "Experiments with the weather",
        "subjects": ["biology", "geography"],
        "languages": ["en", "fr"],
        "policy": policy,
        "accept_code_of_conduct": VERSION,
    })
}

/// A validated eTwinner (directly in the store: validation has its own tests).
async fn etwinner(server: &TestServer, email: &str) -> Client {
    let c = server.member(email, "FR").await;
    server.make_etwinner(email);
    c
}

async fn create(owner: &Client, title: &str, policy: &str) -> u64 {
    let (s, body) = owner.post("/api/groups", group_body(title, policy)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["id"].as_u64().unwrap()
}

async fn join(c: &Client, g: u64) -> (StatusCode, Value) {
    c.post(&format!("/api/groups/{g}/members"), json!({})).await
}

async fn say(c: &Client, g: u64, client_id: &str, text: &str) -> Value {
    let (s, body) = c
        .post(
            &format!("/api/groups/{g}/messages"),
            json!({"client_id": client_id, "text": text}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body
}

async fn delete(c: &Client, path: &str) -> (StatusCode, Value) {
    c.send(Method::DELETE, path, None).await
}

#[actix_web::test]
async fn creating_takes_an_etwinner_and_the_current_code_of_conduct() {
    let server = common::start().await;
    let teacher = server.member("teacher@x.eu", "FR").await;
    let (s, coc) = teacher.get("/api/groups/code-of-conduct?lang=pl").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (coc["version"].as_u64(), coc["lang"].as_str()),
        (Some(VERSION as u64), Some("pl"))
    );
    assert!(coc["points"].as_array().unwrap().len() >= 5, "{coc}");
    let got = teacher
        .post("/api/groups", group_body("Weather", "all"))
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");

    let ann = etwinner(&server, "ann@x.eu").await;
    let mut no_coc = group_body("Weather", "all");
    no_coc
        .as_object_mut()
        .unwrap()
        .remove("accept_code_of_conduct");
    let mut old_coc = group_body("Weather", "all");
    old_coc["accept_code_of_conduct"] = json!(VERSION - 1);
    let mut bad_subject = group_body("Weather", "all");
    bad_subject["subjects"] = json!(["alchemy"]);
    let mut bad_policy = group_body("Weather", "all");
    bad_policy["policy"] = json!("friends");
    for (body, code) in [
        (no_coc, "validation_failed"),
        (old_coc, "validation_failed"),
        (bad_subject, "validation_failed"),
        (group_body(&"x".repeat(121), "all"), "validation_failed"),
        (bad_policy, "bad_request"),
    ] {
        let got = ann.post("/api/groups", body.clone()).await;
        assert_eq!(got.1["error"]["code"], code, "{body}: {}", got.1);
    }
    let (s, g) = ann
        .post("/api/groups", group_body("Weather", "etwinners"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!(g["policy"], "etwinners");
    assert_eq!(g["member_count"], 1);
    assert_eq!(
        g["me"],
        json!({"member": true, "admin": true, "invited": false, "may_join": false, "refusal": null})
    );
    let (_, mine) = ann.get("/api/me/groups").await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["admin"], true);
    server.stop().await;
}

#[actix_web::test]
async fn each_policy_admits_whom_it_says_and_refuses_the_others_clearly() {
    let server = common::start().await;
    let ann = etwinner(&server, "ann@x.eu").await;
    let eve = etwinner(&server, "eve@x.eu").await;
    let bob = server.member("bob@x.eu", "FR").await; // registered, not validated
    let open = create(&ann, "Open", "all").await;
    let etw = create(&ann, "eTwinners", "etwinners").await;
    let inv = create(&ann, "Invited", "invited").await;

    let (s, g) = join(&bob, open).await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(
        (g["me"]["member"].as_bool(), g["member_count"].as_u64()),
        (Some(true), Some(2))
    );

    let (_, about) = bob.get(&format!("/api/groups/{etw}")).await;
    assert_eq!(about["me"]["refusal"], "etwinners_only", "{about}");
    let got = join(&bob, etw).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    assert!(got.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("eTwinners only"));
    assert_eq!(join(&eve, etw).await.0, StatusCode::OK);

    let (_, about) = eve.get(&format!("/api/groups/{inv}")).await;
    assert_eq!(about["me"]["refusal"], "invitation_only", "{about}");
    let got = join(&eve, inv).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    assert!(got.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("invited"));
    // Only administrators invite.
    let eve_id = eve.my_id().await;
    let got = bob
        .post(
            &format!("/api/groups/{inv}/invitations"),
            json!({"user": eve_id}),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let (s, _) = ann
        .post(
            &format!("/api/groups/{inv}/invitations"),
            json!({"user": eve_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, waiting) = eve.get("/api/me/group-invitations").await;
    assert_eq!(waiting[0]["group"]["id"], inv, "{waiting}");
    let (_, listed) = ann.get(&format!("/api/groups/{inv}/invitations")).await;
    assert_eq!(listed[0]["user"], eve_id, "{listed}");
    let (_, notes) = eve.get("/api/notifications").await;
    assert_eq!(notes["items"][0]["kind"], "group_invited", "{notes}");
    assert_eq!(notes["items"][0]["params"]["group"], inv);
    let (s, g) = join(&eve, inv).await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let (_, waiting) = eve.get("/api/me/group-invitations").await;
    assert_eq!(waiting, json!([]), "the invitation is used up");
    // An invitation does not open an eTwinners-only group to a member who is not one.
    let bob_id = bob.my_id().await;
    let (s, _) = ann
        .post(
            &format!("/api/groups/{etw}/invitations"),
            json!({"user": bob_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_error(&join(&bob, etw).await, StatusCode::FORBIDDEN, "forbidden");
    // Declining.
    assert_eq!(
        delete(&bob, &format!("/api/groups/{etw}/invitations/me"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &delete(&bob, &format!("/api/groups/{etw}/invitations/me")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &join(&bob, 987_654).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    server.stop().await;
}

#[actix_web::test]
async fn administrators_edit_remove_and_appoint_and_the_last_one_hands_over() {
    let server = common::start().await;
    let ann = etwinner(&server, "ann@x.eu").await;
    let bob = server.member("bob@x.eu", "FR").await;
    let cleo = server.member("cleo@x.eu", "FR").await;
    let g = create(&ann, "Weather", "all").await;
    join(&bob, g).await;
    join(&cleo, g).await;
    let (bob_id, cleo_id, ann_id) = (bob.my_id().await, cleo.my_id().await, ann.my_id().await);

    let edit = json!({"title": "Weather and climate", "policy": "invited"});
    let got = bob
        .send(
            Method::PATCH,
            &format!("/api/groups/{g}"),
            Some(edit.clone()),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let (s, v) = ann
        .send(Method::PATCH, &format!("/api/groups/{g}"), Some(edit))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["title"].as_str(),
            v["policy"].as_str(),
            v["member_count"].as_u64()
        ),
        (Some("Weather and climate"), Some("invited"), Some(3))
    );

    // A picture, checked as the profile's are.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let (s, _, _) = ann
        .send_raw(
            Method::PUT,
            &format!("/api/groups/{g}/picture"),
            Some(("image/png".into(), png.clone())),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = bob
        .send_raw(
            Method::PUT,
            &format!("/api/groups/{g}/picture"),
            Some(("image/png".into(), png.clone())),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = ann
        .send_raw(
            Method::PUT,
            &format!("/api/groups/{g}/picture"),
            Some(("image/png".into(), b"<html>".to_vec())),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, v) = bob.get(&format!("/api/groups/{g}")).await;
    let url = v["picture_url"].as_str().expect("picture url").to_string();
    let (s, headers, bytes) = bob.send_raw(Method::GET, &url, None).await;
    assert_eq!((s, bytes), (StatusCode::OK, png));
    assert_eq!(headers.get("content-type").unwrap(), "image/png");

    // The last administrator cannot leave or step down.
    assert_error(
        &delete(&ann, &format!("/api/groups/{g}/members/me")).await,
        StatusCode::CONFLICT,
        "conflict",
    );
    assert_error(
        &delete(&ann, &format!("/api/groups/{g}/admins/{ann_id}")).await,
        StatusCode::CONFLICT,
        "conflict",
    );
    // Members cannot appoint or remove.
    let got = bob
        .send(
            Method::PUT,
            &format!("/api/groups/{g}/admins/{bob_id}"),
            None,
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    assert_error(
        &delete(&bob, &format!("/api/groups/{g}/members/{cleo_id}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // Ann appoints Bob, then leaves; Bob is now the last one.
    let (s, _) = ann
        .send(
            Method::PUT,
            &format!("/api/groups/{g}/admins/{bob_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        delete(&ann, &format!("/api/groups/{g}/members/me")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &delete(&bob, &format!("/api/groups/{g}/members/me")).await,
        StatusCode::CONFLICT,
        "conflict",
    );
    // Bob removes Cleo: she is out, and her rejoining needs a new invitation.
    assert_eq!(
        delete(&bob, &format!("/api/groups/{g}/members/{cleo_id}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (_, members) = bob.get(&format!("/api/groups/{g}/members")).await;
    let ids: Vec<u64> = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [bob_id], "{members}");
    assert_eq!(members["items"][0]["admin"], true);
    let got = cleo.get(&format!("/api/groups/{g}/messages")).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let (_, v) = cleo.get(&format!("/api/groups/{g}")).await;
    assert_eq!(v["me"]["refusal"], "removed", "{v}");
    bob.send(
        Method::PATCH,
        &format!("/api/groups/{g}"),
        Some(json!({"policy": "all"})),
    )
    .await;
    assert_error(&join(&cleo, g).await, StatusCode::FORBIDDEN, "forbidden");
    bob.post(
        &format!("/api/groups/{g}/invitations"),
        json!({"user": cleo_id}),
    )
    .await;
    assert_eq!(join(&cleo, g).await.0, StatusCode::OK);
    server.stop().await;
}

#[actix_web::test]
async fn history_pages_back_without_gaps_and_changes_list_each_message_once() {
    let server = common::start().await;
    let ann = etwinner(&server, "ann@x.eu").await;
    let bob = server.member("bob@x.eu", "FR").await;
    let g = create(&ann, "Weather", "all").await;
    join(&bob, g).await;
    let mut sent = Vec::new();
    for i in 0..7 {
        sent.push(
            say(&ann, g, &format!("c{i}"), &format!("message {i}")).await["id"]
                .as_u64()
                .unwrap(),
        );
    }
    // A retried send returns the first message and stores nothing new.
    let again = say(&ann, g, "c3", "message 3").await;
    assert_eq!(again["id"].as_u64(), Some(sent[3]));
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/groups/{g}/messages?limit=3&after={a}"),
            None => format!("/api/groups/{g}/messages?limit=3"),
        };
        let (s, page) = bob.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_u64().unwrap()),
        );
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    let newest_first: Vec<u64> = sent.iter().rev().copied().collect();
    assert_eq!(seen, newest_first);

    // Edits and deletions: who may, and the catch-up list after a revision.
    let (_, all) = bob.get(&format!("/api/groups/{g}/changes")).await;
    let mark = all["last_rev"].as_u64().unwrap();
    let first = sent[0];
    let got = bob
        .send(
            Method::PATCH,
            &format!("/api/groups/{g}/messages/{first}"),
            Some(json!({"text": "mine now"})),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let (s, edited) = ann
        .send(
            Method::PATCH,
            &format!("/api/groups/{g}/messages/{first}"),
            Some(json!({"text": "message 0, edited"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert!(edited["edited_at"].is_string());
    assert_error(
        &delete(&bob, &format!("/api/groups/{g}/messages/{}", sent[1])).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        delete(&ann, &format!("/api/groups/{g}/messages/{}", sent[1]))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let newer = say(&ann, g, "c7", "message 7").await;
    let (_, changes) = bob
        .get(&format!("/api/groups/{g}/changes?after_rev={mark}&limit=2"))
        .await;
    let ids: Vec<u64> = changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [sent[0], sent[1]], "{changes}");
    assert_eq!(changes["more"], true);
    assert_eq!(changes["items"][1]["deleted"], true);
    assert_eq!(changes["items"][1]["text"], "");
    let next = changes["last_rev"].as_u64().unwrap();
    let (_, rest) = bob
        .get(&format!("/api/groups/{g}/changes?after_rev={next}"))
        .await;
    assert_eq!(rest["items"][0]["id"], newer["id"], "{rest}");
    assert_eq!(
        (
            rest["items"].as_array().unwrap().len(),
            rest["more"].as_bool()
        ),
        (1, Some(false))
    );
    let bad = bob.get(&format!("/api/groups/{g}/messages?after=zz")).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "bad_request");
    server.stop().await;
}

#[actix_web::test]
async fn unread_counts_follow_the_pointer_and_mentions_notify() {
    let server = common::start().await;
    let ann = etwinner(&server, "ann@x.eu").await;
    let bob = server.member("bob@x.eu", "FR").await;
    let cleo = server.member("cleo@x.eu", "FR").await;
    let g = create(&ann, "Weather", "all").await;
    say(&ann, g, "old", "before Bob came").await;
    join(&bob, g).await;
    let (bob_id, cleo_id) = (bob.my_id().await, cleo.my_id().await);
    let mut last = 0;
    for i in 0..3 {
        last = say(&ann, g, &format!("n{i}"), "news").await["id"]
            .as_u64()
            .unwrap();
    }
    let (_, mine) = bob.get("/api/me/groups").await;
    assert_eq!(
        (mine[0]["unread"].as_u64(), mine[0]["unread_more"].as_bool()),
        (Some(3), Some(false)),
        "{mine}"
    );
    let (s, left) = bob
        .post(&format!("/api/groups/{g}/read"), json!({"message": last}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(left, json!({"unread": 0, "unread_more": false}));
    // Mentions: members only.
    let got = ann
        .post(
            &format!("/api/groups/{g}/messages"),
            json!({"client_id": "m0", "text": "@Cleo", "mentions": [cleo_id]}),
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "validation_failed");
    let (s, m) = ann
        .post(
            &format!("/api/groups/{g}/messages"),
            json!({"client_id": "m1", "text": "@Bob look", "mentions": [bob_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let (_, notes) = bob.get("/api/notifications").await;
    let note = &notes["items"][0];
    assert_eq!(note["kind"], "group_mention", "{notes}");
    assert_eq!(
        (
            note["params"]["group"].as_u64(),
            note["params"]["message"].as_u64()
        ),
        (Some(g), m["id"].as_u64())
    );
    server.stop().await;
}

#[actix_web::test]
async fn messages_have_a_size_limit_and_a_rate_limit() {
    let server = common::start_with(|c| {
        c.groups.messages_per_window = 3;
        c.groups.message_chars = 20;
    })
    .await;
    let ann = etwinner(&server, "ann@x.eu").await;
    let g = create(&ann, "Weather", "all").await;
    let long = ann
        .post(
            &format!("/api/groups/{g}/messages"),
            json!({"client_id": "l", "text": "x".repeat(21)}),
        )
        .await;
    assert_error(&long, StatusCode::BAD_REQUEST, "validation_failed");
    for i in 0..3 {
        say(&ann, g, &format!("r{i}"), "hi").await;
    }
    // A retry of a stored message is answered, not counted.
    say(&ann, g, "r0", "hi").await;
    let over = ann
        .post(
            &format!("/api/groups/{g}/messages"),
            json!({"client_id": "r3", "text": "hi"}),
        )
        .await;
    assert_error(&over, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let (_, page) = ann.get(&format!("/api/groups/{g}/messages")).await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        3,
        "nothing half-written"
    );
    // Deleting shares the allowance (a send-and-delete loop is not free).
    let first = page["items"][0]["id"].as_u64().unwrap();
    let del = delete(&ann, &format!("/api/groups/{g}/messages/{first}")).await;
    assert_error(&del, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    server.stop().await;
}

#[actix_web::test]
async fn groups_are_found_by_words_and_filters_but_an_invited_groups_chat_never_is() {
    let server = common::start().await;
    let ann = etwinner(&server, "ann@x.eu").await;
    let outsider = server.member("out@x.eu", "FR").await;
    let open = create(&ann, "Weather stations", "all").await;
    let mut body = group_body("Secret garden", "invited");
    body["languages"] = json!(["de"]);
    let (_, secret) = ann.post("/api/groups", body).await;
    let secret = secret["id"].as_u64().unwrap();
    say(&ann, secret, "s1", "zanzibarish plans for the garden").await;
    say(&ann, open, "o1", "zanzibarish in the open group too").await;

    let all = outsider
        .search_until("kind=groups", |b| b["total"] == 2)
        .await;
    let policies: Vec<&Value> = all["facets"]["policy"].as_array().unwrap().iter().collect();
    assert_eq!(policies.len(), 2, "{all}");
    let invited = outsider
        .search_until("kind=groups&policy=invited", |b| b["total"] == 1)
        .await;
    assert_eq!(invited["items"][0]["id"], secret);
    assert_eq!(invited["items"][0]["card"]["policy"], "invited");
    let german = outsider
        .search_until("kind=groups&language=de", |b| b["total"] == 1)
        .await;
    assert_eq!(german["items"][0]["id"], secret);
    let words = outsider
        .search_until("kind=groups&q=weather%20stat&subject=geography", |b| {
            b["total"] == 1
        })
        .await;
    assert_eq!(words["items"][0]["id"], open);
    assert_eq!(words["items"][0]["card"]["member_count"], 1);
    // Chat is never indexed: a word said only in chats finds nothing, in any kind.
    for kind in ["groups", "people", "postings"] {
        let found = outsider
            .search_until(&format!("kind={kind}&q=zanzibarish"), |_| true)
            .await;
        assert_eq!(found["total"], 0, "{kind}: {found}");
        assert!(!found.to_string().contains("zanzibarish\","), "{found}");
    }
    let bad = outsider.get("/api/search?kind=groups&policy=friends").await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "validation_failed");
    // The about is public; members and chat are the members'.
    assert_eq!(
        outsider.get(&format!("/api/groups/{secret}")).await.0,
        StatusCode::OK
    );
    for path in ["members", "messages", "changes"] {
        let got = outsider.get(&format!("/api/groups/{secret}/{path}")).await;
        assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    }
    let got = outsider
        .post(
            &format!("/api/groups/{secret}/messages"),
            json!({"client_id": "x", "text": "hello?"}),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let got = outsider
        .post(&format!("/api/groups/{secret}/read"), json!({"message": 1}))
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    // An open group's member list is for every member of the platform.
    assert_eq!(
        outsider.get(&format!("/api/groups/{open}/members")).await.0,
        StatusCode::OK
    );
    server.stop().await;
}
