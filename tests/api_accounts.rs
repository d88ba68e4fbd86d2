//! Accounts over real HTTP: registration, login (cookie and bearer), throttling, CSRF,
//! logout and session expiry.

mod common;

use std::time::Duration;

use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client, TestServer, PASSWORD};
use serde_json::{json, Value};
use twinhub::service::accounts;

const OTHER_PASSWORD: &str = "another long password";

/// POSTs JSON and returns status, headers and the decoded body (Null when not JSON).
async fn post_raw(c: &Client, path: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
    let (status, headers, bytes) = c
        .send_raw(
            Method::POST,
            path,
            Some(("application/json".into(), body.to_string().into_bytes())),
        )
        .await;
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, value)
}

fn login_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

fn retry_after(headers: &HeaderMap) -> u64 {
    headers
        .get("retry-after")
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is a number of seconds")
}

/// Posts `body` to `path`, asserts the answer is 429 `rate_limited`, and returns its
/// Retry-After (seconds) and headers.
async fn throttled(c: &Client, path: &str, body: Value) -> (u64, HeaderMap) {
    let (status, headers, body) = post_raw(c, path, body).await;
    assert_error(
        &(status, body),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    (retry_after(&headers), headers)
}

/// A client that presents `token` as the session cookie (and nothing else).
fn with_cookie(server: &TestServer, token: &str) -> Client {
    let mut c = server.client();
    c.cookie = Some(token.to_string());
    c
}

/// A client that presents `token` as a bearer token (and nothing else).
fn with_bearer(server: &TestServer, token: &str) -> Client {
    let mut c = server.client();
    c.bearer = Some(token.to_string());
    c
}

fn exists(server: &TestServer, email: &str) -> bool {
    accounts::user_by_email(&server.core, email)
        .unwrap()
        .is_some()
}

#[actix_web::test]
async fn register_answers_alike_for_new_and_taken_emails_and_keeps_the_first_password() {
    let server = common::start().await;
    let c = server.client();
    let first = c
        .post(
            "/api/auth/register",
            json!({
                "display_name": "Ann",
                "email": "ann@example.eu",
                "password": PASSWORD,
                "country": "FR",
            }),
        )
        .await;
    let again = c
        .post(
            "/api/auth/register",
            json!({
                "display_name": "Mallory",
                "email": "ANN@Example.EU",
                "password": OTHER_PASSWORD,
                "country": "DE",
            }),
        )
        .await;
    let fresh = c
        .post(
            "/api/auth/register",
            json!({"display_name": "Bob", "email": "bob@example.eu", "password": PASSWORD}),
        )
        .await;
    assert_eq!(first.0, StatusCode::ACCEPTED, "{}", first.1);
    assert_eq!(
        first, again,
        "a taken e-mail must answer exactly like a new one"
    );
    assert_eq!(first, fresh);

    // The second registration replaced nothing: its password does not work, the first does.
    let refused = c
        .post(
            "/api/auth/token",
            login_body("ann@example.eu", OTHER_PASSWORD),
        )
        .await;
    assert_error(&refused, StatusCode::UNAUTHORIZED, "invalid_credentials");
    let ann = c.login_token("ann@example.eu", PASSWORD).await;
    let (status, me) = ann.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["display_name"], "Ann");
    assert_eq!(me["user"]["country"], "FR");
    assert_eq!(me["user"]["email"], "ann@example.eu");
    server.stop().await;
}

