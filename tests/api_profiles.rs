//! Profiles over real HTTP: public views, editing one's own profile, and profile pictures.

mod common;

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client};
use serde_json::{json, Value};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A small "PNG": the real signature followed by `len - 8` bytes of filler.
fn png(len: usize) -> Vec<u8> {
    let mut bytes = PNG_MAGIC.to_vec();
    bytes.extend((0..len - PNG_MAGIC.len()).map(|i| (i % 251) as u8));
    bytes
}

async fn patch_profile(c: &Client, id: u64, body: Value) -> (StatusCode, Value) {
    c.send(
        Method::PATCH,
        &format!("/api/users/{id}/profile"),
        Some(body),
    )
    .await
}

async fn put_picture(
    c: &Client,
    id: u64,
    content_type: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let (status, _, body) = c
        .send_raw(
            Method::PUT,
            &format!("/api/users/{id}/picture"),
            Some((content_type.to_string(), bytes)),
        )
        .await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn profile(c: &Client, id: u64) -> Value {
    let (status, body) = c.get(&format!("/api/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[actix_web::test]
async fn public_profiles_show_public_fields_and_never_the_email() {
    let server = common::start().await;
    let ann = server.member("ann.private@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let ann_id = ann.my_id().await;

    let (status, raw, bytes) = bob
        .send_raw(Method::GET, &format!("/api/users/{ann_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(raw
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains("ann.private@example.eu"), "{text}");
    assert!(!text.contains("argon2"), "{text}");
    let p: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(p["id"], ann_id);
    assert_eq!(p["display_name"], "ann.private");
    assert_eq!(p["country"], "FR");
    assert_eq!(p["languages"], json!([]));
    assert_eq!(p["subjects"], json!([]));
    assert_eq!(p["member_type"], "teacher");
    assert_eq!(p["bio"], "");
    assert_eq!(p["available_for_projects"], false);
    assert_eq!(
        p["roles"],
        json!({"etwinner": false, "nso_officer": null, "admin": false})
    );
    assert!(p["picture_url"].is_null());
    assert!(p["member_since"].is_string());
    for private in ["email", "password_hash", "validation", "nso_country"] {
        assert!(p.get(private).is_none(), "{private} is private: {p}");
    }
    // The member's own view does show the e-mail.
    assert_eq!(
        ann.get("/api/me").await.1["user"]["email"],
        "ann.private@example.eu"
    );
    let r = bob.get("/api/users/987654").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    server.stop().await;
}

#[actix_web::test]
async fn members_edit_their_own_profile_and_others_see_it() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let id = ann.my_id().await;
    let patch = json!({
        "display_name": "Ann Martin",
        "languages": ["fr", "en", "fr"],
        "subjects": ["ict", "history"],
        "bio": "Physics teacher in Lyon. Ünïcödé welcome.",
        "member_type": "head_teacher",
        "available_for_projects": true,
        "country": "BE",
    });
    let (status, own) = patch_profile(&ann, id, patch).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["email"], "ann@example.eu", "the answer is my own view");
    assert_eq!(
        own["languages"],
        json!(["fr", "en"]),
        "duplicates are dropped, order kept"
    );

    let seen = profile(&bob, id).await;
    assert_eq!(seen["display_name"], "Ann Martin");
    assert_eq!(seen["languages"], json!(["fr", "en"]));
    assert_eq!(seen["subjects"], json!(["ict", "history"]));
    assert_eq!(seen["bio"], "Physics teacher in Lyon. Ünïcödé welcome.");
    assert_eq!(seen["member_type"], "head_teacher");
    assert_eq!(seen["available_for_projects"], true);
    assert_eq!(seen["country"], "BE");

    // Absent fields stay as they are; present ones change.
    let (status, _) = patch_profile(
        &ann,
        id,
        json!({"available_for_projects": false, "subjects": []}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let after = profile(&bob, id).await;
    assert_eq!(after["available_for_projects"], false);
    assert_eq!(after["subjects"], json!([]));
    assert_eq!(after["bio"], seen["bio"]);
    assert_eq!(after["languages"], seen["languages"]);
    assert_eq!(after["country"], "BE");

    // A bio of exactly the limit counts characters, not bytes.
    let bio = "é".repeat(2000);
    let (status, _) = patch_profile(&ann, id, json!({"bio": bio})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile(&bob, id).await["bio"], bio.as_str());
    server.stop().await;
}

#[actix_web::test]
async fn editing_someone_elses_profile_is_forbidden() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let ann_api = server
        .client()
        .login_token("ann@example.eu", common::PASSWORD)
        .await;
    let bob_id = bob.my_id().await;
    let before = profile(&bob, bob_id).await;
    for c in [&ann, &ann_api] {
        let r = patch_profile(c, bob_id, json!({"bio": "defaced", "country": "PL"})).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(
        profile(&ann, bob_id).await,
        before,
        "bob's profile is unchanged"
    );
    server.stop().await;
}

#[actix_web::test]
async fn invalid_profile_changes_are_refused_and_change_nothing() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let id = ann.my_id().await;
    let (status, _) =
        patch_profile(&ann, id, json!({"bio": "original", "languages": ["fr"]})).await;
    assert_eq!(status, StatusCode::OK);
    let before = ann.get("/api/me").await.1;

    let thirteen: Vec<&str> = vec![
        "fr", "en", "de", "es", "it", "pl", "pt", "nl", "sv", "fi", "el", "ro", "hu",
    ];
    let invalid = [
        json!({"languages": ["fr", "xx"]}),
        json!({"languages": ["FR"]}),
        json!({"languages": thirteen}),
        json!({"subjects": ["alchemy"]}),
        json!({"subjects": ["ICT"]}),
        json!({"country": "ZZ"}),
        json!({"country": "fr"}),
        json!({"bio": "x".repeat(2001)}),
        json!({"display_name": "   "}),
        json!({"display_name": ""}),
        json!({"display_name": "n".repeat(81)}),
        json!({"bio": "ok", "languages": ["xx"]}),
    ];
    for patch in invalid {
        let r = patch_profile(&ann, id, patch.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    }
    let unparsable = [
        json!({"email": "new@example.eu"}),
        json!({"admin": true}),
        json!({"nso_country": "FR"}),
        json!({"bio": "ok", "validation": {"by": 1}}),
        json!({"member_type": "wizard"}),
        json!({"available_for_projects": "yes"}),
        json!({"languages": "fr"}),
    ];
    for patch in unparsable {
        let r = patch_profile(&ann, id, patch.clone()).await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{patch}: {}", r.1);
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    assert_eq!(
        ann.get("/api/me").await.1,
        before,
        "no refused change was written"
    );
    server.stop().await;
}

#[actix_web::test]
async fn changing_country_withdraws_the_validation() {
    let server = common::start().await;
    let admin = server.member("admin@example.eu", "FR").await;
    server.make_admin("admin@example.eu");
    let officer = server.member("nso.fr@example.eu", "FR").await;
    let ann = server.member("ann@example.eu", "FR").await;
    let (officer_id, ann_id) = (officer.my_id().await, ann.my_id().await);
    let (status, body) = admin.appoint_nso(officer_id, "FR").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = officer
        .send(
            Method::PUT,
            &format!("/api/nso/members/{ann_id}/validation"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(profile(&admin, ann_id).await["roles"]["etwinner"], true);

    // Restating the same country is no change: the validation stays.
    let (status, own) =
        patch_profile(&ann, ann_id, json!({"country": "FR", "bio": "still here"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["roles"]["etwinner"], true, "{own}");

    let (status, own) = patch_profile(&ann, ann_id, json!({"country": "DE"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["roles"]["etwinner"], false, "{own}");
    assert!(own["validation"].is_null(), "{own}");
    let seen = profile(&admin, ann_id).await;
    assert_eq!(seen["roles"]["etwinner"], false);
    assert_eq!(seen["country"], "DE");
    assert!(ann.get("/api/me").await.1["user"]["validation"].is_null());

    // She left FR's member list, so the FR officer can no longer validate her.
    let (status, all) = officer.get("/api/nso/members?status=all").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<u64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    assert!(!ids.contains(&ann_id), "{all}");
    let r = officer
        .send(
            Method::PUT,
            &format!("/api/nso/members/{ann_id}/validation"),
            None,
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(profile(&admin, ann_id).await["roles"]["etwinner"], false);
    server.stop().await;
}

#[actix_web::test]
async fn a_picture_uploads_and_downloads_unchanged() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let id = ann.my_id().await;
    let image = png(300);
    let (status, own) = put_picture(&ann, id, "image/png", image.clone()).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    let url = own["picture_url"]
        .as_str()
        .expect("picture_url")
        .to_string();
    assert!(
        url.starts_with(&format!("/api/users/{id}/picture")),
        "{url}"
    );
    assert_eq!(profile(&bob, id).await["picture_url"], url.as_str());

    for path in [url.clone(), format!("/api/users/{id}/picture")] {
        let (status, headers, bytes) = bob.send_raw(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes, image);
        assert_eq!(headers.get("content-type").unwrap(), "image/png");
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
        let csp = headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(csp.contains("sandbox"), "{csp}");
    }

    // A bearer client can replace it; the new bytes are served.
    let api = server
        .client()
        .login_token("ann@example.eu", common::PASSWORD)
        .await;
    let mut jpeg = b"\xff\xd8\xff\xe0".to_vec();
    jpeg.extend([7u8; 100]);
    let (status, _) = put_picture(&api, id, "image/jpeg", jpeg.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, headers, bytes) = bob
        .send_raw(Method::GET, &format!("/api/users/{id}/picture"), None)
        .await;
    assert_eq!(bytes, jpeg);
    assert_eq!(headers.get("content-type").unwrap(), "image/jpeg");
    server.stop().await;
}

#[actix_web::test]
async fn pictures_must_be_what_they_claim_and_refusals_keep_the_old_one() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let id = ann.my_id().await;

    // With no picture yet, refusals write nothing.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let r = put_picture(&ann, id, "image/png", html.clone()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    let r = put_picture(&ann, id, "text/html", html.clone()).await;
    assert_error(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let r = ann.get(&format!("/api/users/{id}/picture")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    assert!(profile(&ann, id).await["picture_url"].is_null());

    let image = png(64);
    assert_eq!(
        put_picture(&ann, id, "image/png", image.clone()).await.0,
        StatusCode::OK
    );
    let before = profile(&ann, id).await;
    let refused = [
        (
            "image/png",
            html.clone(),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "image/jpeg",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "image/webp",
            b"RIFF0000WAVEfmt ".to_vec(),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "image/png",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "text/html",
            html.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "image/svg+xml",
            b"<svg onload=alert(1)>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "application/octet-stream",
            image.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (content_type, bytes, status, code) in refused {
        let r = put_picture(&ann, id, content_type, bytes).await;
        assert_error(&r, status, code);
    }
    let (status, headers, bytes) = ann
        .send_raw(Method::GET, &format!("/api/users/{id}/picture"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, image, "the refused uploads replaced nothing");
    assert_eq!(headers.get("content-type").unwrap(), "image/png");
    assert_eq!(profile(&ann, id).await, before);
    server.stop().await;
}

#[actix_web::test]
async fn oversized_pictures_are_refused() {
    let server = common::start_with(|cfg| cfg.limits.picture_bytes = 2048).await;
    let ann = server.member("ann@example.eu", "FR").await;
    let id = ann.my_id().await;
    let r = put_picture(&ann, id, "image/png", png(4096)).await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = put_picture(&ann, id, "image/png", png(2049)).await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = ann.get(&format!("/api/users/{id}/picture")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    assert!(profile(&ann, id).await["picture_url"].is_null());

    // Exactly the limit is fine.
    let image = png(2048);
    let (status, body) = put_picture(&ann, id, "image/png", image.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, bytes) = ann
        .send_raw(Method::GET, &format!("/api/users/{id}/picture"), None)
        .await;
    assert_eq!(bytes, image);
    server.stop().await;
}

#[actix_web::test]
async fn another_members_picture_cannot_be_changed() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let bob_id = bob.my_id().await;
    let r = put_picture(&ann, bob_id, "image/png", png(100)).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = ann.get(&format!("/api/users/{bob_id}/picture")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");

    let image = png(120);
    assert_eq!(
        put_picture(&bob, bob_id, "image/png", image.clone())
            .await
            .0,
        StatusCode::OK
    );
    let r = put_picture(&ann, bob_id, "image/png", png(100)).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = ann
        .send(
            Method::DELETE,
            &format!("/api/users/{bob_id}/picture"),
            None,
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let (status, _, bytes) = ann
        .send_raw(Method::GET, &format!("/api/users/{bob_id}/picture"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, image, "bob's picture is untouched");
    server.stop().await;
}

#[actix_web::test]
async fn a_deleted_picture_is_gone() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let id = ann.my_id().await;
    assert_eq!(
        put_picture(&ann, id, "image/png", png(100)).await.0,
        StatusCode::OK
    );
    let (status, own) = ann
        .send(Method::DELETE, &format!("/api/users/{id}/picture"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(own["picture_url"].is_null(), "{own}");
    let r = ann.get(&format!("/api/users/{id}/picture")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    assert!(profile(&ann, id).await["picture_url"].is_null());
    let r = ann.get("/api/users/987654/picture").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    server.stop().await;
}

async fn put_language(c: &Client, body: Value) -> (StatusCode, Value) {
    c.send(Method::PUT, "/api/me/language", Some(body)).await
}

#[actix_web::test]
async fn the_ui_language_is_remembered_privately_for_every_login() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let ann_id = ann.my_id().await;
    let (_, me) = ann.get("/api/me").await;
    assert_eq!(me["user"]["ui_language"], Value::Null, "{me}");

    let (status, me) = put_language(&ann, json!({"language": "fr"})).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["ui_language"], "fr");
    assert_eq!(me["user"]["id"], ann_id);
    assert_eq!(
        me["csrf_token"],
        ann.csrf.clone().unwrap(),
        "the same MeResponse"
    );
    assert_eq!(ann.get("/api/me").await.1["user"]["ui_language"], "fr");

    // Another browser of the same member starts in it; other members never see it.
    let (status, elsewhere) = server
        .client()
        .post(
            "/api/auth/login",
            json!({"email": "ann@example.eu", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(elsewhere["user"]["ui_language"], "fr");
    let public = profile(&bob, ann_id).await;
    assert!(public.get("ui_language").is_none(), "{public}");

    // Only catalog codes; the wrong shape is a bad request; nothing changes.
    for bad in ["xx", "FR", "fra", ""] {
        let r = put_language(&ann, json!({ "language": bad })).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    }
    for bad in [json!({"language": 5}), json!({"lang": "de"}), json!("de")] {
        let r = put_language(&ann, bad).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    assert_eq!(ann.get("/api/me").await.1["user"]["ui_language"], "fr");

    // A write like any other: CSRF token with the cookie, or a bearer token.
    let mut no_csrf = ann.login_browser("ann@example.eu", common::PASSWORD).await;
    no_csrf.csrf = None;
    let r = put_language(&no_csrf, json!({"language": "de"})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "csrf_failed");
    let r = put_language(&server.client(), json!({"language": "de"})).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let api = server
        .client()
        .login_token("ann@example.eu", common::PASSWORD)
        .await;
    let (status, me) = put_language(&api, json!({"language": "de"})).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["ui_language"], "de");
    assert_eq!(me["csrf_token"], Value::Null);

    // null forgets the choice.
    let (status, me) = put_language(&ann, json!({"language": null})).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["ui_language"], Value::Null);
    assert_eq!(
        bob.get("/api/me").await.1["user"]["ui_language"],
        Value::Null
    );
    server.stop().await;
}

#[actix_web::test]
async fn a_display_name_is_one_line_of_text() {
    let server = common::start().await;
    let ann = server.member("ann@x.eu", "FR").await;
    let id = ann.my_id().await;
    let fake =
        json!({"display_name": "Ann\n\n-- \nTwinhub security: log in at https://evil.example"});
    let refused = patch_profile(&ann, id, fake).await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "validation_failed");
    let (status, body) = ann
        .post(
            "/api/auth/register",
            json!({"display_name": "Bob\tX", "email": "bob@x.eu", "password": common::PASSWORD, "country": "FR"}),
        )
        .await;
    assert_error(
        &(status, body),
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    assert_eq!(profile(&ann, id).await["display_name"], "ann");
    server.stop().await;
}
