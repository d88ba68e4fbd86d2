//! Partner finding over real HTTP (R6): validated eTwinners publish "eTwinning project idea"
//! postings for one of their schools; others find them by text and filters, reply with post
//! comments (the author is notified live); past their visible-until day they leave search
//! and other members' view, and stay visible to their author.

mod common;

use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client, TestServer};
use serde_json::{json, Value};
use twinhub::domain::posting::Posting;
use twinhub::ids::PostingId;
use twinhub::search::{self, DocRef};
use twinhub::store::Tree;

struct World {
    server: TestServer,
    officer: Client,
}

async fn world() -> World {
    world_with(|_| {}).await
}

async fn world_with(tweak: impl FnOnce(&mut twinhub::config::Config)) -> World {
    let server = common::start_with(tweak).await;
    let officer = common::fr_officer(&server).await;
    World { server, officer }
}

impl World {
    /// A validated (or not) teacher of France with a school on their profile.
    async fn teacher(&self, email: &str, validated: bool) -> (Client, u64, u64) {
        let (c, id) = self.server.teacher(&self.officer, email, validated).await;
        let (status, school) = c
            .post(
                "/api/schools",
                json!({"name": format!("School of {email}"), "country": "FR", "city": "Lyon"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{school}");
        let school_id = school["id"].as_u64().unwrap();
        let (status, body) = c
            .post(
                &format!("/api/users/{id}/schools"),
                json!({"school_id": school_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (c, id, school_id)
    }
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn idea(school: u64) -> Value {
    json!({
        "scope": "european",
        "school_id": school,
        "title": "Recycling robots across Europe",
        "summary": "Pupils build robots from waste.",
        "description": "We look for two partner schools.\nSpring term.",
        "languages": ["en", "fr"],
        "subjects": ["technology", "ict"],
        "topics": ["sustainability"],
        "key_competences": ["stem", "digital"],
        "pupil_ages": ["13-15"],
        "visible_until": (today() + time::Duration::days(30)).to_string(),
    })
}

async fn publish(c: &Client, body: Value) -> Value {
    let (status, posting) = c.post("/api/postings", body).await;
    assert_eq!(status, StatusCode::CREATED, "{posting}");
    posting
}

async fn search_until(c: &Client, query: &str, total: u64) -> Value {
    c.search_until(&format!("kind=postings&{query}"), |b| b["total"] == total)
        .await
}

#[actix_web::test]
async fn a_posting_is_published_found_by_text_and_filters_and_shown_whole() {
    let w = world().await;
    let (ann, ann_id, school) = w.teacher("ann@x.eu", true).await;
    let (bob, _, _) = w.teacher("bob@x.eu", true).await;
    let posting = publish(&ann, idea(school)).await;
    let id = posting["id"].as_u64().unwrap();
    assert_eq!(posting["author"]["id"], ann_id);
    assert_eq!(posting["school"]["id"], school);
    assert_eq!(posting["school"]["city"], "Lyon");
    assert_eq!(posting["expired"], false);
    assert_eq!(posting["mine"], true);

    // Found by any words of title, summary or description; every word must be there.
    let body = search_until(&bob, "q=robots", 1).await;
    let item = &body["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["title"], "Recycling robots across Europe");
    assert_eq!(item["card"]["scope"], "european");
    assert_eq!(item["card"]["author"]["display_name"], "ann");
    assert_eq!(item["card"]["school"]["name"], "School of ann@x.eu");
    assert_eq!(item["card"]["visible_until"], posting["visible_until"]);
    for (query, total) in [
        ("q=partner+spring", 1),
        ("q=waste+robots", 1),
        ("q=robots+volcano", 0),
        ("scope=european&subject=ict", 1),
        ("scope=national", 0),
        (
            "topic=sustainability&competence=digital&age=13-15&language=fr",
            1,
        ),
        ("age=6-9", 0),
        ("country=FR", 1),
        ("country=DE", 0),
    ] {
        let (_, body) = bob.get(&format!("/api/search?kind=postings&{query}")).await;
        assert_eq!(body["total"], total, "{query}: {body}");
    }
    let (_, body) = bob.get("/api/search?kind=postings&q=robots").await;
    assert_eq!(body["facets"]["scope"][0]["value"], "european");
    assert_eq!(body["facets"]["subject"].as_array().unwrap().len(), 2);
    // People search does not return postings.
    let (_, body) = bob.get("/api/search?q=robots").await;
    assert_eq!(body["total"], 0);

    let (status, seen) = bob.get(&format!("/api/postings/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["mine"], false);
    assert_eq!(
        seen["description"],
        "We look for two partner schools.\nSpring term."
    );
    assert_eq!(seen["key_competences"], json!(["stem", "digital"]));
    w.server.stop().await;
}

#[actix_web::test]
async fn only_validated_authors_of_their_own_school_publish_and_only_authors_change() {
    let w = world().await;
    let (ann, _, school) = w.teacher("ann@x.eu", true).await;
    let (bob, _, bob_school) = w.teacher("bob@x.eu", true).await;
    let (newbie, _, newbie_school) = w.teacher("new@x.eu", false).await;

    assert_error(
        &newbie.post("/api/postings", idea(newbie_school)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // Another member's school is not my organisation.
    assert_error(
        &ann.post("/api/postings", idea(bob_school)).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    for (field, value) in [
        ("title", json!("")),
        ("title", json!("line\nbreak")),
        ("summary", json!("   ")),
        ("languages", json!([])),
        ("languages", json!(["xx"])),
        ("subjects", json!(["wizardry"])),
        ("topics", json!(["nope"])),
        ("pupil_ages", json!(["7-8"])),
        ("scope", json!("galactic")),
        (
            "visible_until",
            json!((today() - time::Duration::days(1)).to_string()),
        ),
        (
            "visible_until",
            json!((today() + time::Duration::days(400)).to_string()),
        ),
        ("visible_until", json!("31/12/2027")),
        ("school_id", json!(null)),
    ] {
        let mut body = idea(school);
        body[field] = value.clone();
        let got = ann.post("/api/postings", body).await;
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{field}={value}: {}", got.1);
    }
    let too_long = "x".repeat(w.server.core.config.limits.posting_title_chars + 1);
    let mut body = idea(school);
    body["title"] = json!(too_long);
    assert_error(
        &ann.post("/api/postings", body).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    // Nothing of the refused ones was stored.
    let (_, mine) = ann.get("/api/me/postings").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0, "{mine}");

    let posting = publish(&ann, idea(school)).await;
    let id = posting["id"].as_u64().unwrap();
    let path = format!("/api/postings/{id}");
    assert_error(
        &bob.send(Method::PATCH, &path, Some(json!({"title": "Mine now"})))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &bob.send(Method::DELETE, &path, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    // The author edits: the search follows.
    let (status, edited) = ann
        .send(
            Method::PATCH,
            &path,
            Some(json!({"title": "Windmills and weather", "scope": "national"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["title"], "Windmills and weather");
    assert_eq!(edited["summary"], "Pupils build robots from waste.");
    let body = search_until(&bob, "q=windmills&scope=national", 1).await;
    assert_eq!(body["items"][0]["id"], id);
    search_until(&bob, "q=recycling", 0).await;

    // The author deletes: gone from search and from the API.
    let (status, _) = ann.send(Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    search_until(&bob, "q=windmills", 0).await;
    assert_error(&bob.get(&path).await, StatusCode::NOT_FOUND, "not_found");
    let (_, mine) = ann.get("/api/me/postings").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);
    w.server.stop().await;
}

#[actix_web::test]
async fn comments_reply_to_a_posting_and_notify_its_author_live() {
    let w = world().await;
    let (ann, _, school) = w.teacher("ann@x.eu", true).await;
    let (bob, bob_id, _) = w.teacher("bob@x.eu", true).await;
    let (cat, _, _) = w.teacher("cat@x.eu", true).await;
    let (newbie, _, _) = w.teacher("new@x.eu", false).await;
    let posting = publish(&ann, idea(school)).await;
    let id = posting["id"].as_u64().unwrap();

    let ann_token = w
        .server
        .client()
        .login_token("ann@x.eu", common::PASSWORD)
        .await;
    let mut tab = w.server.ws_token(&ann_token).await;
    tab.call(json!({"type": "resume"})).await;

    let comments = format!("/api/postings/{id}/comments");
    let (status, comment) = bob
        .post(
            &comments,
            json!({"body": "We would love to join! <script>x</script>"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    assert_eq!(comment["author"]["id"], bob_id);
    assert_eq!(comment["body"], "We would love to join! <script>x</script>");

    let note = tab
        .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "notification")
        .await;
    let n = &note["event"]["notification"];
    assert_eq!(n["kind"], "posting_comment", "{note}");
    assert_eq!(n["params"]["posting"], id);
    assert_eq!(n["params"]["by"], bob_id);
    assert_eq!(n["params"]["name"], "bob");
    assert_eq!(n["params"]["title"], "Recycling robots across Europe");

    // The author's own comment notifies nobody.
    let (status, own) = ann.post(&comments, json!({"body": "Welcome, Bob."})).await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let (_, notes) = ann.get("/api/notifications").await;
    let kinds: Vec<&str> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "posting_comment").count(),
        1,
        "{notes}"
    );

    // Oldest first, with the count on the posting.
    let (_, list) = cat.get(&comments).await;
    let bodies: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        vec!["We would love to join! <script>x</script>", "Welcome, Bob."]
    );
    let (_, seen) = cat.get(&format!("/api/postings/{id}")).await;
    assert_eq!(seen["comment_count"], 2);

    // Refusals: not validated, empty, too long; a third party cannot delete.
    assert_error(
        &newbie.post(&comments, json!({"body": "hi"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &cat.post(&comments, json!({"body": "  "})).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    let long = "x".repeat(w.server.core.config.limits.comment_chars + 1);
    assert_error(
        &cat.post(&comments, json!({"body": long})).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    let bob_comment = format!("{comments}/{}", comment["id"]);
    assert_error(
        &cat.send(Method::DELETE, &bob_comment, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // The posting's author moderates their posting.
    let (status, _) = ann.send(Method::DELETE, &bob_comment, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, seen) = cat.get(&format!("/api/postings/{id}")).await;
    assert_eq!(seen["comment_count"], 1);
    assert_error(
        &ann.send(Method::DELETE, &bob_comment, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Deleting the posting takes its comments.
    let (status, _) = ann
        .send(Method::DELETE, &format!("/api/postings/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let left = w
        .server
        .core
        .store
        .scan_prefix(Tree::PostingidComment, &[], None, 10)
        .unwrap();
    assert!(left.is_empty());
    w.server.stop().await;
}

#[actix_web::test]
async fn past_its_last_day_a_posting_leaves_search_and_others_but_not_its_author() {
    let w = world().await;
    let (ann, _, school) = w.teacher("ann@x.eu", true).await;
    let (bob, _, _) = w.teacher("bob@x.eu", true).await;
    let mut body = idea(school);
    body["visible_until"] = json!(today().to_string());
    let posting = publish(&ann, body).await;
    let id = posting["id"].as_u64().unwrap();
    // Its last day is today: still shown.
    search_until(&bob, "q=robots", 1).await;

    // A day passes (the stored date moves back: the server's clock cannot be set).
    let core = &w.server.core;
    let key = PostingId(id).key();
    core.store
        .transact(&[Tree::PostingidPosting, Tree::SearchPending], |tx| {
            let mut p: Posting = tx.get_json(Tree::PostingidPosting, &key)?.unwrap();
            p.visible_until = today() - time::Duration::days(1);
            tx.put_json(Tree::PostingidPosting, &key, &p)?;
            search::mark(tx, DocRef::Posting(PostingId(id)))
        })
        .unwrap();
    core.search.changed();

    search_until(&bob, "q=robots", 0).await;
    search_until(&bob, "", 0).await;
    assert_error(
        &bob.get(&format!("/api/postings/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &bob.post(
            &format!("/api/postings/{id}/comments"),
            json!({"body": "late"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Its author still sees it, marked expired, and can give it a new last day.
    let (status, seen) = ann.get(&format!("/api/postings/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["expired"], true);
    let (_, mine) = ann.get("/api/me/postings").await;
    assert_eq!(mine["items"][0]["id"], id);
    assert_eq!(mine["items"][0]["expired"], true);
    let (status, renewed) = ann
        .send(
            Method::PATCH,
            &format!("/api/postings/{id}"),
            Some(json!({"visible_until": (today() + time::Duration::days(7)).to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_eq!(renewed["expired"], false);
    search_until(&bob, "q=robots", 1).await;
    w.server.stop().await;
}

#[actix_web::test]
async fn a_new_author_name_reaches_the_cards_of_their_postings() {
    let w = world().await;
    let (ann, ann_id, school) = w.teacher("ann@x.eu", true).await;
    let (bob, _, _) = w.teacher("bob@x.eu", true).await;
    publish(&ann, idea(school)).await;
    search_until(&bob, "q=robots", 1).await;
    let (status, body) = ann
        .send(
            Method::PATCH,
            &format!("/api/users/{ann_id}/profile"),
            Some(json!({"display_name": "Ann Renamed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let (_, body) = bob.get("/api/search?kind=postings&q=robots").await;
        if body["items"][0]["card"]["author"]["display_name"] == "Ann Renamed" {
            break;
        }
        assert!(Instant::now() < deadline, "{body}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    w.server.stop().await;
}

#[actix_web::test]
async fn postings_and_comments_are_throttled_per_member_and_refusals_do_not_count() {
    let w = world_with(|c| {
        c.limits.postings_per_window = 1;
        c.limits.comments_per_window = 2;
    })
    .await;
    let (ann, _, school) = w.teacher("ann@x.eu", true).await;
    let (bob, _, bob_school) = w.teacher("bob@x.eu", true).await;
    // A posting refused by a rule (another member's school) leaves the allowance whole.
    assert_error(
        &ann.post("/api/postings", idea(bob_school)).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    let posting = publish(&ann, idea(school)).await;
    assert_error(
        &ann.post("/api/postings", idea(school)).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    // Another member has their own allowance.
    publish(&bob, idea(bob_school)).await;

    let comments = format!("/api/postings/{}/comments", posting["id"]);
    for i in 0..2 {
        let (status, body) = bob
            .post(&comments, json!({"body": format!("note {i}")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    assert_error(
        &bob.post(&comments, json!({"body": "one too many"})).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    let (_, list) = ann.get(&comments).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    w.server.stop().await;
}
