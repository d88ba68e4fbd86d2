//! Schools over real HTTP: creating, finding and paging, joining and leaving (R13).

mod common;

use std::collections::HashSet;
use std::rc::Rc;

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

async fn create(c: &Client, name: &str, country: &str, city: &str) -> (StatusCode, Value) {
    c.post(
        "/api/schools",
        json!({"name": name, "country": country, "city": city}),
    )
    .await
}

/// Creates a school and returns its id.
async fn school(c: &Client, name: &str, country: &str, city: &str) -> u64 {
    let (status, body) = create(c, name, country, city).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_u64().expect("school id")
}

async fn join(c: &Client, user: u64, school: u64) -> (StatusCode, Value) {
    c.post(
        &format!("/api/users/{user}/schools"),
        json!({"school_id": school}),
    )
    .await
}

async fn leave(c: &Client, user: u64, school: u64) -> (StatusCode, Value) {
    c.send(
        Method::DELETE,
        &format!("/api/users/{user}/schools/{school}"),
        None,
    )
    .await
}

async fn detail(c: &Client, school: u64) -> Value {
    let (status, body) = c.get(&format!("/api/schools/{school}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v["id"].as_u64().expect("id"))
        .collect()
}

/// Walks every page of `path` (which already has a query string) and returns the ids in order.
async fn walk(c: &Client, path: &str) -> Vec<u64> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let url = match &after {
            Some(cursor) => format!("{path}&after={cursor}"),
            None => path.to_string(),
        };
        let (status, page) = c.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        let items = ids(&page["items"]);
        assert!(items.len() <= 1, "limit=1 pages hold one item: {page}");
        seen.extend(items);
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return seen,
        }
    }
    panic!("paging did not end: {seen:?}");
}

