//! NSO work over real HTTP (R1): administrators appoint officers; officers list and validate
//! the members of their own country only.

mod common;

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client, TestServer};
use serde_json::{json, Value};

/// Everyone a test needs: an administrator, a would-be officer, FR and DE teachers.
struct Cast {
    server: TestServer,
    admin: Client,
    officer: Client,
    fr1: Client,
    fr2: Client,
    de: Client,
    admin_id: u64,
    officer_id: u64,
    fr1_id: u64,
    fr2_id: u64,
    de_id: u64,
}

async fn cast() -> Cast {
    let server = common::start().await;
    let admin = server.member("admin@example.eu", "FR").await;
    server.make_admin("admin@example.eu");
    let officer = server.member("nso.fr@example.eu", "FR").await;
    let fr1 = server.member("fr1@example.eu", "FR").await;
    let fr2 = server.member("fr2@example.eu", "FR").await;
    let de = server.member("de@example.eu", "DE").await;
    let (admin_id, officer_id) = (admin.my_id().await, officer.my_id().await);
    let (fr1_id, fr2_id, de_id) = (fr1.my_id().await, fr2.my_id().await, de.my_id().await);
    Cast {
        server,
        admin,
        officer,
        fr1,
        fr2,
        de,
        admin_id,
        officer_id,
        fr1_id,
        fr2_id,
        de_id,
    }
}

async fn dismiss(by: &Client, id: u64) -> (StatusCode, Value) {
    by.send(
        Method::DELETE,
        &format!("/api/admin/nso-officers/{id}"),
        None,
    )
    .await
}

async fn validate(by: &Client, id: u64) -> (StatusCode, Value) {
    by.send(
        Method::PUT,
        &format!("/api/nso/members/{id}/validation"),
        None,
    )
    .await
}

async fn unvalidate(by: &Client, id: u64) -> (StatusCode, Value) {
    by.send(
        Method::DELETE,
        &format!("/api/nso/members/{id}/validation"),
        None,
    )
    .await
}

