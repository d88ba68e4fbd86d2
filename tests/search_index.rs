//! The index's life with the real binary: a change committed but never indexed (a crash
//! between the two) is indexed at the next start; an index of another schema version or
//! built from another store is rebuilt at start; `twinhub reindex` rebuilds it from the
//! store; a directory that is not an index is never emptied.

mod common;

use std::path::Path;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use serde_json::Value;
use twinhub::domain::user::User;
use twinhub::error::AppError;
use twinhub::ids::UserId;
use twinhub::live::bus::NullBus;
use twinhub::search::{DocRef, Search};
use twinhub::service::accounts;
use twinhub::store::Tree;

fn spawn_server(dir: &Path) -> (Child, String) {
    let mut cmd = common::binary(dir);
    cmd.env("TWINHUB_SERVER__SHUTDOWN_TIMEOUT_SECS", "1");
    common::spawn_listening(cmd)
}

fn stop(mut child: Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    assert!(child.wait().unwrap().success());
}

fn config(dir: &Path) -> twinhub::config::Config {
    common::test_config(dir)
}

/// Writes a member through the services of a core opened on `dir`, with no indexer
/// running: the change and its mark are committed, the index never hears of it.
fn write_member_without_indexer(dir: &Path, name: &str) {
    let core = twinhub::server::open_core(config(dir), Arc::new(NullBus)).unwrap();
    let id = UserId(core.store.next_id().unwrap());
    let user = User::new_member(
        id,
        format!("m{}@x.eu", id.0),
        "!".into(),
        name.into(),
        Some("FR".into()),
        core.clock.now(),
    );
    assert!(accounts::insert_user(&core, &user).unwrap());
    let mark = core
        .store
        .get(Tree::SearchPending, &DocRef::User(id).key())
        .unwrap();
    assert!(mark.is_some(), "the change is marked for the index");
    core.store.wait_durable().unwrap();
}

async fn searcher(base: &str, email: &str) -> common::Client {
    let anon = common::Client {
        base: base.to_string(),
        http: awc::Client::builder()
            .timeout(Duration::from_secs(10))
            .finish(),
        cookie: None,
        csrf: None,
        bearer: None,
    };
    let (status, _) = anon.register(email, "FR").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    anon.login_token(email, common::PASSWORD).await
}

async fn total_within(c: &common::Client, q: &str, want: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = c.get(&format!("/api/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["total"] == want {
            return body;
        }
        assert!(Instant::now() < deadline, "{q}: {body}");
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
}

fn stamp(dir: &Path) -> Value {
    let bytes = std::fs::read(dir.join("index").join("twinhub-index.json")).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[actix_web::test]
async fn a_change_committed_but_never_indexed_is_indexed_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    write_member_without_indexer(dir.path(), "Crashmark Person");
    let (child, base) = spawn_server(dir.path());
    let me = searcher(&base, "searcher@x.eu").await;
    let body = total_within(&me, "crashmark", 1).await;
    assert_eq!(body["items"][0]["title"], "Crashmark Person");
    stop(child);
}

#[actix_web::test]
async fn an_index_of_another_version_or_another_store_is_rebuilt_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = spawn_server(dir.path());
    let me = searcher(&base, "searcher@x.eu").await;
    total_within(&me, "searcher", 1).await;
    stop(child);

    // Another schema version: rebuilt, and the member is still found.
    let mut old = stamp(dir.path());
    let current = old["schema_version"].clone();
    old["schema_version"] = 0.into();
    std::fs::write(
        dir.path().join("index").join("twinhub-index.json"),
        old.to_string(),
    )
    .unwrap();
    let (child, base) = spawn_server(dir.path());
    let me = common::Client {
        base: base.clone(),
        ..me.clone_session()
    };
    total_within(&me, "searcher", 1).await;
    assert_eq!(stamp(dir.path())["schema_version"], current);
    stop(child);

    // A fresh store beside the old index: the old members must not be found.
    std::fs::remove_dir_all(dir.path().join("data")).unwrap();
    let (child, base) = spawn_server(dir.path());
    let other = searcher(&base, "other@x.eu").await;
    total_within(&other, "other", 1).await;
    total_within(&other, "searcher", 0).await;
    stop(child);
}

#[test]
fn reindex_rebuilds_the_index_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["Ada Lovelace", "Grace Hopper", "Alan Turing"] {
        // Never indexed: only the first open built an (empty) index; the marks wait.
        write_member_without_indexer(dir.path(), name);
    }
    // What the progress bar expects: the index being replaced, read from its metadata.
    let index = dir.path().join("index");
    assert_eq!(Search::documents_in(&index), Some(0));
    assert_eq!(Search::documents_in(&dir.path().join("nowhere")), None);
    let out = Command::new(env!("CARGO_BIN_EXE_twinhub"))
        .arg("reindex")
        .env("TWINHUB_STORE__PATH", dir.path().join("data"))
        .env("TWINHUB_SEARCH__INDEX_DIR", dir.path().join("index"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("run twinhub reindex");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Indexed 3 items"), "{stdout}");
    assert_eq!(Search::documents_in(&index), Some(3));
    let search = Search::open_existing(&dir.path().join("index")).unwrap();
    assert_eq!(search.num_docs(), 3);
    // The rebuild took every mark: nothing is left to index twice.
    let core = twinhub::server::open_core(config(dir.path()), Arc::new(NullBus)).unwrap();
    assert!(core
        .store
        .scan_prefix(Tree::SearchPending, &[], None, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn a_directory_that_is_not_an_index_is_never_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let precious = dir.path().join("index").join("precious.txt");
    std::fs::create_dir_all(precious.parent().unwrap()).unwrap();
    std::fs::write(&precious, "keep me").unwrap();
    match twinhub::server::open_core(config(dir.path()), Arc::new(NullBus)) {
        Err(AppError::Config(msg)) => assert!(msg.contains("refusing"), "{msg}"),
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(_) => panic!("opened a directory that is not an index"),
    }
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
}
