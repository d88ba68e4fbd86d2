//! Acknowledged writes survive `kill -9`: the real binary is started on a temporary store,
//! concurrent clients write until the process is killed mid-stream, and after a restart every
//! write that was answered 201 must be there. Also: a second process cannot open a store in use.

mod common;

use std::cell::RefCell;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use actix_web::http::StatusCode;
use serde_json::json;

const CYCLES: usize = 5;
const WRITERS: usize = 8;

/// The real binary on `data` (and its sibling `index/`), fsync durability, two workers.
fn spawn_server(data: &Path) -> (Child, String) {
    let mut cmd = common::binary(data.parent().expect("data has a parent"));
    cmd.env("TWINHUB_SERVER__WORKERS", "2")
        .env("TWINHUB_STORE__PATH", data)
        .env("TWINHUB_STORE__DURABILITY", "fsync");
    common::spawn_listening(cmd)
}

fn client(base: &str, token: &str) -> common::Client {
    common::Client {
        base: base.to_string(),
        http: awc::Client::builder()
            .timeout(Duration::from_secs(10))
            .finish(),
        cookie: None,
        csrf: None,
        bearer: Some(token.to_string()),
    }
}

#[actix_web::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, mut base) = spawn_server(&data);
    let anon = client(&base, "");
    let (status, _) = anon.register("writer@example.eu", "FR").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let token = anon
        .login_token("writer@example.eu", common::PASSWORD)
        .await
        .bearer
        .unwrap();

    let acked: Rc<RefCell<Vec<(u64, String)>>> = Rc::default();
    for cycle in 0..CYCLES {
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let c = client(&base, &token);
            let acked = acked.clone();
            writers.push(actix_web::rt::spawn(async move {
                for n in 0.. {
                    let name = format!("School c{cycle} w{w} n{n}");
                    let resp = c
                        .http
                        .post(format!("{}/api/schools", c.base))
                        .insert_header((
                            "Authorization",
                            format!("Bearer {}", c.bearer.as_ref().unwrap()),
                        ))
                        .send_json(&json!({"name": name, "country": "FR", "city": "Lyon"}))
                        .await;
                    let Ok(mut resp) = resp else { break };
                    if resp.status() != StatusCode::CREATED {
                        break;
                    }
                    let Ok(body) = resp.json::<serde_json::Value>().await else {
                        break;
                    };
                    acked
                        .borrow_mut()
                        .push((body["id"].as_u64().unwrap(), name));
                }
            }));
        }
        actix_web::rt::time::sleep(Duration::from_millis(400 + 150 * cycle as u64)).await;
        child.kill().expect("kill -9");
        child.wait().unwrap();
        for w in writers {
            w.await.unwrap();
        }
        let (next_child, next_base) = spawn_server(&data);
        child = next_child;
        let c = client(&next_base, &token);
        let expected = acked.borrow().clone();
        assert!(
            !expected.is_empty(),
            "cycle {cycle}: some writes were acknowledged"
        );
        eprintln!(
            "cycle {cycle}: {} acknowledged writes so far, all checked after kill -9",
            expected.len()
        );
        for (id, name) in &expected {
            let (status, body) = c.get(&format!("/api/schools/{id}")).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "cycle {cycle}: acknowledged school {id} lost"
            );
            assert_eq!(body["name"], name.as_str());
        }
        // The session (an acknowledged write too) survived as well: the token still works.
        assert_eq!(c.get("/api/me").await.0, StatusCode::OK);
        base = next_base;
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_second_process_cannot_open_a_store_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut first, _) = spawn_server(&data);
    let second = Command::new(env!("CARGO_BIN_EXE_twinhub"))
        .env("TWINHUB_SERVER__BIND", "127.0.0.1:0")
        .env("TWINHUB_STORE__PATH", &data)
        .env("TWINHUB_SEARCH__INDEX_DIR", data.with_file_name("index"))
        .env("TWINHUB_STORE__LOAD_DEMO_ON_EMPTY", "false")
        .stdout(Stdio::null())
        .output()
        .expect("run a second twinhub");
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("in use by another twinhub process"),
        "stderr: {stderr}"
    );
}

#[actix_web::test]
async fn ctrl_c_shuts_down_gracefully_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, base) = spawn_server(&data);
    let anon = client(&base, "");
    anon.register("ann@example.eu", "PL").await;
    let ann = anon.login_token("ann@example.eu", common::PASSWORD).await;
    let (status, school) = ann
        .post(
            "/api/schools",
            json!({"name": "Szkoła nr 5", "country": "PL", "city": "Łódź"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful exit, got {exit:?}");

    let (mut child, base) = spawn_server(&data);
    let c = client(&base, ann.bearer.as_ref().unwrap());
    let (status, body) = c.get(&format!("/api/schools/{}", school["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["city"], "Łódź");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A stop signal sent as soon as the server says it listens is handled: the server stops
/// gracefully (exit status 0), it is not killed by the signal's default action.
#[test]
fn sigterm_right_after_start_stops_gracefully() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let (mut child, _) = spawn_server(&dir.path().join("data"));
        let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
        // SAFETY: sends a signal to our own child process, which has not been reaped yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = child.wait().unwrap();
        assert!(status.success(), "stopped by SIGTERM: {status:?}");
    }
}

/// A value sled keeps outside its log (a 1 MiB picture goes to a file under `blobs/`)
/// survives `kill -9` right after the acknowledgement, and so does the node sled rewrote
/// around it. What this proves: the blob path of the durable flush (watch, fsync the new
/// blob files and their directory, then the log) runs in the real binary without losing
/// or damaging anything. It cannot prove power-cut safety (the page cache survives a killed
/// process); `store::backup::tests` checks that the acknowledging flush fsynced the blob.
#[actix_web::test]
async fn a_large_picture_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, base) = spawn_server(&data);
    let anon = client(&base, "");
    anon.register("pat@example.eu", "FR").await;
    let pat = anon.login_token("pat@example.eu", common::PASSWORD).await;
    let id = pat.my_id().await;
    let mut picture = b"\x89PNG\r\n\x1a\n".to_vec();
    picture.extend((picture.len()..1 << 20).map(|i| (i % 253) as u8));
    let path = format!("/api/users/{id}/picture");
    let body = Some(("image/png".to_string(), picture.clone()));
    let (status, _, _) = pat
        .send_raw(actix_web::http::Method::PUT, &path, body)
        .await;
    assert_eq!(status, StatusCode::OK);
    child.kill().expect("kill -9");
    child.wait().unwrap();
    assert!(
        std::fs::read_dir(data.join("blobs")).unwrap().count() >= 1,
        "sled kept the picture in a blob file"
    );

    let (mut child, base) = spawn_server(&data);
    let pat = client(&base, pat.bearer.as_ref().unwrap());
    let (status, _, bytes) = pat
        .send_raw(actix_web::http::Method::GET, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes == picture, "the picture came back unchanged");
    child.kill().unwrap();
    child.wait().unwrap();
}
