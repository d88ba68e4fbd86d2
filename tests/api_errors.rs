//! The API's edges over real HTTP: refused bodies, paths and queries, the one error shape,
//! the OpenAPI document, metrics and security headers.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client, TestServer, PASSWORD};
use serde_json::{json, Value};
use twinhub::service::accounts;

type Raw = (StatusCode, HeaderMap, Value);

async fn raw(c: &Client, method: Method, path: &str, body: Option<(&str, Vec<u8>)>) -> Raw {
    let (status, headers, bytes) = c
        .send_raw(method, path, body.map(|(ct, b)| (ct.to_string(), b)))
        .await;
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, headers, value)
}

async fn raw_json(c: &Client, method: Method, path: &str, text: &str) -> Raw {
    raw(
        c,
        method,
        path,
        Some(("application/json", text.as_bytes().to_vec())),
    )
    .await
}

/// Asserts status and code, and that the body is exactly `{"error":{"code","message"}}` JSON.
fn check_error(r: &Raw, status: StatusCode, code: &str) {
    let (got, headers, body) = r;
    assert_error(&(*got, body.clone()), status, code);
    assert_shape(headers, body);
}

fn assert_shape(headers: &HeaderMap, body: &Value) {
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/json"), "{body}");
    let top: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert_eq!(top, ["error"], "{body}");
    let error = body["error"].as_object().expect("error is an object");
    let keys: BTreeSet<&str> = error.keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["code", "message"]), "{body}");
    assert!(
        error["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{body}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

fn exists(server: &TestServer, email: &str) -> bool {
    accounts::user_by_email(&server.core, email)
        .unwrap()
        .is_some()
}

fn registration(email: &str) -> Value {
    json!({"display_name": "Ann", "email": email, "password": PASSWORD, "country": "FR"})
}

#[actix_web::test]
async fn malformed_and_mistyped_json_is_a_bad_request_and_writes_nothing() {
    let server = common::start().await;
    let c = server.client();
    let valid = registration("ann@example.eu").to_string();
    let malformed = [
        valid[..valid.len() - 1].to_string(),
        "{not json".to_string(),
        String::new(),
        format!("{valid}{valid}"),
    ];
    for text in &malformed {
        let r = raw_json(&c, Method::POST, "/api/auth/register", text).await;
        check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    let mistyped = [
        json!({"display_name": 5, "email": "ann@example.eu", "password": PASSWORD}),
        json!({"display_name": "Ann", "email": ["ann@example.eu"], "password": PASSWORD}),
        json!({"display_name": "Ann", "email": "ann@example.eu", "password": 1}),
        json!("ann@example.eu"),
        json!([registration("ann@example.eu")]),
        Value::Null,
    ];
    for body in &mistyped {
        let r = raw_json(&c, Method::POST, "/api/auth/register", &body.to_string()).await;
        check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    assert!(
        !exists(&server, "ann@example.eu"),
        "no refused registration created the account"
    );

    // The same on authenticated endpoints, which stay unchanged.
    let bob = server.member("bob@example.eu", "FR").await;
    let id = bob.my_id().await;
    let before = bob.get("/api/me").await.1;
    let r = raw_json(
        &bob,
        Method::PATCH,
        &format!("/api/users/{id}/profile"),
        "{\"bio\": ",
    )
    .await;
    check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = raw_json(
        &bob,
        Method::PATCH,
        &format!("/api/users/{id}/profile"),
        r#"{"languages": 5}"#,
    )
    .await;
    check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = raw_json(
        &bob,
        Method::POST,
        &format!("/api/users/{id}/schools"),
        r#"{"school_id": "abc"}"#,
    )
    .await;
    check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = raw_json(
        &bob,
        Method::POST,
        &format!("/api/users/{id}/schools"),
        r#"{"school_id": -4}"#,
    )
    .await;
    check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(bob.get("/api/me").await.1, before);
    server.stop().await;
}

#[actix_web::test]
async fn json_with_another_content_type_is_unsupported() {
    let server = common::start().await;
    let c = server.client();
    let body = registration("ann@example.eu").to_string().into_bytes();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = raw(
            &c,
            Method::POST,
            "/api/auth/register",
            Some((content_type, body.clone())),
        )
        .await;
        check_error(
            &r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
    assert!(!exists(&server, "ann@example.eu"));
    // The declared type decides, not the look of the body: the same bytes as JSON go through.
    let r = raw(
        &c,
        Method::POST,
        "/api/auth/register",
        Some(("application/json", body)),
    )
    .await;
    assert_eq!(r.0, StatusCode::ACCEPTED, "{}", r.2);
    assert!(exists(&server, "ann@example.eu"));
    server.stop().await;
}

#[actix_web::test]
async fn json_bodies_over_the_limit_are_refused() {
    let server = common::start_with(|cfg| cfg.limits.json_body_bytes = 1024).await;
    let c = server.client();
    let mut big = registration("ann@example.eu");
    big["display_name"] = json!("A".repeat(1100));
    let r = raw_json(&c, Method::POST, "/api/auth/register", &big.to_string()).await;
    check_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(!exists(&server, "ann@example.eu"));

    let bob = server.member("bob@example.eu", "FR").await;
    let id = bob.my_id().await;
    let r = raw_json(
        &bob,
        Method::PATCH,
        &format!("/api/users/{id}/profile"),
        &json!({"bio": "b".repeat(1500)}).to_string(),
    )
    .await;
    check_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(bob.get("/api/me").await.1["user"]["bio"], "");
    // Just under the limit is fine.
    let r = raw_json(
        &bob,
        Method::PATCH,
        &format!("/api/users/{id}/profile"),
        &json!({"bio": "b".repeat(900)}).to_string(),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    server.stop().await;
}

#[actix_web::test]
async fn json_bodies_over_the_default_limit_are_refused() {
    let server = common::start().await;
    let c = server.client();
    let mut big = registration("ann@example.eu");
    big["display_name"] = json!("A".repeat(70_000));
    let r = raw_json(&c, Method::POST, "/api/auth/register", &big.to_string()).await;
    check_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(!exists(&server, "ann@example.eu"));
    server.stop().await;
}

#[actix_web::test]
async fn bad_path_ids_are_bad_requests_and_unknown_ids_not_found() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let id = ann.my_id().await;
    let bad = [
        (Method::GET, "/api/users/abc".to_string()),
        (Method::GET, "/api/users/-1".to_string()),
        (Method::GET, "/api/users/1.5".to_string()),
        (Method::GET, "/api/users/18446744073709551616".to_string()),
        (Method::GET, "/api/schools/abc".to_string()),
        (Method::GET, "/api/users/abc/picture".to_string()),
        (Method::GET, "/api/users/abc/schools".to_string()),
        (Method::DELETE, format!("/api/users/{id}/schools/x")),
        (Method::PUT, "/api/nso/members/abc/validation".to_string()),
        (Method::DELETE, "/api/admin/nso-officers/abc".to_string()),
    ];
    for (method, path) in bad {
        let r = raw(&ann, method.clone(), &path, None).await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{method} {path}: {}", r.2);
        check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    for path in [
        "/api/users/987654",
        "/api/schools/987654",
        "/api/users/987654/schools",
        "/api/users/987654/picture",
        "/api/users/0",
    ] {
        let r = raw(&ann, Method::GET, path, None).await;
        check_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    server.stop().await;
}

#[actix_web::test]
async fn unknown_endpoints_answer_404_in_the_error_shape() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let anon = server.client();
    for c in [&ann, &anon] {
        for path in [
            "/api/nope",
            "/nope",
            "/api/users/1/unknown",
            "/api/",
            "/api/auth",
        ] {
            let r = raw(c, Method::GET, path, None).await;
            check_error(&r, StatusCode::NOT_FOUND, "not_found");
        }
        let r = raw(
            c,
            Method::POST,
            "/api/nope",
            Some(("application/json", b"{}".to_vec())),
        )
        .await;
        check_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    // A known path with the wrong method is refused in the same shape.
    for (method, path) in [
        (Method::DELETE, "/api/me"),
        (Method::GET, "/api/auth/login"),
        (Method::PUT, "/api/schools"),
    ] {
        let r = raw(&ann, method.clone(), path, None).await;
        assert!(
            r.0 == StatusCode::NOT_FOUND || r.0 == StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {}",
            r.0
        );
        assert_shape(&r.1, &r.2);
    }
    server.stop().await;
}

#[actix_web::test]
async fn bad_paging_and_filter_queries_are_bad_requests() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    for i in 0..3 {
        let r = ann
            .post(
                "/api/schools",
                json!({"name": format!("School {i}"), "country": "FR", "city": "Lyon"}),
            )
            .await;
        assert_eq!(r.0, StatusCode::CREATED);
    }
    for query in [
        "after=zz",
        "after=0",
        "after=%C3%A91",
        "limit=abc",
        "limit=-1",
        "after=0g",
    ] {
        let r = raw(&ann, Method::GET, &format!("/api/schools?{query}"), None).await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{query}: {}", r.2);
        check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    // Out-of-range page sizes are clamped, not refused.
    let (status, page) = ann.get("/api/schools?limit=0").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (status, page) = ann.get("/api/schools?limit=100000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);

    // The NSO list checks its cursor too.
    server.make_admin("ann@example.eu");
    let id = ann.my_id().await;
    let (status, _) = ann.appoint_nso(id, "FR").await;
    assert_eq!(status, StatusCode::OK);
    let r = raw(&ann, Method::GET, "/api/nso/members?after=zz", None).await;
    check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = raw(&ann, Method::GET, "/api/nso/members?status=nope", None).await;
    check_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    server.stop().await;
}

#[actix_web::test]
async fn every_refusal_has_the_error_shape() {
    let server = common::start_with(|cfg| cfg.auth.login_failures_per_account = 1).await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let bob_id = bob.my_id().await;
    let anon = server.client();
    let mut forged = server.client();
    forged.cookie = ann.cookie.clone();
    forged.csrf = Some("forged".into());
    let patch = |body: &str| Some(("application/json", body.as_bytes().to_vec()));
    let cases: Vec<(Raw, StatusCode, &str)> = vec![
        (
            raw(&anon, Method::GET, "/api/me", None).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            raw_json(
                &anon,
                Method::POST,
                "/api/auth/token",
                r#"{"email":"ann@example.eu","password":"wrong password"}"#,
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            raw_json(
                &anon,
                Method::POST,
                "/api/auth/token",
                r#"{"email":"ann@example.eu","password":"wrong password"}"#,
            )
            .await,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
        ),
        (
            raw(
                &forged,
                Method::PATCH,
                &format!("/api/users/{bob_id}/profile"),
                patch("{}"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "csrf_failed",
        ),
        (
            raw(
                &ann,
                Method::PATCH,
                &format!("/api/users/{bob_id}/profile"),
                patch("{}"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            raw(
                &bob,
                Method::PATCH,
                &format!("/api/users/{bob_id}/profile"),
                patch(r#"{"country":"XX"}"#),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            raw(
                &bob,
                Method::PUT,
                &format!("/api/users/{bob_id}/picture"),
                Some(("text/html", b"<p>".to_vec())),
            )
            .await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            raw(&bob, Method::GET, "/api/schools/5555", None).await,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (r, status, code) in &cases {
        check_error(r, *status, code);
        assert_eq!(r.1.get("x-content-type-options").unwrap(), "nosniff");
    }
    server.stop().await;
}

/// Every route registered under src/http (method and path as the OpenAPI document writes them).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/token"),
    ("post", "/api/auth/logout"),
    ("get", "/api/me"),
    ("put", "/api/me/language"),
    ("get", "/api/users/{id}"),
    ("patch", "/api/users/{id}/profile"),
    ("get", "/api/users/{id}/picture"),
    ("put", "/api/users/{id}/picture"),
    ("delete", "/api/users/{id}/picture"),
    ("post", "/api/schools"),
    ("get", "/api/schools"),
    ("get", "/api/schools/{id}"),
    ("get", "/api/users/{id}/schools"),
    ("post", "/api/users/{id}/schools"),
    ("delete", "/api/users/{id}/schools/{school_id}"),
    ("post", "/api/contacts/requests"),
    ("get", "/api/contacts"),
    ("get", "/api/contacts/requests/received"),
    ("get", "/api/contacts/requests/sent"),
    ("get", "/api/contacts/{id}/state"),
    ("post", "/api/contacts/requests/{id}/accept"),
    ("post", "/api/contacts/requests/{id}/decline"),
    ("delete", "/api/contacts/requests/{id}"),
    ("delete", "/api/contacts/{id}"),
    ("put", "/api/blocks/{id}"),
    ("delete", "/api/blocks/{id}"),
    ("get", "/api/blocks"),
    ("post", "/api/mail"),
    ("get", "/api/mail/inbox"),
    ("get", "/api/mail/sent"),
    ("get", "/api/mail/unread"),
    ("get", "/api/mail/{id}"),
    ("get", "/api/mail/{id}/thread"),
    ("post", "/api/mail/{id}/unread"),
    ("delete", "/api/mail/{id}"),
    ("post", "/api/users/{id}/message"),
    ("get", "/api/nso/members"),
    ("put", "/api/nso/members/{id}/validation"),
    ("delete", "/api/nso/members/{id}/validation"),
    ("put", "/api/nso/members/{id}/refusal"),
    ("put", "/api/admin/nso-officers/{id}"),
    ("delete", "/api/admin/nso-officers/{id}"),
    ("post", "/api/admin/backups"),
    ("get", "/api/catalog"),
    ("get", "/api/ui"),
    ("get", "/api/notifications"),
    ("get", "/api/notifications/unread"),
    ("post", "/api/notifications/read"),
    ("post", "/api/notifications/read-all"),
    ("get", "/api/groups/code-of-conduct"),
    ("post", "/api/groups"),
    ("get", "/api/groups/{id}"),
    ("patch", "/api/groups/{id}"),
    ("get", "/api/groups/{id}/picture"),
    ("put", "/api/groups/{id}/picture"),
    ("delete", "/api/groups/{id}/picture"),
    ("get", "/api/groups/{id}/members"),
    ("post", "/api/groups/{id}/members"),
    ("delete", "/api/groups/{id}/members/me"),
    ("delete", "/api/groups/{id}/members/{user}"),
    ("put", "/api/groups/{id}/admins/{user}"),
    ("delete", "/api/groups/{id}/admins/{user}"),
    ("post", "/api/groups/{id}/invitations"),
    ("get", "/api/groups/{id}/invitations"),
    ("delete", "/api/groups/{id}/invitations/me"),
    ("delete", "/api/groups/{id}/invitations/{user}"),
    ("get", "/api/me/groups"),
    ("get", "/api/me/group-invitations"),
    ("post", "/api/groups/{id}/messages"),
    ("get", "/api/groups/{id}/messages"),
    ("get", "/api/groups/{id}/changes"),
    ("patch", "/api/groups/{id}/messages/{message}"),
    ("delete", "/api/groups/{id}/messages/{message}"),
    ("post", "/api/groups/{id}/read"),
    ("get", "/api/search"),
    ("post", "/api/postings"),
    ("get", "/api/me/postings"),
    ("get", "/api/postings/{id}"),
    ("patch", "/api/postings/{id}"),
    ("delete", "/api/postings/{id}"),
    ("get", "/api/postings/{id}/comments"),
    ("post", "/api/postings/{id}/comments"),
    ("delete", "/api/postings/{id}/comments/{comment_id}"),
    ("get", "/healthz"),
    ("get", "/metrics"),
    ("get", "/ws"),
];

#[actix_web::test]
async fn the_openapi_document_lists_every_route_and_both_security_schemes() {
    let server = common::start().await;
    let anon = server.client();
    let (status, headers, doc) = raw(&anon, Method::GET, "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert!(headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with('3')),
        "{}",
        doc["openapi"]
    );

    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                documented
                    .entry(path.clone())
                    .or_default()
                    .insert(method.to_string());
            }
        }
    }
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (method, path) in ROUTES {
        expected
            .entry(path.to_string())
            .or_default()
            .insert(method.to_string());
    }
    assert_eq!(documented, expected);

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http", "{schemes}");
    assert_eq!(schemes["bearer"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["session_cookie"]["type"], "apiKey", "{schemes}");
    assert_eq!(schemes["session_cookie"]["in"], "cookie", "{schemes}");
    assert_eq!(
        schemes["session_cookie"]["name"], "twinhub_session",
        "{schemes}"
    );
    let security = doc["security"].to_string();
    assert!(
        security.contains("bearer") && security.contains("session_cookie"),
        "{security}"
    );

    // Every documented route really answers (not the 404 of an unknown endpoint).
    let ann = server.member("ann@example.eu", "FR").await;
    for (method, path) in ROUTES {
        let concrete = path.replace("{id}", "1").replace("{school_id}", "1");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let body = Some(("application/json", b"{}".to_vec()));
        let r = raw(&ann, method.clone(), &concrete, body).await;
        let unknown_endpoint =
            r.0 == StatusCode::NOT_FOUND && r.2["error"]["message"] == "endpoint not found";
        assert!(
            !unknown_endpoint,
            "{method} {concrete} is documented but not served"
        );
    }
    server.stop().await;
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    assert_eq!(ann.get("/api/users/424242").await.0, StatusCode::NOT_FOUND);
    assert_eq!(ann.get("/api/catalog").await.0, StatusCode::OK);
    assert_eq!(
        ann.get("/api/no-such-endpoint-xyz").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, headers, bytes) = server
        .client()
        .send_raw(Method::GET, "/metrics", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("# TYPE twinhub_http_requests_total counter"),
        "{text}"
    );
    let counted = |route: &str, status: &str| {
        text.lines().any(|l| {
            l.starts_with("twinhub_http_requests_total{")
                && l.contains(&format!("route=\"{route}\""))
                && l.contains(&format!("status=\"{status}\""))
                && l.contains("method=\"GET\"")
        })
    };
    assert!(counted("/api/users/{id}", "404"), "{text}");
    assert!(counted("/api/catalog", "200"), "{text}");
    assert!(counted("/api/me", "200"), "{text}");
    assert!(
        text.contains("twinhub_http_request_duration_seconds"),
        "{text}"
    );
    // Labels hold route patterns, never raw paths (bounded cardinality).
    assert!(!text.contains("424242"), "{text}");
    assert!(!text.contains("no-such-endpoint-xyz"), "{text}");
    server.stop().await;
}

/// A client whose every request claims, in `X-Forwarded-For`, to come through `chain`.
fn forwarded_for(server: &TestServer, chain: &str) -> Client {
    let mut c = server.client();
    c.http = awc::Client::builder()
        .add_default_header(("X-Forwarded-For", chain))
        .finish();
    c
}

#[actix_web::test]
async fn metrics_answer_only_the_allowed_addresses_seen_through_trusted_proxies() {
    // The test client connects from 127.0.0.1, which plays a reverse proxy here.
    let server = common::start_with(|cfg| {
        cfg.server.metrics_allowed = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let r = raw(&server.client(), Method::GET, "/metrics", None).await;
    check_error(&r, StatusCode::NOT_FOUND, "not_found");
    // No proxy is trusted: a client cannot claim an allowed address.
    let forged = forwarded_for(&server, "10.1.2.3");
    let r = raw(&forged, Method::GET, "/metrics", None).await;
    check_error(&r, StatusCode::NOT_FOUND, "not_found");
    server.stop().await;

    let server = common::start_with(|cfg| {
        cfg.server.metrics_allowed = vec!["10.0.0.0/8".parse().unwrap()];
        cfg.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let (status, _, _) = forwarded_for(&server, "10.1.2.3")
        .send_raw(Method::GET, "/metrics", None)
        .await;
    assert_eq!(status, StatusCode::OK, "an allowed client behind the proxy");
    // What the client wrote left of the proxy's own entry is not believed.
    let forged = forwarded_for(&server, "10.1.2.3, 203.0.113.9");
    let r = raw(&forged, Method::GET, "/metrics", None).await;
    check_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = raw(&server.client(), Method::GET, "/metrics", None).await;
    check_error(&r, StatusCode::NOT_FOUND, "not_found");
    server.stop().await;
}

#[actix_web::test]
async fn api_answers_carry_security_headers() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let anon = server.client();
    let answers = [
        raw(&anon, Method::GET, "/api/catalog", None).await,
        raw(&anon, Method::GET, "/api/me", None).await,
        raw(&ann, Method::GET, "/api/me", None).await,
        raw(&anon, Method::GET, "/api/nope", None).await,
        raw(&anon, Method::GET, "/healthz", None).await,
        raw_json(&anon, Method::POST, "/api/auth/register", "{").await,
        raw(&ann, Method::GET, "/api/users/abc", None).await,
    ];
    for (status, headers, body) in &answers {
        let h = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            h("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{status} {body}"
        );
        assert_eq!(
            h("x-frame-options").as_deref(),
            Some("DENY"),
            "{status} {body}"
        );
        let csp = h("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'"), "{status}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{status}: {csp}");
    }
    server.stop().await;
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The JSON body around a field's value.
type BodyAround = Box<dyn Fn(&str) -> Value>;

/// One text field of one endpoint: how it is sent, and the body around a value (none: the
/// value goes at the end of `path`, a query parameter).
struct TextField {
    field: &'static str,
    multiline: bool,
    method: Method,
    path: String,
    body: Option<BodyAround>,
}

fn field(
    field: &'static str,
    multiline: bool,
    method: Method,
    path: impl Into<String>,
    body: impl Fn(&str) -> Value + 'static,
) -> TextField {
    TextField {
        field,
        multiline,
        method,
        path: path.into(),
        body: Some(Box::new(body)),
    }
}

/// A query parameter `q` of a GET.
fn query(path: &str) -> TextField {
    TextField {
        field: "q",
        multiline: false,
        method: Method::GET,
        path: format!("{path}?q="),
        body: None,
    }
}

#[actix_web::test]
async fn control_characters_are_refused_in_every_text_field_naming_it() {
    let server = common::start().await;
    let officer = common::fr_officer(&server).await;
    let (ann, ann_id) = server.teacher(&officer, "ann@example.eu", true).await;
    let (bob, _) = server.teacher(&officer, "bob@example.eu", true).await;
    let (_, cat_id) = server.teacher(&officer, "cat@example.eu", false).await;
    server.connect(&ann, &bob).await;
    let bob_id = bob.my_id().await;
    let school = json!({"name": "Lycée Ampère", "country": "FR", "city": "Lyon"});
    let (_, school) = ann.post("/api/schools", school).await;
    let school_id = school["id"].as_u64().unwrap();
    let mine = json!({"school_id": school_id});
    let r = ann
        .post(&format!("/api/users/{ann_id}/schools"), mine)
        .await;
    assert!(r.0.is_success(), "{}", r.1);
    let group = |title: &str, description: &str| {
        json!({"title": title, "description": description, "subjects": ["biology"],
            "languages": ["en"], "policy": "all",
            "accept_code_of_conduct": twinhub::domain::code_of_conduct::VERSION})
    };
    let (status, g) = ann.post("/api/groups", group("Weather", "")).await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    let g = g["id"].as_u64().unwrap();
    let chat = format!("/api/groups/{g}/messages");
    let (_, message) = ann
        .post(&chat, json!({"client_id": "m1", "text": "Hi"}))
        .await;
    let message = message["id"].as_u64().unwrap();
    let until = time::OffsetDateTime::now_utc().date() + time::Duration::days(30);
    let posting = move |title: &str, summary: &str, description: &str| {
        json!({"scope": "european", "school_id": school_id, "title": title,
            "summary": summary, "description": description, "languages": ["en"],
            "subjects": ["ict"], "topics": ["sustainability"], "key_competences": ["stem"],
            "pupil_ages": ["13-15"], "visible_until": until.to_string()})
    };
    let (status, p) = ann.post("/api/postings", posting("Robots", "S", "D")).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let p = p["id"].as_u64().unwrap();

    let profile = format!("/api/users/{ann_id}/profile");
    let mail =
        move |subject: &str, body: &str| json!({"to": [bob_id], "subject": subject, "body": body});
    let direct = |subject: &str, body: &str| json!({"subject": subject, "body": body});
    let fields = vec![
        field(
            "display_name",
            false,
            Method::POST,
            "/api/auth/register",
            |v| json!({"display_name": v, "email": "new@example.eu", "password": PASSWORD}),
        ),
        field(
            "display_name",
            false,
            Method::PATCH,
            &profile,
            |v| json!({"display_name": v}),
        ),
        field("bio", true, Method::PATCH, &profile, |v| json!({"bio": v})),
        field(
            "name",
            false,
            Method::POST,
            "/api/schools",
            |v| json!({"name": v, "country": "FR", "city": "Lyon"}),
        ),
        field(
            "city",
            false,
            Method::POST,
            "/api/schools",
            |v| json!({"name": "École", "country": "FR", "city": v}),
        ),
        query("/api/schools"),
        query("/api/contacts"),
        query("/api/search"),
        field("subject", false, Method::POST, "/api/mail", move |v| {
            mail(v, "Hello")
        }),
        field("body", true, Method::POST, "/api/mail", move |v| {
            mail("Hi", v)
        }),
        field(
            "subject",
            false,
            Method::POST,
            format!("/api/users/{cat_id}/message"),
            move |v| direct(v, "Hello"),
        ),
        field(
            "body",
            true,
            Method::POST,
            format!("/api/users/{cat_id}/message"),
            move |v| direct("Hi", v),
        ),
        field("title", false, Method::POST, "/api/postings", move |v| {
            posting(v, "S", "D")
        }),
        field("summary", true, Method::POST, "/api/postings", move |v| {
            posting("T", v, "D")
        }),
        field(
            "description",
            true,
            Method::POST,
            "/api/postings",
            move |v| posting("T", "S", v),
        ),
        field(
            "title",
            false,
            Method::PATCH,
            format!("/api/postings/{p}"),
            |v| json!({"title": v}),
        ),
        field(
            "body",
            true,
            Method::POST,
            format!("/api/postings/{p}/comments"),
            |v| json!({"body": v}),
        ),
        field("title", false, Method::POST, "/api/groups", move |v| {
            group(v, "")
        }),
        field("description", true, Method::POST, "/api/groups", move |v| {
            group("T", v)
        }),
        field(
            "title",
            false,
            Method::PATCH,
            format!("/api/groups/{g}"),
            |v| json!({"title": v}),
        ),
        field(
            "client_id",
            false,
            Method::POST,
            &chat,
            |v| json!({"client_id": v, "text": "Hi"}),
        ),
        field(
            "text",
            true,
            Method::POST,
            &chat,
            |v| json!({"client_id": "m2", "text": v}),
        ),
        field(
            "text",
            true,
            Method::PATCH,
            format!("{chat}/{message}"),
            |v| json!({"text": v}),
        ),
        field(
            "reason",
            true,
            Method::PUT,
            format!("/api/nso/members/{cat_id}/refusal"),
            |v| json!({"reason": v}),
        ),
    ];
    for f in &fields {
        // The NSO's refusal is the officer's to send; everything else is Ann's.
        let who = if f.field == "reason" { &officer } else { &ann };
        let mut bad = vec!["\u{0}", "\u{1b}[2J", "\u{7}", "\u{7f}"];
        if !f.multiline {
            bad.extend(["\n", "\r", "\t", "\u{2028}"]);
        }
        for b in bad {
            let value = format!("Lyon{b}x");
            let r = match &f.body {
                Some(body) => {
                    let text = body(&value).to_string();
                    raw_json(who, f.method.clone(), &f.path, &text).await
                }
                None => {
                    let path = format!("{}{}", f.path, encoded(&value));
                    raw(who, f.method.clone(), &path, None).await
                }
            };
            check_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
            let message = r.2["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.starts_with(&format!("{}: ", f.field)),
                "{} {} {:?}: {message}",
                f.method,
                f.path,
                value
            );
        }
    }
    // Multi-line fields keep their line breaks and tabs.
    let (status, body) = ann
        .post(&chat, json!({"client_id": "m3", "text": "Hello,\r\n\tall"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["text"], "Hello,\r\n\tall");
    server.stop().await;
}