async fn roles(c: &Client, id: u64) -> Value {
    let (status, p) = c.get(&format!("/api/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    p["roles"].clone()
}

/// The ids of one page of GET /api/nso/members with `query`.
async fn listed(c: &Client, query: &str) -> Vec<u64> {
    let (status, page) = c.get(&format!("/api/nso/members{query}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect()
}

#[actix_web::test]
async fn only_administrators_appoint_and_dismiss_officers() {
    let c = cast().await;
    for intruder in [&c.fr1, &c.officer] {
        let r = intruder.appoint_nso(c.officer_id, "FR").await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(
        roles(&c.fr1, c.officer_id).await["nso_officer"],
        Value::Null
    );
    let r = validate(&c.officer, c.fr1_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    let (status, p) = c.admin.appoint_nso(c.officer_id, "FR").await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["roles"]["nso_officer"], "FR");
    assert_eq!(roles(&c.fr1, c.officer_id).await["nso_officer"], "FR");

    // A teacher cannot dismiss them, nor appoint themself.
    let r = dismiss(&c.fr1, c.officer_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = c.fr1.appoint_nso(c.fr1_id, "FR").await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(roles(&c.fr1, c.officer_id).await["nso_officer"], "FR");
    assert_eq!(roles(&c.fr1, c.fr1_id).await["nso_officer"], Value::Null);

    // Bad appointments are refused and change nothing.
    let r = c.admin.appoint_nso(c.officer_id, "XX").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    let r = c.admin.appoint_nso(987654, "FR").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = c
        .admin
        .send(
            Method::PUT,
            &format!("/api/admin/nso-officers/{}", c.officer_id),
            Some(json!({})),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(roles(&c.fr1, c.officer_id).await["nso_officer"], "FR");
    c.server.stop().await;
}

#[actix_web::test]
async fn officers_list_the_pending_members_of_their_own_country() {
    let c = cast().await;
    assert_eq!(
        c.admin.appoint_nso(c.officer_id, "FR").await.0,
        StatusCode::OK
    );

    let pending = listed(&c.officer, "").await;
    assert_eq!(
        pending,
        vec![c.fr1_id, c.fr2_id],
        "FR teachers only: no DE member, no staff"
    );
    assert_eq!(listed(&c.officer, "?status=pending").await, pending);
    let all = listed(&c.officer, "?status=all").await;
    assert_eq!(all, vec![c.admin_id, c.officer_id, c.fr1_id, c.fr2_id]);
    assert!(!all.contains(&c.de_id));
    assert_eq!(
        listed(&c.officer, "?status=validated").await,
        Vec::<u64>::new()
    );

    // Paging one at a time walks the same members.
    let (status, page) = c.officer.get("/api/nso/members?limit=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"][0]["id"], c.fr1_id);
    assert!(
        page["items"][0].get("email").is_none(),
        "public profiles only"
    );
    let next = page["next"].as_str().expect("a second page").to_string();
    let (_, page) = c
        .officer
        .get(&format!("/api/nso/members?limit=1&after={next}"))
        .await;
    assert_eq!(page["items"][0]["id"], c.fr2_id);
    assert!(page["next"].is_null(), "{page}");

    // Only officers may look.
    for outsider in [&c.fr1, &c.de, &c.admin] {
        let r = outsider.get("/api/nso/members").await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    let r = c.server.client().get("/api/nso/members").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let r = c.officer.get("/api/nso/members?status=bogus").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    c.server.stop().await;
}

#[actix_web::test]
async fn officers_validate_members_of_their_own_country_only() {
    let c = cast().await;
    assert_eq!(
        c.admin.appoint_nso(c.officer_id, "FR").await.0,
        StatusCode::OK
    );

    let (status, p) = validate(&c.officer, c.fr1_id).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["roles"]["etwinner"], true);
    assert_eq!(roles(&c.de, c.fr1_id).await["etwinner"], true);
    let (_, me) = c.fr1.get("/api/me").await;
    assert_eq!(me["user"]["validation"]["by"], c.officer_id, "{me}");
    let validated_at = me["user"]["validation"]["at"].clone();
    assert!(validated_at.is_string());
    assert_eq!(listed(&c.officer, "").await, vec![c.fr2_id]);
    assert_eq!(
        listed(&c.officer, "?status=validated").await,
        vec![c.fr1_id]
    );

    // Validating again is harmless and keeps the original record.
    assert_eq!(validate(&c.officer, c.fr1_id).await.0, StatusCode::OK);
    assert_eq!(
        c.fr1.get("/api/me").await.1["user"]["validation"]["at"],
        validated_at
    );

    // Another country's member, an unknown member, and a teacher acting as officer: refused.
    let r = validate(&c.officer, c.de_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(roles(&c.fr1, c.de_id).await["etwinner"], false);
    assert!(c.de.get("/api/me").await.1["user"]["validation"].is_null());
    let r = validate(&c.officer, 987654).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = validate(&c.fr1, c.fr2_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = validate(&c.admin, c.fr2_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = unvalidate(&c.fr2, c.fr1_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(roles(&c.fr1, c.fr2_id).await["etwinner"], false);
    assert_eq!(roles(&c.fr2, c.fr1_id).await["etwinner"], true);

    // Withdrawing the validation puts the member back in the pending list.
    let (status, p) = unvalidate(&c.officer, c.fr1_id).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["roles"]["etwinner"], false);
    assert_eq!(roles(&c.de, c.fr1_id).await["etwinner"], false);
    assert!(c.fr1.get("/api/me").await.1["user"]["validation"].is_null());
    assert_eq!(listed(&c.officer, "").await, vec![c.fr1_id, c.fr2_id]);
    assert_eq!(
        listed(&c.officer, "?status=validated").await,
        Vec::<u64>::new()
    );
    let r = unvalidate(&c.officer, c.de_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    c.server.stop().await;
}

#[actix_web::test]
async fn a_dismissed_officer_can_no_longer_validate() {
    let c = cast().await;
    assert_eq!(
        c.admin.appoint_nso(c.officer_id, "FR").await.0,
        StatusCode::OK
    );
    assert_eq!(validate(&c.officer, c.fr1_id).await.0, StatusCode::OK);

    let (status, p) = dismiss(&c.admin, c.officer_id).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["roles"]["nso_officer"], Value::Null);
    // The same session, with no new login: the role is gone at once.
    let r = validate(&c.officer, c.fr2_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(roles(&c.fr1, c.fr2_id).await["etwinner"], false);
    let r = unvalidate(&c.officer, c.fr1_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        roles(&c.fr2, c.fr1_id).await["etwinner"],
        true,
        "earlier validations stand"
    );
    let r = c.officer.get("/api/nso/members").await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        c.officer.get("/api/me").await.0,
        StatusCode::OK,
        "still a member"
    );
    c.server.stop().await;
}

#[actix_web::test]
async fn a_reassigned_officer_works_for_the_new_country_only() {
    let c = cast().await;
    assert_eq!(
        c.admin.appoint_nso(c.officer_id, "FR").await.0,
        StatusCode::OK
    );
    let (status, p) = c.admin.appoint_nso(c.officer_id, "DE").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["roles"]["nso_officer"], "DE");
    assert_eq!(listed(&c.officer, "").await, vec![c.de_id]);
    let r = validate(&c.officer, c.fr1_id).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(roles(&c.de, c.fr1_id).await["etwinner"], false);
    assert_eq!(validate(&c.officer, c.de_id).await.0, StatusCode::OK);
    assert_eq!(roles(&c.fr1, c.de_id).await["etwinner"], true);
    c.server.stop().await;
}
