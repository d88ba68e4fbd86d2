//! Shared test harness: a real Twinhub server on 127.0.0.1:0 over a temporary sled store,
//! and a small HTTP client that keeps a session the way a browser or API client would.
#![allow(dead_code)]

pub mod email;
pub mod ws;

use actix_web::dev::ServerHandle;
use actix_web::http::{Method, StatusCode};
use actix_web::web::Data;
use serde_json::{json, Value};
use twinhub::config::Config;
use twinhub::ids::UserId;
use twinhub::service::{accounts, nso, Core};

pub const PASSWORD: &str = "a long enough password";

pub struct TestServer {
    pub base: String,
    pub core: Data<Core>,
    pub registry: actix::Addr<twinhub::live::registry::Registry>,
    handle: ServerHandle,
    _dir: tempfile::TempDir,
}

/// The real `twinhub` binary on a free port over `dir` (`data/`, `index/`, `outbox/`), with
/// no demo data and warnings only; tweak it before [`spawn_listening`].
pub fn binary(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_twinhub"));
    cmd.env("TWINHUB_SERVER__BIND", "127.0.0.1:0")
        .env("TWINHUB_SERVER__WORKERS", "1")
        .env("TWINHUB_STORE__PATH", dir.join("data"))
        .env("TWINHUB_STORE__BACKUP_DIR", dir.join("backups"))
        .env("TWINHUB_SEARCH__INDEX_DIR", dir.join("index"))
        .env("TWINHUB_MAIL__OUTBOX_DIR", dir.join("outbox"))
        .env("TWINHUB_STORE__LOAD_DEMO_ON_EMPTY", "false")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    cmd
}

/// Starts `cmd`, waits for the line announcing its address, and keeps draining its output
/// (a full pipe would block the server). Returns the process and its base URL.
pub fn spawn_listening(mut cmd: std::process::Command) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = cmd.spawn().expect("start twinhub");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("Twinhub listening on ").map(str::to_string))
        .expect("server announces its address");
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

/// Defaults from the embedded config.toml, on a fresh temporary store, no demo data.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut cfg = Config::defaults();
    cfg.server.bind = "127.0.0.1:0".into();
    cfg.server.workers = 2;
    // Tests stop servers with sockets still open: do not wait 10 s for them.
    cfg.server.shutdown_timeout_secs = 1;
    cfg.store.path = dir.join("data");
    cfg.store.backup_dir = dir.join("backups");
    cfg.store.load_demo_on_empty = false;
    cfg.search.index_dir = dir.join("index");
    cfg.mail.outbox_dir = dir.join("outbox");
    cfg
}

pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = test_config(dir.path());
    tweak(&mut cfg);
    let running = twinhub::server::start(cfg, false).expect("server starts");
    let handle = running.handle();
    let base = format!("http://{}", running.addr);
    let core = running.core.clone();
    let registry = running.registry.clone();
    actix_web::rt::spawn(running.wait());
    TestServer {
        base,
        core,
        registry,
        handle,
        _dir: dir,
    }
}

impl TestServer {
    pub fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// Registers a member and logs them in as a browser (cookie + CSRF token).
    pub async fn member(&self, email: &str, country: &str) -> Client {
        let c = self.client();
        let (status, _) = c.register(email, country).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        c.login_browser(email, PASSWORD).await
    }

    pub fn user_id(&self, email: &str) -> UserId {
        accounts::user_by_email(&self.core, email)
            .unwrap()
            .expect("registered")
            .id
    }

    /// Makes a member a platform administrator (what `twinhub admin create` does).
    pub fn make_admin(&self, email: &str) {
        nso::make_admin(&self.core, self.user_id(email)).unwrap();
    }

