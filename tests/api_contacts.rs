//! Contacts over real HTTP and WebSockets (R1, R2): only validated eTwinners connect, the
//! recipient accepts or declines, the sender cancels, either side removes; repeated and
//! crossed requests end in one contact; blocks are private; both sides hear every change live.

mod common;

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client, TestServer};
use serde_json::{json, Value};

/// The server and an FR officer who validates whoever a test needs.
struct World {
    server: TestServer,
    officer: Client,
}

async fn world_with(tweak: impl FnOnce(&mut twinhub::config::Config)) -> World {
    let server = common::start_with(tweak).await;
    let officer = common::fr_officer(&server).await;
    World { server, officer }
}

async fn world() -> World {
    world_with(|_| {}).await
}

impl World {
    async fn teacher(&self, email: &str, validated: bool) -> (Client, u64) {
        self.server.teacher(&self.officer, email, validated).await
    }
}

async fn ask(c: &Client, id: u64) -> (StatusCode, Value) {
    c.post("/api/contacts/requests", json!({"user_id": id}))
        .await
}

async fn state(c: &Client, id: u64) -> String {
    let (status, body) = c.get(&format!("/api/contacts/{id}/state")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["state"].as_str().unwrap().to_string()
}

fn ids(page: &Value) -> Vec<u64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user"]["id"].as_u64().unwrap())
        .collect()
}

async fn list(c: &Client, path: &str) -> Vec<u64> {
    let (status, body) = c.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    ids(&body)
}