#[actix_web::test]
async fn wrong_password_and_unknown_email_give_the_same_answer() {
    let server = common::start().await;
    let c = server.client();
    assert_eq!(
        c.register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    for path in ["/api/auth/login", "/api/auth/token"] {
        let (s1, h1, wrong) =
            post_raw(&c, path, login_body("ann@example.eu", OTHER_PASSWORD)).await;
        let (s2, h2, unknown) = post_raw(&c, path, login_body("nobody@example.eu", PASSWORD)).await;
        assert_error(
            &(s1, wrong.clone()),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
        assert_eq!((s1, &wrong), (s2, &unknown), "{path}");
        assert!(h1.get("set-cookie").is_none() && h2.get("set-cookie").is_none());
    }
    server.stop().await;
}

#[actix_web::test]
async fn failed_logins_are_limited_per_account() {
    let server = common::start_with(|cfg| cfg.auth.login_failures_per_account = 3).await;
    let c = server.client();
    for email in ["ann@example.eu", "bob@example.eu"] {
        assert_eq!(c.register(email, "FR").await.0, StatusCode::ACCEPTED);
    }
    for _ in 0..3 {
        let r = c
            .post(
                "/api/auth/token",
                login_body("ann@example.eu", OTHER_PASSWORD),
            )
            .await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let (wait, _) = throttled(
        &c,
        "/api/auth/token",
        login_body("ann@example.eu", OTHER_PASSWORD),
    )
    .await;
    assert!((1..=900).contains(&wait), "Retry-After {wait}");

    // Even the right password waits, through either login endpoint and any spelling of the address.
    for (path, email) in [
        ("/api/auth/token", "ann@example.eu"),
        ("/api/auth/login", "ann@example.eu"),
        ("/api/auth/token", " ANN@example.EU"),
    ] {
        let (wait, headers) = throttled(&c, path, login_body(email, PASSWORD)).await;
        assert!(wait >= 1);
        assert!(headers.get("set-cookie").is_none());
    }
    // Another account from the same address is not affected.
    let bob = c.login_token("bob@example.eu", PASSWORD).await;
    assert_eq!(bob.get("/api/me").await.0, StatusCode::OK);
    server.stop().await;
}

#[actix_web::test]
async fn failed_logins_are_limited_per_address() {
    let server = common::start_with(|cfg| {
        cfg.auth.login_failures_per_address = 3;
        cfg.auth.login_failures_per_account = 100;
    })
    .await;
    let c = server.client();
    assert_eq!(
        c.register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    // Spreading guesses over several accounts does not escape the per-address limit.
    for i in 0..3 {
        let r = c
            .post(
                "/api/auth/token",
                login_body(&format!("guess{i}@example.eu"), PASSWORD),
            )
            .await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let (wait, _) = throttled(
        &c,
        "/api/auth/token",
        login_body("guess9@example.eu", PASSWORD),
    )
    .await;
    assert!(wait >= 1);
    let (wait, headers) = throttled(
        &c,
        "/api/auth/login",
        login_body("ann@example.eu", PASSWORD),
    )
    .await;
    assert!(wait >= 1);
    assert!(
        headers.get("set-cookie").is_none(),
        "no session while throttled"
    );
    server.stop().await;
}

/// A client whose every request claims, in `X-Forwarded-For`, to come from `addr`.
fn forwarded_for(server: &TestServer, addr: &str) -> Client {
    let mut c = server.client();
    c.http = awc::Client::builder()
        .add_default_header(("X-Forwarded-For", addr))
        .finish();
    c
}

/// Fails `limit` logins to ann's account from `stranger`, then checks the next one waits.
async fn guess_until_throttled(stranger: &Client, limit: u32) {
    for _ in 0..limit {
        let body = login_body("ann@example.eu", OTHER_PASSWORD);
        let r = stranger.post("/api/auth/token", body).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    throttled(
        stranger,
        "/api/auth/token",
        login_body("ann@example.eu", PASSWORD),
    )
    .await;
}

#[actix_web::test]
async fn a_stranger_guessing_a_password_does_not_lock_the_member_out() {
    // Behind a reverse proxy on 127.0.0.1, which tells each client's address.
    let server =
        common::start_with(|cfg| cfg.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()])
            .await;
    let member = forwarded_for(&server, "198.51.100.7");
    assert_eq!(
        member.register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    let limit = server.core.config.auth.login_failures_per_account_address;
    guess_until_throttled(&forwarded_for(&server, "203.0.113.9"), limit).await;
    let ann = member.login_token("ann@example.eu", PASSWORD).await;
    assert_eq!(ann.get("/api/me").await.0, StatusCode::OK);
    server.stop().await;
}

#[actix_web::test]
async fn forwarded_addresses_are_not_believed_from_untrusted_peers() {
    let server = common::start().await;
    assert_eq!(
        server.client().register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    let limit = server.core.config.auth.login_failures_per_account_address;
    guess_until_throttled(&forwarded_for(&server, "203.0.113.9"), limit).await;
    // The guesser and this client are the same socket address: the header changed nothing.
    let (wait, _) = throttled(
        &forwarded_for(&server, "198.51.100.7"),
        "/api/auth/token",
        login_body("ann@example.eu", PASSWORD),
    )
    .await;
    assert!(wait >= 1);
    server.stop().await;
}

#[actix_web::test]
async fn concurrent_failed_logins_cannot_exceed_the_account_limit() {
    const LIMIT: u32 = 3;
    let server = common::start_with(|cfg| cfg.auth.login_failures_per_account = LIMIT).await;
    assert_eq!(
        server.client().register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    // A password guesser sends its guesses in parallel: each one that gets its password
    // checked is a guess, and only LIMIT guesses are allowed per window.
    let mut handles = Vec::new();
    for i in 0..12 {
        let c = server.client();
        handles.push(actix_web::rt::spawn(async move {
            let guess = format!("wrong guess number {i}");
            c.post("/api/auth/token", login_body("ann@example.eu", &guess))
                .await
        }));
    }
    let mut checked = 0;
    for h in handles {
        let r = h.await.unwrap();
        match r.0 {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            }
            other => panic!("unexpected {other}: {}", r.1),
        }
    }
    assert!(
        checked <= LIMIT,
        "{checked} passwords were checked in parallel; at most {LIMIT} may be per window"
    );
    server.stop().await;
}

#[actix_web::test]
async fn registrations_are_limited_per_address() {
    let server = common::start_with(|cfg| cfg.auth.registrations_per_address = 2).await;
    let c = server.client();
    for email in ["a@example.eu", "b@example.eu"] {
        assert_eq!(c.register(email, "FR").await.0, StatusCode::ACCEPTED);
    }
    let body = json!({"display_name": "C", "email": "c@example.eu", "password": PASSWORD});
    let (wait, _) = throttled(&c, "/api/auth/register", body).await;
    assert!(wait >= 1);
    assert!(
        !exists(&server, "c@example.eu"),
        "a throttled registration creates nothing"
    );
    assert!(exists(&server, "a@example.eu") && exists(&server, "b@example.eu"));
    server.stop().await;
}

#[actix_web::test]
async fn cookie_login_sets_an_http_only_lax_cookie_and_me_returns_the_csrf_token() {
    let server = common::start().await;
    let c = server.client();
    assert_eq!(
        c.register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    let (status, headers, body) = post_raw(
        &c,
        "/api/auth/login",
        login_body("ann@example.eu", PASSWORD),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let set_cookie = headers
        .get("set-cookie")
        .expect("Set-Cookie")
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.starts_with("twinhub_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    let csrf = body["csrf_token"].as_str().expect("csrf token").to_string();
    assert!(csrf.len() >= 32, "{csrf}");
    assert_eq!(body["user"]["email"], "ann@example.eu");
    let token = set_cookie["twinhub_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(!token.is_empty());
    assert!(
        !body.to_string().contains(&token),
        "the session token is only in the cookie"
    );

    // A safe request needs only the cookie; /api/me hands back the same CSRF token.
    let browser = with_cookie(&server, &token);
    let (status, me) = browser.get("/api/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["csrf_token"], csrf.as_str());
    assert_eq!(me["user"]["id"], body["user"]["id"]);
    assert_eq!(me["user"]["email"], "ann@example.eu");
    server.stop().await;
}

#[actix_web::test]
async fn the_cookie_is_secure_when_configured() {
    let server = common::start_with(|cfg| cfg.auth.cookie_secure = true).await;
    let c = server.client();
    assert_eq!(
        c.register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    let (status, headers, _) = post_raw(
        &c,
        "/api/auth/login",
        login_body("ann@example.eu", PASSWORD),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let set_cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        set_cookie.contains("Secure") && set_cookie.contains("HttpOnly"),
        "{set_cookie}"
    );
    server.stop().await;
}

#[actix_web::test]
async fn cookie_writes_without_the_right_csrf_token_are_refused_and_change_nothing() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let bob = server.member("bob@example.eu", "DE").await;
    let id = ann.my_id().await;
    let patch = json!({"bio": "written by a forged request"});
    let path = format!("/api/users/{id}/profile");
    let good = ann.csrf.clone().unwrap();
    let forged = [
        None,
        Some(String::new()),
        Some("0".repeat(good.len())),
        Some(format!("{good}0")),
        bob.csrf.clone(),
    ];
    for csrf in forged {
        let mut attacker = with_cookie(&server, ann.cookie.as_deref().unwrap());
        attacker.csrf = csrf.clone();
        let r = attacker
            .send(Method::PATCH, &path, Some(patch.clone()))
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "csrf_failed");
        // Logout is state-changing too: a cross-site page must not be able to end the session.
        let r = attacker.post("/api/auth/logout", json!({})).await;
        assert_error(&r, StatusCode::FORBIDDEN, "csrf_failed");
    }
    let (status, me) = ann.get("/api/me").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the session survived the forged logouts"
    );
    assert_eq!(me["user"]["bio"], "", "nothing was written");

    // With the right token the same request goes through.
    let (status, own) = ann.send(Method::PATCH, &path, Some(patch)).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(
        ann.get("/api/me").await.1["user"]["bio"],
        "written by a forged request"
    );
    server.stop().await;
}

#[actix_web::test]
async fn bearer_tokens_need_no_csrf_token() {
    let server = common::start().await;
    let c = server.client();
    assert_eq!(
        c.register("ann@example.eu", "FR").await.0,
        StatusCode::ACCEPTED
    );
    let api = c.login_token("ann@example.eu", PASSWORD).await;
    assert!(api.csrf.is_none() && api.cookie.is_none());
    let (status, me) = api.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        me["csrf_token"].is_null(),
        "bearer sessions have no CSRF token: {me}"
    );
    let id = me["user"]["id"].as_u64().unwrap();
    let (status, own) = api
        .send(
            Method::PATCH,
            &format!("/api/users/{id}/profile"),
            Some(json!({"bio": "from a script"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(api.get("/api/me").await.1["user"]["bio"], "from a script");
    server.stop().await;
}

#[actix_web::test]
async fn tokens_only_work_through_their_own_channel() {
    let server = common::start().await;
    let browser = server.member("ann@example.eu", "FR").await;
    let api = server
        .client()
        .login_token("ann@example.eu", PASSWORD)
        .await;
    let cookie_token = browser.cookie.clone().unwrap();
    let bearer_token = api.bearer.clone().unwrap();

    let r = with_cookie(&server, &bearer_token).get("/api/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let r = with_bearer(&server, &cookie_token).get("/api/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    // A bearer token smuggled in as the cookie cannot write either (it has no CSRF token).
    let mut smuggled = with_cookie(&server, &bearer_token);
    smuggled.csrf = Some(String::new());
    let id = browser.my_id().await;
    let r = smuggled
        .send(
            Method::PATCH,
            &format!("/api/users/{id}/profile"),
            Some(json!({"bio": "x"})),
        )
        .await;
    assert_eq!(r.0, StatusCode::UNAUTHORIZED, "{}", r.1);

    // The refusals did not end the sessions, and nothing was written.
    assert_eq!(browser.get("/api/me").await.0, StatusCode::OK);
    let (status, me) = api.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["bio"], "");
    server.stop().await;
}

#[actix_web::test]
async fn logout_ends_only_the_current_session() {
    let server = common::start().await;
    let browser = server.member("ann@example.eu", "FR").await;
    let api = server
        .client()
        .login_token("ann@example.eu", PASSWORD)
        .await;
    let api2 = server
        .client()
        .login_token("ann@example.eu", PASSWORD)
        .await;

    let (status, headers, _) = browser
        .send_raw(Method::POST, "/api/auth/logout", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let removal = headers
        .get("set-cookie")
        .expect("cookie removal")
        .to_str()
        .unwrap();
    assert!(removal.starts_with("twinhub_session=;"), "{removal}");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    let r = browser.get("/api/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let r = browser.post("/api/auth/logout", json!({})).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");

    assert_eq!(
        api.get("/api/me").await.0,
        StatusCode::OK,
        "other sessions stay"
    );
    let (status, _) = api.post("/api/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = api.get("/api/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(
        api2.get("/api/me").await.0,
        StatusCode::OK,
        "other sessions stay"
    );
    server.stop().await;
}

#[actix_web::test]
async fn requests_without_credentials_are_unauthenticated() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let id = ann.my_id().await;
    let anon = server.client();
    let r = anon.get("/api/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let r = anon.get(&format!("/api/users/{id}")).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let r = anon.post("/api/auth/logout", json!({})).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let r = anon
        .send(
            Method::PATCH,
            &format!("/api/users/{id}/profile"),
            Some(json!({"bio": "anon"})),
        )
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    for token in ["", "not-a-token", &"ab".repeat(32)] {
        let r = with_bearer(&server, token).get("/api/me").await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
        let r = with_cookie(&server, token).get("/api/me").await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    assert_eq!(ann.get("/api/me").await.1["user"]["bio"], "");
    server.stop().await;
}

#[actix_web::test]
async fn idle_sessions_expire() {
    let server = common::start_with(|c| {
        c.auth.session_idle_secs = 1;
        c.auth.session_absolute_secs = 1;
        c.auth.session_touch_interval_secs = 0;
    })
    .await;
    let browser = server.member("ann@example.eu", "FR").await;
    let api = server
        .client()
        .login_token("ann@example.eu", PASSWORD)
        .await;
    assert_eq!(browser.get("/api/me").await.0, StatusCode::OK);
    assert_eq!(api.get("/api/me").await.0, StatusCode::OK);

    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;

    let r = browser.get("/api/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let r = api.get("/api/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    // Expired stays expired, and logging in again opens a fresh session.
    assert_eq!(browser.get("/api/me").await.0, StatusCode::UNAUTHORIZED);
    let again = server
        .client()
        .login_token("ann@example.eu", PASSWORD)
        .await;
    assert_eq!(again.get("/api/me").await.0, StatusCode::OK);
    server.stop().await;
}

#[actix_web::test]
async fn invalid_registrations_are_refused_and_create_no_account() {
    let server = common::start().await;
    let c = server.client();
    let cases = [
        ("not-an-email", PASSWORD, Some("FR"), "Ann"),
        ("ann@", PASSWORD, Some("FR"), "Ann"),
        ("short@example.eu", "123456789", Some("FR"), "Ann"),
        ("country@example.eu", PASSWORD, Some("XX"), "Ann"),
        ("lowercase@example.eu", PASSWORD, Some("fr"), "Ann"),
        ("noname@example.eu", PASSWORD, Some("FR"), ""),
    ];
    for (email, password, country, name) in cases {
        let r = c
            .post(
                "/api/auth/register",
                json!({
                    "display_name": name,
                    "email": email,
                    "password": password,
                    "country": country,
                }),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
        let r = c.post("/api/auth/token", login_body(email, password)).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(!exists(&server, email), "{email} must not exist");
    }
    let long = "x".repeat(129);
    let r = c
        .post(
            "/api/auth/register",
            json!({"display_name": "Ann", "email": "long@example.eu", "password": long}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "validation_failed");
    assert!(!exists(&server, "long@example.eu"));
    let r = c
        .post(
            "/api/auth/register",
            json!({"display_name": "Ann", "email": "nopass@example.eu"}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(!exists(&server, "nopass@example.eu"));
    server.stop().await;
}

#[actix_web::test]
async fn registering_a_taken_address_tells_its_owner_by_e_mail_once_per_window() {
    let server = common::start().await;
    let c = server.client();
    let (status, _) = c.register("owner@x.eu", "FR").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let outbox = server.core.config.mail.outbox_dir.clone();
    assert!(
        common::email::eml_files(&outbox).is_empty(),
        "a new account is not e-mailed"
    );

    // The same answer as for a new account, and the owner hears of it.
    for _ in 0..3 {
        let (status, body) = c.register("Owner@X.eu", "DE").await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    common::email::wait_until("the notice is written", || {
        common::email::eml_files(&outbox).len() == 1
    })
    .await;
    let raw = std::fs::read_to_string(&common::email::eml_files(&outbox)[0]).unwrap();
    let mail = common::email::parse(&raw);
    assert!(mail.header("To").contains("owner@x.eu"));
    assert!(
        mail.body
            .contains("Someone just tried to create a Twinhub account"),
        "{}",
        mail.body
    );
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(
        common::email::eml_files(&outbox).len(),
        1,
        "once per window, not per attempt"
    );
    server.stop().await;
}