#[actix_web::test]
async fn creating_a_school_sets_the_registration_date_on_the_server() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let ann_id = ann.my_id().await;
    // Fields the server sets are not for the client to send: refused, not ignored.
    let forged = ann
        .post(
            "/api/schools",
            json!({
                "name": "Lycée Ampère",
                "country": "FR",
                "city": "Lyon",
                "registered_at": "2000-01-01T00:00:00Z",
                "created_by": 999,
                "id": 1,
            }),
        )
        .await;
    assert_error(&forged, StatusCode::BAD_REQUEST, "bad_request");
    let (status, s) = ann
        .post(
            "/api/schools",
            json!({"name": "  Lycée Ampère ", "country": "FR", "city": "Lyon"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(s["name"], "Lycée Ampère", "trimmed");
    assert_eq!(s["country"], "FR");
    assert_eq!(s["city"], "Lyon");
    assert_eq!(
        s["created_by"], ann_id,
        "the creator is the caller, whatever the body says"
    );
    let registered = OffsetDateTime::parse(s["registered_at"].as_str().unwrap(), &Rfc3339).unwrap();
    let age = OffsetDateTime::now_utc() - registered;
    assert!(
        age.whole_seconds().abs() < 60,
        "registered_at is now, not the client's date: {s}"
    );

    let id = s["id"].as_u64().unwrap();
    let d = detail(&ann, id).await;
    assert_eq!(d["name"], "Lycée Ampère");
    assert_eq!(d["registered_at"], s["registered_at"]);
    assert_eq!(d["teachers"], json!([]));
    assert_eq!(d["history"], json!([]));

    // Invalid schools are refused and not created.
    let invalid = [
        json!({"name": "A", "country": "XX", "city": "Lyon"}),
        json!({"name": "   ", "country": "FR", "city": "Lyon"}),
        json!({"name": "B", "country": "FR", "city": "  "}),
        json!({"name": "n".repeat(201), "country": "FR", "city": "Lyon"}),
        json!({"name": "C", "country": "FR", "city": "c".repeat(101)}),
    ];
    for body in invalid {
        let r = ann.post("/api/schools", body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    }
    let r = ann
        .post("/api/schools", json!({"name": "D", "country": "FR"}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let (_, all) = ann.get("/api/schools").await;
    assert_eq!(
        ids(&all["items"]),
        vec![id],
        "only the valid school exists: {all}"
    );

    let r = server
        .client()
        .post(
            "/api/schools",
            json!({"name": "E", "country": "FR", "city": "Lyon"}),
        )
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    server.stop().await;
}

#[actix_web::test]
async fn a_duplicate_school_is_refused_naming_the_existing_one() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let id = school(&ann, "Lycée Victor Hugo", "FR", "Paris").await;
    for (name, city) in [
        ("lycée victor hugo", "Paris"),
        ("  LYCÉE   Victor  HUGO ", " paris "),
        ("Lycée Victor Hugo", "PARIS"),
    ] {
        let r = create(&ann, name, "FR", city).await;
        assert_error(&r, StatusCode::CONFLICT, "conflict");
        let message = r.1["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&id.to_string()),
            "names school {id}: {message}"
        );
    }
    // The same name elsewhere is a different school.
    let other_city = school(&ann, "Lycée Victor Hugo", "FR", "Besançon").await;
    let other_country = school(&ann, "Lycée Victor Hugo", "BE", "Paris").await;
    let (_, all) = ann.get("/api/schools?limit=100").await;
    let mut found = ids(&all["items"]);
    found.sort();
    assert_eq!(
        found,
        vec![id, other_city, other_country],
        "no duplicate was written"
    );
    server.stop().await;
}

#[actix_web::test]
async fn schools_are_found_by_country_and_words_and_paged_without_repeats() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let moulin = school(&ann, "College Jean Moulin", "FR", "Lyon").await;
    let hugo = school(&ann, "College Victor Hugo", "FR", "Paris").await;
    let voltaire = school(&ann, "Lycee Voltaire", "FR", "Lyon").await;
    let pasteur = school(&ann, "College Pasteur", "FR", "Nice").await;
    let berlin = school(&ann, "College am Park", "DE", "Berlin").await;
    let primaire = school(&ann, "Ecole Primaire", "FR", "Lille").await;

    let (status, page) = ann.get("/api/schools?country=FR&q=college").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut found = ids(&page["items"]);
    found.sort();
    assert_eq!(found, vec![moulin, hugo, pasteur]);
    assert!(page["next"].is_null());

    // Every word must be present, in name or city, whatever the case.
    let (_, page) = ann.get("/api/schools?country=FR&q=COLLEGE%20lyon").await;
    assert_eq!(ids(&page["items"]), vec![moulin]);
    let (_, page) = ann.get("/api/schools?q=college+park").await;
    assert_eq!(ids(&page["items"]), vec![berlin]);
    let (_, page) = ann.get("/api/schools?country=DE&q=lyon").await;
    assert_eq!(ids(&page["items"]), Vec::<u64>::new());

    // limit=1 and the cursor walk every FR school exactly once.
    let walked = walk(&ann, "/api/schools?country=FR&limit=1").await;
    let unique: HashSet<u64> = walked.iter().copied().collect();
    assert_eq!(walked.len(), unique.len(), "no repeats: {walked:?}");
    let expected: HashSet<u64> = [moulin, hugo, voltaire, pasteur, primaire].into();
    assert_eq!(unique, expected);
    let walked = walk(&ann, "/api/schools?q=college&limit=1").await;
    let unique: HashSet<u64> = walked.iter().copied().collect();
    assert_eq!(walked.len(), 4, "{walked:?}");
    assert_eq!(unique, [moulin, hugo, pasteur, berlin].into());

    let r = ann
        .get(&format!("/api/schools?q={}", "q".repeat(201)))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    let r = ann.get("/api/schools?country=FR&after=zz").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    server.stop().await;
}

#[actix_web::test]
async fn members_join_and_leave_schools_and_the_school_keeps_the_history() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "FR").await;
    let (ann_id, bob_id) = (ann.my_id().await, bob.my_id().await);
    let s = school(&ann, "Lycée Ampère", "FR", "Lyon").await;

    let (status, tie) = join(&ann, ann_id, s).await;
    assert_eq!(status, StatusCode::CREATED, "{tie}");
    assert_eq!(tie["user"], ann_id);
    assert_eq!(tie["school"], s);
    assert!(
        tie["joined_at"].is_string() && tie["left_at"].is_null(),
        "{tie}"
    );
    let r = join(&ann, ann_id, s).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let r = join(&bob, ann_id, s).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(join(&bob, bob_id, s).await.0, StatusCode::CREATED);

    let (status, mine) = bob.get(&format!("/api/users/{ann_id}/schools")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&mine), vec![s]);
    let d = detail(&bob, s).await;
    let mut teachers = ids(&d["teachers"]);
    teachers.sort();
    assert_eq!(teachers, vec![ann_id, bob_id]);
    assert!(
        d["teachers"][0].get("email").is_none(),
        "teachers are public profiles"
    );
    assert_eq!(d["history"].as_array().unwrap().len(), 2, "{d}");

    // Nobody else can take ann off the school.
    let r = leave(&bob, ann_id, s).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(ids(&detail(&bob, s).await["teachers"]).contains(&ann_id));

    let (status, left) = leave(&ann, ann_id, s).await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left["id"], tie["id"]);
    assert!(left["left_at"].is_string(), "{left}");
    let d = detail(&bob, s).await;
    assert_eq!(ids(&d["teachers"]), vec![bob_id]);
    let history = d["history"].as_array().unwrap();
    let ann_tie = history
        .iter()
        .find(|t| t["user"] == ann_id)
        .expect("ann stays in the history");
    assert_eq!(ann_tie["id"], tie["id"]);
    assert_eq!(ann_tie["joined_at"], tie["joined_at"]);
    assert_eq!(ann_tie["left_at"], left["left_at"]);
    let (_, mine) = ann.get(&format!("/api/users/{ann_id}/schools")).await;
    assert_eq!(mine, json!([]));

    let r = leave(&ann, ann_id, s).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");

    // Coming back adds a new tie; the old one stays closed.
    assert_eq!(join(&ann, ann_id, s).await.0, StatusCode::CREATED);
    let d = detail(&bob, s).await;
    assert_eq!(d["history"].as_array().unwrap().len(), 3);
    assert_eq!(d["teachers"].as_array().unwrap().len(), 2);
    let closed: Vec<&Value> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["left_at"].is_null())
        .collect();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0]["id"], tie["id"]);
    server.stop().await;
}

