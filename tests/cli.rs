//! The `twinhub admin create` command against a real store, then the real server using it;
//! the binary's address settings from the environment.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use actix_web::http::StatusCode;

fn admin_create(data: &std::path::Path, email: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_twinhub"))
        .args([
            "admin",
            "create",
            "--email",
            email,
            "--name",
            "Root Admin",
            "--country",
            "FR",
        ])
        .env("TWINHUB_STORE__PATH", data)
        .env("TWINHUB_SEARCH__INDEX_DIR", data.with_file_name("index"))
        .env("TWINHUB_STORE__LOAD_DEMO_ON_EMPTY", "false")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run twinhub admin create");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[actix_web::test]
async fn admin_create_makes_an_administrator_who_can_appoint_officers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = admin_create(&data, "root@example.eu", "root password 123");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("is a platform administrator"));

    let short = admin_create(&dir.path().join("other"), "x@example.eu", "short");
    assert!(!short.status.success(), "a too-short password is refused");

    let server = common::start_with(|cfg| cfg.store.path = data.clone()).await;
    let admin = server
        .client()
        .login_token("root@example.eu", "root password 123")
        .await;
    let (_, me) = admin.get("/api/me").await;
    assert_eq!(me["user"]["roles"]["admin"], true);

    let teacher = server.member("claire@example.eu", "FR").await;
    let id = teacher.my_id().await;
    let (status, body) = admin.appoint_nso(id, "FR").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["roles"]["nso_officer"], "FR");
    server.stop().await;
}

#[actix_web::test]
async fn address_lists_are_read_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = common::binary(dir.path());
    cmd.env("TWINHUB_SERVER__METRICS_ALLOWED", "10.0.0.0/8,192.0.2.7")
        .env("TWINHUB_SERVER__TRUSTED_PROXIES", "127.0.0.1");
    let (mut child, base) = common::spawn_listening(cmd);
    let metrics = |forwarded_for: &'static str| {
        let url = format!("{base}/metrics");
        async move {
            let req = awc::Client::default().get(url);
            let req = match forwarded_for {
                "" => req,
                addr => req.insert_header(("X-Forwarded-For", addr)),
            };
            req.send().await.unwrap().status()
        }
    };
    // The test is the trusted proxy on 127.0.0.1, which is not itself allowed.
    assert_eq!(metrics("").await, StatusCode::NOT_FOUND);
    assert_eq!(metrics("10.1.2.3").await, StatusCode::OK);
    assert_eq!(metrics("192.0.2.7").await, StatusCode::OK);
    assert_eq!(metrics("192.0.2.8").await, StatusCode::NOT_FOUND);
    child.kill().unwrap();
    child.wait().unwrap();

    let mut bad = common::binary(dir.path());
    bad.env("TWINHUB_SERVER__TRUSTED_PROXIES", "10.0.0.0/33");
    let out = bad
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!out.status.success(), "a bad address range stops the start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("10.0.0.0/33"), "{stderr}");
}
