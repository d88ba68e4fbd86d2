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

async fn refuse(by: &Client, id: u64, body: Option<Value>) -> (StatusCode, Value) {
    by.send(Method::PUT, &format!("/api/nso/members/{id}/refusal"), body)
        .await
}

/// The member's notifications, newest first.
async fn notifications(c: &Client) -> Vec<Value> {
    let (status, page) = c.get("/api/notifications").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn officers_refuse_members_of_their_own_country_and_the_member_learns_why() {
    let c = cast().await;
    assert_eq!(
        c.admin.appoint_nso(c.officer_id, "FR").await.0,
        StatusCode::OK
    );
    let de_officer = c.server.member("nso.de@example.eu", "DE").await;
    let de_officer_id = de_officer.my_id().await;
    assert_eq!(
        c.admin.appoint_nso(de_officer_id, "DE").await.0,
        StatusCode::OK
    );
    let reason = "Please add your school to your profile first.";

    let (status, p) = refuse(&c.officer, c.fr1_id, Some(json!({ "reason": reason }))).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["id"], c.fr1_id);
    assert_eq!(p["roles"]["etwinner"], false);
    assert!(
        p.get("refusal").is_none() && p.get("email").is_none(),
        "{p}"
    );

    // Out of the pending list, into the refused one.
    assert_eq!(listed(&c.officer, "").await, vec![c.fr2_id]);
    assert_eq!(listed(&c.officer, "?status=refused").await, vec![c.fr1_id]);
    assert!(listed(&c.officer, "?status=all").await.contains(&c.fr1_id));

    // The member sees the refusal and is told, with the reason; nobody else sees it.
    let (_, me) = c.fr1.get("/api/me").await;
    let refusal = &me["user"]["refusal"];
    assert_eq!(refusal["by"], c.officer_id, "{me}");
    assert_eq!(refusal["reason"], reason);
    assert!(refusal["at"].is_string());
    assert!(me["user"]["validation"].is_null());
    let (_, public) = c.de.get(&format!("/api/users/{}", c.fr1_id)).await;
    assert!(public.get("refusal").is_none(), "{public}");
    let told = notifications(&c.fr1).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["kind"], "validation_refused");
    assert_eq!(
        told[0]["params"],
        json!({"country": "FR", "by": c.officer_id, "reason": reason})
    );
    assert_eq!(c.fr1.get("/api/notifications/unread").await.1["unread"], 1);

    // The same refusal again changes nothing; a new reason is recorded and told.
    let again = refuse(&c.officer, c.fr1_id, Some(json!({ "reason": reason }))).await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(notifications(&c.fr1).await.len(), 1);
    assert_eq!(
        refuse(
            &c.officer,
            c.fr1_id,
            Some(json!({"reason": "No school yet."}))
        )
        .await
        .0,
        StatusCode::OK
    );
    let told = notifications(&c.fr1).await;
    assert_eq!(told.len(), 2);
    assert_eq!(told[0]["params"]["reason"], "No school yet.");

    // Another country's officer, a teacher, an administrator: refused, nothing changes.
    for (outsider, who) in [
        (&de_officer, "DE officer"),
        (&c.fr1, "teacher"),
        (&c.admin, "admin"),
    ] {
        let r = refuse(outsider, c.fr2_id, Some(json!({"reason": "no"}))).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = refuse(outsider, c.fr2_id, None).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        assert!(listed(&c.officer, "").await.contains(&c.fr2_id), "{who}");
    }
    let r = refuse(&c.officer, c.de_id, None).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = refuse(&c.officer, 987654, None).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = refuse(&c.server.client(), c.fr2_id, None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");

    // The reason has a limit (characters, not bytes) and the body a shape.
    let r = refuse(
        &c.officer,
        c.fr2_id,
        Some(json!({ "reason": "é".repeat(501) })),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    let r = refuse(&c.officer, c.fr2_id, Some(json!({"why": "x"}))).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let (status, _, body) = c
        .officer
        .send_raw(
            Method::PUT,
            &format!("/api/nso/members/{}/refusal", c.fr2_id),
            Some(("application/json".into(), b"{\"reason\":".to_vec())),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _, _) = c
        .officer
        .send_raw(
            Method::PUT,
            &format!("/api/nso/members/{}/refusal", c.fr2_id),
            Some(("text/plain".into(), b"no".to_vec())),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(listed(&c.officer, "").await.contains(&c.fr2_id));

    // No body at all is a refusal without a reason; 500 characters fit.
    let (status, _) = refuse(&c.officer, c.fr2_id, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        c.fr2.get("/api/me").await.1["user"]["refusal"]["reason"],
        ""
    );
    assert_eq!(notifications(&c.fr2).await[0]["params"]["reason"], "");
    let long = "é".repeat(500);
    assert_eq!(
        refuse(&c.officer, c.fr2_id, Some(json!({ "reason": long })))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        c.fr2.get("/api/me").await.1["user"]["refusal"]["reason"],
        long
    );
    c.server.stop().await;
}

#[actix_web::test]
async fn a_refusal_gives_way_to_a_validation_but_a_validation_is_withdrawn_first() {
    let c = cast().await;
    assert_eq!(
        c.admin.appoint_nso(c.officer_id, "FR").await.0,
        StatusCode::OK
    );

    // A validated member cannot be refused: 409, and the validation stands.
    assert_eq!(validate(&c.officer, c.fr2_id).await.0, StatusCode::OK);
    let r = refuse(
        &c.officer,
        c.fr2_id,
        Some(json!({"reason": "changed my mind"})),
    )
    .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let (_, me) = c.fr2.get("/api/me").await;
    assert!(
        me["user"]["validation"].is_object() && me["user"]["refusal"].is_null(),
        "{me}"
    );
    assert_eq!(
        notifications(&c.fr2).await.len(),
        1,
        "only the validation was told"
    );
    // Withdrawn first, the refusal goes through.
    assert_eq!(unvalidate(&c.officer, c.fr2_id).await.0, StatusCode::OK);
    assert_eq!(refuse(&c.officer, c.fr2_id, None).await.0, StatusCode::OK);
    assert_eq!(listed(&c.officer, "?status=refused").await, vec![c.fr2_id]);

    // An NSO may change its mind: validating a refused member clears the refusal.
    assert_eq!(refuse(&c.officer, c.fr1_id, None).await.0, StatusCode::OK);
    let (status, p) = validate(&c.officer, c.fr1_id).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["roles"]["etwinner"], true);
    let (_, me) = c.fr1.get("/api/me").await;
    assert!(me["user"]["refusal"].is_null(), "{me}");
    assert_eq!(me["user"]["validation"]["by"], c.officer_id);
    assert_eq!(notifications(&c.fr1).await[0]["kind"], "validated");
    assert_eq!(listed(&c.officer, "?status=refused").await, vec![c.fr2_id]);
    assert_eq!(
        listed(&c.officer, "?status=validated").await,
        vec![c.fr1_id]
    );
    assert_eq!(listed(&c.officer, "").await, Vec::<u64>::new());

    // Moving to another country clears the refusal: that country's NSO decides afresh.
    let (status, p) = c
        .fr2
        .send(
            Method::PATCH,
            &format!("/api/users/{}/profile", c.fr2_id),
            Some(json!({"country": "DE"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert!(p["refusal"].is_null(), "{p}");
    assert!(c.fr2.get("/api/me").await.1["user"]["refusal"].is_null());
    assert_eq!(
        listed(&c.officer, "?status=refused").await,
        Vec::<u64>::new()
    );
    c.server.stop().await;
}