#[actix_web::test]
async fn unknown_schools_are_not_found() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let ann_id = ann.my_id().await;
    let r = ann.get("/api/schools/987654").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = join(&ann, ann_id, 987654).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = leave(&ann, ann_id, 987654).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = ann.get("/api/users/987654/schools").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let (status, mine) = ann.get(&format!("/api/users/{ann_id}/schools")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine, json!([]), "the refused join wrote nothing");
    server.stop().await;
}

#[actix_web::test]
async fn the_number_of_schools_per_member_is_capped() {
    let server = common::start_with(|cfg| cfg.limits.schools_per_user = 2).await;
    let ann = server.member("ann@example.eu", "FR").await;
    let ann_id = ann.my_id().await;
    let a = school(&ann, "School A", "FR", "Lyon").await;
    let b = school(&ann, "School B", "FR", "Lyon").await;
    let c = school(&ann, "School C", "FR", "Lyon").await;
    assert_eq!(join(&ann, ann_id, a).await.0, StatusCode::CREATED);
    assert_eq!(join(&ann, ann_id, b).await.0, StatusCode::CREATED);
    let r = join(&ann, ann_id, c).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let (_, mine) = ann.get(&format!("/api/users/{ann_id}/schools")).await;
    let mut mine = ids(&mine);
    mine.sort();
    assert_eq!(mine, vec![a, b]);
    assert_eq!(
        detail(&ann, c).await["history"],
        json!([]),
        "the refused join left no tie"
    );

    // Leaving one frees a place.
    assert_eq!(leave(&ann, ann_id, a).await.0, StatusCode::OK);
    assert_eq!(join(&ann, ann_id, c).await.0, StatusCode::CREATED);
    server.stop().await;
}

/// A client with the same session as `c` but its own connection.
fn twin(c: &Client) -> Rc<Client> {
    Rc::new(Client {
        base: c.base.clone(),
        http: awc::Client::default(),
        cookie: c.cookie.clone(),
        csrf: c.csrf.clone(),
        bearer: c.bearer.clone(),
    })
}

#[actix_web::test]
async fn concurrent_joins_cannot_exceed_the_cap() {
    const CAP: usize = 1;
    const TRIES: usize = 16;
    const ROUNDS: usize = 20;
    let server = common::start_with(|cfg| cfg.limits.schools_per_user = CAP).await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "FR").await;
    let ann_id = ann.my_id().await;
    let mut schools = Vec::new();
    for i in 0..TRIES {
        schools.push(school(&ann, &format!("School {i}"), "FR", "Lyon").await);
    }
    let joiners: Vec<Rc<Client>> = (0..TRIES).map(|_| twin(&ann)).collect();
    let writers: Vec<Rc<Client>> = (0..TRIES).map(|_| twin(&bob)).collect();
    // Each round: ann tries to join every school at once while bob writes too.
    for round in 0..ROUNDS {
        let busy: Vec<_> = writers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = c.clone();
                actix_web::rt::spawn(async move {
                    create(&c, &format!("Busy {round}-{i}"), "DE", "Bonn").await
                })
            })
            .collect();
        let joins: Vec<_> = joiners
            .iter()
            .zip(&schools)
            .map(|(c, s)| {
                let (c, s) = (c.clone(), *s);
                actix_web::rt::spawn(async move { (s, join(&c, ann_id, s).await) })
            })
            .collect();
        let mut joined = Vec::new();
        for h in joins {
            let (s, r) = h.await.unwrap();
            match r.0 {
                StatusCode::CREATED => joined.push(s),
                _ => assert_error(&r, StatusCode::CONFLICT, "conflict"),
            }
        }
        for b in busy {
            assert_eq!(b.await.unwrap().0, StatusCode::CREATED);
        }
        let (_, mine) = ann.get(&format!("/api/users/{ann_id}/schools")).await;
        let held = mine.as_array().unwrap().len();
        assert!(
            joined.len() <= CAP && held <= CAP,
            "round {round}: {} joins succeeded and {held} schools are held; the cap is {CAP}",
            joined.len()
        );
        for s in joined {
            assert_eq!(leave(&ann, ann_id, s).await.0, StatusCode::OK);
        }
    }
    server.stop().await;
}