    /// Makes a member a validated eTwinner directly in the store, for tests about something
    /// else than validation (creating groups takes one).
    pub fn make_etwinner(&self, email: &str) {
        let mut user = accounts::user_by_email(&self.core, email)
            .unwrap()
            .expect("registered");
        if user.validation.is_some() {
            return;
        }
        user.validation = Some(twinhub::domain::user::Validation {
            by: user.id,
            at: time::OffsetDateTime::now_utc(),
        });
        self.core
            .store
            .transact(&[twinhub::store::Tree::UseridUser], |tx| {
                tx.put_json(twinhub::store::Tree::UseridUser, &user.id.key(), &user)
            })
            .unwrap();
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

/// An NSO officer of France, appointed by a fresh administrator, who validates whoever a
/// test needs (contacts and the mailbox are for validated eTwinners only).
pub async fn fr_officer(server: &TestServer) -> Client {
    let admin = server.member("admin@x.eu", "FR").await;
    server.make_admin("admin@x.eu");
    let officer = server.member("nso@x.eu", "FR").await;
    let (status, body) = admin.appoint_nso(officer.my_id().await, "FR").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    officer
}

impl TestServer {
    /// A browser session of a member of France and their id, validated by `officer` if asked.
    pub async fn teacher(&self, officer: &Client, email: &str, validated: bool) -> (Client, u64) {
        let c = self.member(email, "FR").await;
        let id = c.my_id().await;
        if validated {
            let path = format!("/api/nso/members/{id}/validation");
            let (status, body) = officer.send(Method::PUT, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        (c, id)
    }

    /// Makes two validated members contacts (a request, then its acceptance).
    pub async fn connect(&self, a: &Client, b: &Client) {
        let (a_id, b_id) = (a.my_id().await, b.my_id().await);
        let (status, body) = a
            .post(
                "/api/contacts/requests",
                serde_json::json!({"user_id": b_id}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = b
            .send(
                Method::POST,
                &format!("/api/contacts/requests/{a_id}/accept"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

pub struct Client {
    pub base: String,
    pub http: awc::Client,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    /// A client of the server at `base` (the real binary, say), with a bearer token when
    /// given, and a timeout long enough for a slow CI machine yet short of a hang.
    pub fn at(base: &str, bearer: Option<&str>) -> Client {
        Client {
            base: base.to_string(),
            http: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(20))
                .finish(),
            cookie: None,
            csrf: None,
            bearer: bearer.map(str::to_string),
        }
    }

    /// The request with this client's session: cookie and CSRF token, or bearer token.
    fn with_session(&self, mut req: awc::ClientRequest) -> awc::ClientRequest {
        if let Some(c) = &self.cookie {
            req = req.insert_header(("Cookie", format!("twinhub_session={c}")));
        }
        if let Some(t) = &self.csrf {
            req = req.insert_header(("X-CSRF-Token", t.clone()));
        }
        if let Some(b) = &self.bearer {
            req = req.insert_header(("Authorization", format!("Bearer {b}")));
        }
        req
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (status, _, bytes) = self
            .send_raw(
                method,
                path,
                body.map(|b| ("application/json".to_string(), b.to_string().into_bytes())),
            )
            .await;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        (status, value)
    }

    /// Sends any body with any content type; returns status, headers and the raw body.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<(String, Vec<u8>)>,
    ) -> (StatusCode, actix_web::http::header::HeaderMap, Vec<u8>) {
        let req = self.with_session(self.http.request(method, format!("{}{}", self.base, path)));
        let mut resp = match body {
            Some((ct, bytes)) => {
                req.insert_header(("Content-Type", ct))
                    .send_body(bytes)
                    .await
            }
            None => req.send().await,
        }
        .expect("request reaches the server");
        let bytes = resp.body().limit(16 << 20).await.expect("body").to_vec();
        (resp.status(), resp.headers().clone(), bytes)
    }

    /// POSTs JSON with an `Idempotency-Key`; returns status, headers and the decoded body.
    pub async fn post_with_key(
        &self,
        path: &str,
        key: &str,
        body: &Value,
    ) -> (StatusCode, actix_web::http::header::HeaderMap, Value) {
        let mut resp = self
            .with_session(self.http.post(format!("{}{}", self.base, path)))
            .insert_header(("Idempotency-Key", key))
            .send_json(body)
            .await
            .expect("request reaches the server");
        let bytes = resp.body().await.expect("body");
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (resp.status(), resp.headers().clone(), value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn register(&self, email: &str, country: &str) -> (StatusCode, Value) {
        self.post(
            "/api/auth/register",
            json!({"display_name": email.split('@').next().unwrap(), "email": email, "password": PASSWORD, "country": country}),
        )
        .await
    }

    /// Logs in through the browser endpoint: keeps the session cookie and CSRF token.
    pub async fn login_browser(&self, email: &str, password: &str) -> Client {
        let resp = self
            .http
            .post(format!("{}/api/auth/login", self.base))
            .send_json(&json!({"email": email, "password": password}))
            .await
            .expect("login reaches the server");
        assert_eq!(resp.status(), StatusCode::OK, "login of {email}");
        let cookie = resp
            .cookies()
            .unwrap()
            .iter()
            .find(|c| c.name() == "twinhub_session")
            .map(|c| c.value().to_string())
            .expect("session cookie");
        let mut resp = resp;
        let body: Value = resp.json().await.unwrap();
        Client {
            base: self.base.clone(),
            http: self.http.clone(),
            cookie: Some(cookie),
            csrf: body["csrf_token"].as_str().map(String::from),
            bearer: None,
        }
    }

    /// Logs in through the API-client endpoint: keeps the bearer token.
    pub async fn login_token(&self, email: &str, password: &str) -> Client {
        let (status, body) = self
            .post(
                "/api/auth/token",
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "token login of {email}: {body}");
        Client {
            base: self.base.clone(),
            http: self.http.clone(),
            cookie: None,
            csrf: None,
            bearer: body["token"].as_str().map(String::from),
        }
    }

    /// The same session in another client (to vary its headers in a test).
    pub fn clone_session(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: self.http.clone(),
            cookie: self.cookie.clone(),
            csrf: self.csrf.clone(),
            bearer: self.bearer.clone(),
        }
    }

    /// Searches until `done` holds for the answer (the index commits within about
    /// `search.commit_delay_ms`), failing after two seconds.
    pub async fn search_until(&self, query: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        loop {
            let (status, body) = self.get(&format!("/api/search?{query}")).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            if done(&body) {
                return body;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{query}: never got there: {body}"
            );
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub async fn my_id(&self) -> u64 {
        let (status, body) = self.get("/api/me").await;
        assert_eq!(status, StatusCode::OK);
        body["user"]["id"].as_u64().expect("id")
    }

    /// Appoints member `id` NSO officer of `country` (this client must be an administrator).
    pub async fn appoint_nso(&self, id: u64, country: &str) -> (StatusCode, Value) {
        self.send(
            Method::PUT,
            &format!("/api/admin/nso-officers/{id}"),
            Some(serde_json::json!({"country": country})),
        )
        .await
    }
}

/// Asserts an error answer: status and stable code.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "body: {}", got.1);
    assert_eq!(got.1["error"]["code"], code, "body: {}", got.1);
    assert!(got.1["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