async fn notification_kinds(c: &Client) -> Vec<String> {
    let (_, body) = c.get("/api/notifications").await;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn only_validated_etwinners_become_contacts() {
    let w = world().await;
    let (ann, ann_id) = w.teacher("ann@x.eu", true).await;
    let (new, new_id) = w.teacher("new@x.eu", false).await;

    let refused = ask(&ann, new_id).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not eTwinning validated"),
        "{}",
        refused.1
    );
    assert_error(&ask(&new, ann_id).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(
        &ask(&ann, ann_id).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    assert_error(
        &ask(&ann, 999_999).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(state(&ann, new_id).await, "none");
    assert!(list(&new, "/api/contacts/requests/received")
        .await
        .is_empty());

    // A request without the CSRF token is refused (cookie session).
    let mut no_csrf = ann.clone_session();
    no_csrf.csrf = None;
    assert_error(
        &ask(&no_csrf, new_id).await,
        StatusCode::FORBIDDEN,
        "csrf_failed",
    );
    w.server.stop().await;
}

#[actix_web::test]
async fn a_request_is_accepted_and_both_sides_are_told_live() {
    let w = world().await;
    let (ann, ann_id) = w.teacher("ann@x.eu", true).await;
    let (bob, bob_id) = w.teacher("bob@x.eu", true).await;
    let bob_token = w
        .server
        .client()
        .login_token("bob@x.eu", common::PASSWORD)
        .await;
    let mut bob_tab = w.server.ws_token(&bob_token).await;
    bob_tab.call(json!({"type": "resume"})).await;

    let (status, body) = ask(&ann, bob_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "request_sent");
    assert_eq!(state(&ann, bob_id).await, "request_sent");
    assert_eq!(state(&bob, ann_id).await, "request_received");
    assert_eq!(list(&ann, "/api/contacts/requests/sent").await, [bob_id]);
    assert_eq!(
        list(&bob, "/api/contacts/requests/received").await,
        [ann_id]
    );
    // Newest first; the NSO's validation came before.
    assert_eq!(
        notification_kinds(&bob).await,
        ["contact_requested", "validated"]
    );

    // Bob's open tab hears the request and the notification.
    let live = bob_tab
        .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "contact")
        .await;
    assert_eq!(live["event"]["user"], ann_id);
    assert_eq!(live["event"]["state"], "request_received");
    let note = bob_tab
        .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "notification")
        .await;
    assert_eq!(note["event"]["notification"]["kind"], "contact_requested");
    assert_eq!(note["event"]["notification"]["params"]["by"], ann_id);
    assert_eq!(note["event"]["notification"]["params"]["name"], "ann");

    // Asking again changes nothing.
    assert_eq!(ask(&ann, bob_id).await.1["state"], "request_sent");
    assert_eq!(
        list(&bob, "/api/contacts/requests/received").await,
        [ann_id]
    );

    let (status, body) = bob
        .send(
            Method::POST,
            &format!("/api/contacts/requests/{ann_id}/accept"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "contact");
    assert_eq!(list(&ann, "/api/contacts").await, [bob_id]);
    assert_eq!(list(&bob, "/api/contacts").await, [ann_id]);
    assert!(list(&ann, "/api/contacts/requests/sent").await.is_empty());
    assert!(list(&bob, "/api/contacts/requests/received")
        .await
        .is_empty());
    assert_eq!(
        notification_kinds(&ann).await,
        ["contact_accepted", "validated"]
    );
    let live = bob_tab
        .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "contact")
        .await;
    assert_eq!(live["event"]["state"], "contact");
    // Accepting again: there is no request any more.
    let again = bob
        .send(
            Method::POST,
            &format!("/api/contacts/requests/{ann_id}/accept"),
            None,
        )
        .await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found");

    // Either side removes the contact, for both.
    let (status, _) = bob
        .send(Method::DELETE, &format!("/api/contacts/{ann_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list(&ann, "/api/contacts").await.is_empty());
    assert_eq!(state(&ann, bob_id).await, "none");
    w.server.stop().await;
}

#[actix_web::test]
async fn crossed_requests_make_one_contact_and_declines_and_cancels_end_requests() {
    let w = world().await;
    let (ann, ann_id) = w.teacher("ann@x.eu", true).await;
    let (bob, bob_id) = w.teacher("bob@x.eu", true).await;
    let (cat, cat_id) = w.teacher("cat@x.eu", true).await;

    assert_eq!(ask(&ann, bob_id).await.1["state"], "request_sent");
    // Bob asks Ann while Ann's request waits: that is a yes.
    assert_eq!(ask(&bob, ann_id).await.1["state"], "contact");
    assert_eq!(list(&ann, "/api/contacts").await, [bob_id]);
    assert!(list(&ann, "/api/contacts/requests/sent").await.is_empty());
    assert!(list(&bob, "/api/contacts/requests/sent").await.is_empty());
    assert_eq!(
        ask(&ann, bob_id).await.1["state"],
        "contact",
        "already contacts"
    );

    // Cat declines Ann; Ann cancels her request to... Cat again, after asking once more.
    ask(&ann, cat_id).await;
    let (status, _) = cat
        .send(
            Method::POST,
            &format!("/api/contacts/requests/{ann_id}/decline"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state(&ann, cat_id).await, "none");
    assert!(!notification_kinds(&ann)
        .await
        .iter()
        .any(|k| k.contains("declin")));
    ask(&ann, cat_id).await;
    let (status, _) = ann
        .send(
            Method::DELETE,
            &format!("/api/contacts/requests/{cat_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list(&cat, "/api/contacts/requests/received")
        .await
        .is_empty());
    let gone = ann
        .send(
            Method::DELETE,
            &format!("/api/contacts/requests/{cat_id}"),
            None,
        )
        .await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found");
    w.server.stop().await;
}

#[actix_web::test]
async fn blocks_are_private_and_stop_requests() {
    let w = world().await;
    let (ann, ann_id) = w.teacher("ann@x.eu", true).await;
    let (bob, bob_id) = w.teacher("bob@x.eu", true).await;
    ask(&ann, bob_id).await;
    bob.send(
        Method::POST,
        &format!("/api/contacts/requests/{ann_id}/accept"),
        None,
    )
    .await;

    // Bob blocks Ann: the contact ends; Ann's new request reaches nobody, and looks sent.
    let (status, _) = bob
        .send(Method::PUT, &format!("/api/blocks/{ann_id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(list(&ann, "/api/contacts").await.is_empty());
    let (_, blocks) = bob.get("/api/blocks").await;
    assert_eq!(blocks["items"][0]["id"], ann_id);
    let before = notification_kinds(&bob).await.len();
    assert_eq!(ask(&ann, bob_id).await.1["state"], "request_sent");
    assert_eq!(state(&ann, bob_id).await, "request_sent");
    assert_eq!(state(&bob, ann_id).await, "none");
    assert!(list(&bob, "/api/contacts/requests/received")
        .await
        .is_empty());
    assert_eq!(
        notification_kinds(&bob).await.len(),
        before,
        "no notification"
    );
    let (_, relation) = bob.get(&format!("/api/contacts/{ann_id}/state")).await;
    assert_eq!(relation["blocked"], true);
    let (_, relation) = ann.get(&format!("/api/contacts/{bob_id}/state")).await;
    assert_eq!(relation["blocked"], false, "Ann cannot tell");

    // Bob cannot ask Ann while blocking her, nor find out about her hidden request.
    assert_error(&ask(&bob, ann_id).await, StatusCode::CONFLICT, "conflict");
    let probe = bob
        .send(
            Method::POST,
            &format!("/api/contacts/requests/{ann_id}/decline"),
            None,
        )
        .await;
    assert_error(&probe, StatusCode::NOT_FOUND, "not_found");
    let (status, _) = bob
        .send(Method::DELETE, &format!("/api/blocks/{ann_id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Unblocked: Ann's request reaches Bob now, as if just sent (she sees no change).
    assert_eq!(
        list(&bob, "/api/contacts/requests/received").await,
        [ann_id]
    );
    assert_eq!(notification_kinds(&bob).await.len(), before + 1);
    assert_eq!(state(&ann, bob_id).await, "request_sent");
    // Bob asking now answers it: they are contacts.
    assert_eq!(ask(&bob, ann_id).await.1["state"], "contact");
    assert!(list(&ann, "/api/contacts/requests/sent").await.is_empty());
    assert_eq!(list(&ann, "/api/contacts").await, [bob_id]);
    assert_error(
        &bob.send(Method::PUT, &format!("/api/blocks/{bob_id}"), None)
            .await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    w.server.stop().await;
}

#[actix_web::test]
async fn contact_requests_are_rate_limited_and_lists_page_and_filter() {
    let w = world_with(|cfg| cfg.limits.contact_requests_per_window = 3).await;
    let (ann, _) = w.teacher("ann@x.eu", true).await;
    let mut others = Vec::new();
    for name in ["zoe.martin", "yann.martin", "xavier.dupont", "walter.weiss"] {
        let (c, id) = w.teacher(&format!("{name}@x.eu"), true).await;
        others.push((c, id));
    }
    for (_, id) in &others[..3] {
        assert_eq!(ask(&ann, *id).await.0, StatusCode::OK);
    }
    assert_error(
        &ask(&ann, others[3].1).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    for (c, _) in &others[..3] {
        let me = ann.my_id().await;
        c.send(
            Method::POST,
            &format!("/api/contacts/requests/{me}/accept"),
            None,
        )
        .await;
    }
    let all = list(&ann, "/api/contacts").await;
    assert_eq!(all.len(), 3);
    let (_, page) = ann.get("/api/contacts?limit=2").await;
    assert_eq!(ids(&page).len(), 2);
    let next = page["next"].as_str().expect("a next page");
    let (_, rest) = ann
        .get(&format!("/api/contacts?limit=2&after={next}"))
        .await;
    assert_eq!(ids(&rest).len(), 1);
    let (_, martins) = ann.get("/api/contacts?q=MARTIN").await;
    assert_eq!(ids(&martins).len(), 2);
    let (_, one) = ann.get("/api/contacts?q=martin%20zoe").await;
    assert_eq!(ids(&one), [others[0].1]);
    w.server.stop().await;
}

#[actix_web::test]
async fn accepting_checks_again_that_both_are_still_validated() {
    let w = world().await;
    let (ann, ann_id) = w.teacher("ann@x.eu", true).await;
    let (bob, bob_id) = w.teacher("bob@x.eu", true).await;
    assert_eq!(ask(&ann, bob_id).await.1["state"], "request_sent");
    // The NSO withdraws Ann's validation while her request waits.
    let (status, body) = w
        .officer
        .send(
            Method::DELETE,
            &format!("/api/nso/members/{ann_id}/validation"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refused = bob
        .send(
            Method::POST,
            &format!("/api/contacts/requests/{ann_id}/accept"),
            None,
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert!(list(&bob, "/api/contacts").await.is_empty());
    assert_eq!(
        state(&bob, ann_id).await,
        "request_received",
        "nothing changed"
    );
    w.server.stop().await;
}
