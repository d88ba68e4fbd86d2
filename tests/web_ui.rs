//! The browser UI's files over real HTTP, from a fixture `server.web_dir` (not the real UI, which
//! changes on its own): the page's CSP, JavaScript modules with a JS type, revalidation, our JSON
//! 404 for everything else, and no way out of `web_dir`.

mod common;

use actix_web::http::{Method, StatusCode};
use common::{assert_error, TestServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PAGE_MARKER: &str = "<title>fixture page</title>";
const SECRET: &str = "secret-outside-web-dir";

/// A temporary tree: `root/web` is the UI directory; `root/Cargo.toml` and `root/secret.txt`
/// lie next to it, where a traversal would find them.
fn fixture() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let web = root.path().join("web");
    for dir in ["js", "i18n", "img"] {
        std::fs::create_dir_all(web.join(dir)).unwrap();
    }
    let files: [(&str, &str); 8] = [
        ("index.html", PAGE_MARKER),
        ("app.css", "body { margin: 0 }"),
        ("js/app.js", "export const answer = 42;"),
        ("js/.hidden.js", SECRET),
        ("i18n/en.json", r#"{"hello":"Hello"}"#),
        ("img/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>"),
        (".env", SECRET),
        ("../Cargo.toml", SECRET),
    ];
    for (path, body) in files {
        std::fs::write(web.join(path), body).unwrap();
    }
    std::fs::write(root.path().join("secret.txt"), SECRET).unwrap();
    root
}

async fn server(root: &tempfile::TempDir) -> TestServer {
    let web = root.path().join("web");
    common::start_with(move |cfg| cfg.server.web_dir = web).await
}

/// A request written byte for byte (no client normalises its path), answered status and body.
async fn raw_get(server: &TestServer, path: &str) -> (u16, String) {
    let addr = server.base.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn header<'a>(headers: &'a actix_web::http::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .to_str()
        .unwrap()
}

#[actix_web::test]
async fn the_page_has_its_csp_and_the_files_their_types() {
    let root = fixture();
    let server = server(&root).await;
    let c = server.client();

    for page in ["/", "/index.html"] {
        let (status, headers, body) = c.send_raw(Method::GET, page, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(String::from_utf8_lossy(&body).contains(PAGE_MARKER));
        assert_eq!(
            header(&headers, "content-security-policy"),
            twinhub::http::ui::PAGE_CSP
        );
        assert!(header(&headers, "content-type").starts_with("text/html"));
        assert_eq!(header(&headers, "cache-control"), "no-cache");
        assert_eq!(header(&headers, "x-frame-options"), "DENY");
    }

    for (path, content_type) in [
        ("/js/app.js", "text/javascript"),
        ("/app.css", "text/css"),
        ("/i18n/en.json", "application/json"),
        ("/img/logo.svg", "image/svg+xml"),
    ] {
        let (status, headers, _) = c.send_raw(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            header(&headers, "content-type").starts_with(content_type),
            "{path}: {headers:?}"
        );
        assert_eq!(header(&headers, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert!(
            header(&headers, "content-security-policy").starts_with("default-src 'none'"),
            "the strict CSP stays on files"
        );
    }

    // no-cache means "revalidate": the ETag makes that a 304 without the body.
    let (_, headers, body) = c.send_raw(Method::GET, "/js/app.js", None).await;
    assert_eq!(body, b"export const answer = 42;");
    let etag = header(&headers, "etag").to_string();
    let resp = c
        .http
        .get(format!("{}/js/app.js", server.base))
        .insert_header(("If-None-Match", etag))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    server.stop().await;
}

#[actix_web::test]
async fn anything_but_a_ui_file_is_our_json_404() {
    let root = fixture();
    let server = server(&root).await;
    let c = server.client();
    for path in [
        "/nope.js",
        "/js",
        "/js/",
        "/img/",
        "/.env",
        "/js/.hidden.js",
        "/js/%2e%2e%2fapp.js",
        "/api/unknown",
        "/apifoo",
    ] {
        let r = c.get(path).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    // Files answer GET and HEAD only; other methods find no endpoint, as before.
    let r = c.send(Method::POST, "/js/app.js", None).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let (status, _, _) = c.send_raw(Method::HEAD, "/js/app.js", None).await;
    assert_eq!(status, StatusCode::OK);

    // The other routes still answer as before.
    let (status, body) = c.get("/healthz").await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, "ok".into())
    );
    let (status, doc) = c.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["paths"].get("/api/me").is_some());
    let (status, headers, _) = c.send_raw(Method::GET, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/plain"));
    let r = c.get("/ws").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let (status, catalog) = c.get("/api/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert!(catalog["languages"].is_array());
    server.stop().await;
}

#[actix_web::test]
async fn no_path_leaves_the_web_dir() {
    let root = fixture();
    let server = server(&root).await;
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/Cargo.toml",
        "/js/../../Cargo.toml",
        "/js/%2e%2e/%2e%2e/secret.txt",
        "/..%2fCargo.toml",
        "/%2e%2e%2fsecret.txt",
        "/../secret.txt",
        "/.%2e/secret.txt",
    ] {
        let (status, answer) = raw_get(&server, path).await;
        assert!(!answer.contains(SECRET), "{path} leaked: {answer}");
        assert_eq!(status, 404, "{path}: {answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let body: Value = serde_json::from_str(body).expect("a JSON error body");
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
    server.stop().await;
}

#[actix_web::test]
async fn the_ui_start_lists_catalogues_limits_and_the_session() {
    let root = fixture();
    let i18n = root.path().join("web/i18n");
    // en.json (fixture) has no name: its code stands in. Only <code>.json JSON objects count.
    std::fs::write(i18n.join("fr.json"), r#"{"_language_name":"Français"}"#).unwrap();
    std::fs::write(i18n.join("pt-BR.json"), r#"{"_language_name":"Português"}"#).unwrap();
    std::fs::write(i18n.join("de.json"), "{ not json").unwrap();
    std::fs::write(i18n.join("pl.json"), r#"["an array"]"#).unwrap();
    std::fs::write(i18n.join("Notes.json"), r#"{"_language_name":"x"}"#).unwrap();
    std::fs::write(i18n.join("it.txt"), r#"{"_language_name":"x"}"#).unwrap();
    let server = server(&root).await;

    let visitor = server.client();
    let (status, body) = visitor.get("/api/ui").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<(&str, &str)> = body["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["code"].as_str().unwrap(), l["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [("en", "en"), ("fr", "Français"), ("pt-BR", "Português")]
    );
    assert_eq!(body["limits"]["password_min_chars"], 10);
    assert_eq!(body["limits"]["refusal_reason_chars"], 500);
    assert_eq!(
        body["groups"]["message_chars"], 5000,
        "the groups' form hints"
    );
    assert_eq!(body["session"], Value::Null, "a visitor has no session");

    // A browser session: the member's own profile and the CSRF token, as from /api/me.
    let ann = server.member("ann@x.eu", "FR").await;
    let (status, body) = ann.get("/api/ui").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["session"]["user"]["email"], "ann@x.eu");
    assert_eq!(body["session"]["csrf_token"].as_str(), ann.csrf.as_deref());

    // A cookie that is no session is a visitor, not an error.
    let mut forged = server.client();
    forged.cookie = Some("not-a-session".into());
    let (status, body) = forged.get("/api/ui").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["session"], Value::Null);
    server.stop().await;
}
