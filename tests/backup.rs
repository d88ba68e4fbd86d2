//! Backups taken by the running server and restored with `twinhub restore`.
//!
//! The round trip runs the real binary: members write mail, profiles (with a 300 KiB
//! picture, which sled keeps in a blob file), group chat and schools concurrently; an
//! administrator takes a backup over the API mid-way; every write acknowledged before the
//! backup call began is recorded. The server is stopped, the backup restored over its store,
//! and the binary started again: every recorded write is there, the sessions still work, new
//! ids do not collide with restored ones, and the search index was rebuilt from the restored
//! store (a member who registered after the backup, and was in the old index, is gone).

mod common;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client, PASSWORD};
use serde_json::json;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Over sled's blob threshold (about 128 KiB): each picture is a blob file of its own.
const PICTURE_BYTES: usize = 300 * 1024;

/// A "PNG" of `PICTURE_BYTES` whose first bytes after the signature say which it is.
fn picture(n: u64) -> Vec<u8> {
    let mut bytes = PNG_MAGIC.to_vec();
    bytes.extend_from_slice(&n.to_be_bytes());
    bytes.extend((bytes.len()..PICTURE_BYTES).map(|i| (i % 251) as u8));
    bytes
}

fn picture_number(bytes: &[u8]) -> u64 {
    assert!(bytes.starts_with(PNG_MAGIC), "a picture came back");
    assert_eq!(bytes.len(), PICTURE_BYTES);
    u64::from_be_bytes(bytes[8..16].try_into().unwrap())
}

/// The real binary over `dir` with generous throttles (the writers write fast).
fn binary(dir: &Path) -> std::process::Command {
    let mut cmd = common::binary(dir);
    cmd.env("TWINHUB_SERVER__WORKERS", "2")
        .env("TWINHUB_AUTH__REGISTRATIONS_PER_ADDRESS", "100")
        .env("TWINHUB_LIMITS__MESSAGES_PER_WINDOW", "1000000")
        .env("TWINHUB_GROUPS__MESSAGES_PER_WINDOW", "1000000");
    cmd
}

fn serve(dir: &Path) -> (Child, String) {
    common::spawn_listening(binary(dir))
}

/// Runs a `twinhub` command to its end, with `stdin` as its input.
fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = binary(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run twinhub");
    writeln!(child.stdin.take().unwrap(), "{stdin}").unwrap();
    child.wait_with_output().unwrap()
}

fn stop(mut child: Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    // SAFETY: signals our own child, not reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    assert!(child.wait().unwrap().success(), "graceful stop");
}

fn client(base: &str) -> Client {
    Client {
        base: base.to_string(),
        http: awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish(),
        cookie: None,
        csrf: None,
        bearer: None,
    }
}

/// The same session against another server address.
fn moved(c: &Client, base: &str) -> Client {
    Client {
        base: base.to_string(),
        ..c.clone_session()
    }
}

async fn member(base: &str, email: &str) -> (Client, u64) {
    let anon = client(base);
    assert_eq!(anon.register(email, "FR").await.0, StatusCode::ACCEPTED);
    let c = anon.login_token(email, PASSWORD).await;
    let id = c.my_id().await;
    (c, id)
}

async fn put_picture(c: &Client, id: u64, n: u64) -> StatusCode {
    let body = Some(("image/png".to_string(), picture(n)));
    let path = format!("/api/users/{id}/picture");
    c.send_raw(Method::PUT, &path, body).await.0
}

/// What the writers had acknowledged: per kind, id → what was written.
#[derive(Default, Clone)]
struct Acked {
    mails: BTreeMap<u64, String>,
    schools: BTreeMap<u64, String>,
    chat: BTreeMap<u64, String>,
    /// The last bio and picture number acknowledged.
    bio: u64,
    picture: u64,
}

impl Acked {
    fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.mails
            .keys()
            .chain(self.schools.keys())
            .chain(self.chat.keys())
            .copied()
    }

    fn least(&self) -> usize {
        [self.mails.len(), self.schools.len(), self.chat.len()]
            .into_iter()
            .chain([self.bio as usize, self.picture as usize])
            .min()
            .unwrap_or(0)
    }
}

struct Cast {
    boss: Client,
    ann: Client,
    bob: (Client, u64),
    cat: (Client, u64),
    dan: Client,
    group: u64,
}

/// An administrator (made by `twinhub admin create`), an officer who validates ann, bob
/// and dan, ann and bob in contact, and a group of dan's.
async fn cast(base: &str) -> Cast {
    let boss = client(base).login_token("boss@x.eu", PASSWORD).await;
    let (officer, officer_id) = member(base, "officer@x.eu").await;
    assert_eq!(boss.appoint_nso(officer_id, "FR").await.0, StatusCode::OK);
    let (ann, ann_id) = member(base, "ann@x.eu").await;
    let bob = member(base, "bob@x.eu").await;
    let cat = member(base, "cat@x.eu").await;
    let (dan, dan_id) = member(base, "dan@x.eu").await;
    for id in [ann_id, bob.1, dan_id] {
        let path = format!("/api/nso/members/{id}/validation");
        assert_eq!(
            officer.send(Method::PUT, &path, None).await.0,
            StatusCode::OK
        );
    }
    let (s, body) = ann
        .post("/api/contacts/requests", json!({"user_id": bob.1}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let accept = format!("/api/contacts/requests/{ann_id}/accept");
    assert_eq!(
        bob.0.send(Method::POST, &accept, None).await.0,
        StatusCode::OK
    );
    let (s, body) = dan
        .post(
            "/api/groups",
            json!({"title": "Backup weather club", "subjects": ["geography"], "languages": ["en"],
                "policy": "all", "accept_code_of_conduct": twinhub::domain::code_of_conduct::VERSION}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    Cast {
        boss,
        ann,
        bob,
        cat,
        dan,
        group: body["id"].as_u64().unwrap(),
    }
}

/// Four writers, one per kind, each recording what the server acknowledged, until `done`.
fn start_writers(
    cast: &Cast,
    acked: &Rc<RefCell<Acked>>,
    done: &Rc<Cell<bool>>,
) -> Vec<actix_web::rt::task::JoinHandle<()>> {
    let mut writers = Vec::new();
    let (ann, bob_id) = (cast.ann.clone_session(), cast.bob.1);
    let (a, d) = (acked.clone(), done.clone());
    writers.push(actix_web::rt::spawn(async move {
        for n in 0.. {
            if d.get() {
                break;
            }
            let subject = format!("Mail {n}");
            let body = json!({"to": [bob_id], "subject": subject, "body": "Backups matter."});
            let (s, sent) = ann.post("/api/mail", body).await;
            assert_eq!(s, StatusCode::CREATED, "{sent}");
            a.borrow_mut()
                .mails
                .insert(sent["id"].as_u64().unwrap(), subject);
        }
    }));
    let bob = cast.bob.0.clone_session();
    let (a, d) = (acked.clone(), done.clone());
    writers.push(actix_web::rt::spawn(async move {
        for n in 0.. {
            if d.get() {
                break;
            }
            let name = format!("Backup school {n}");
            let body = json!({"name": name, "country": "FR", "city": "Lyon"});
            let (s, school) = bob.post("/api/schools", body).await;
            assert_eq!(s, StatusCode::CREATED, "{school}");
            a.borrow_mut()
                .schools
                .insert(school["id"].as_u64().unwrap(), name);
        }
    }));
    let (dan, g) = (cast.dan.clone_session(), cast.group);
    let (a, d) = (acked.clone(), done.clone());
    writers.push(actix_web::rt::spawn(async move {
        for n in 0.. {
            if d.get() {
                break;
            }
            let text = format!("Chat {n}");
            let body = json!({"client_id": format!("c{n}"), "text": text});
            let (s, m) = dan.post(&format!("/api/groups/{g}/messages"), body).await;
            assert_eq!(s, StatusCode::CREATED, "{m}");
            a.borrow_mut().chat.insert(m["id"].as_u64().unwrap(), text);
        }
    }));
    let (cat, cat_id) = (cast.cat.0.clone_session(), cast.cat.1);
    let (a, d) = (acked.clone(), done.clone());
    writers.push(actix_web::rt::spawn(async move {
        for n in 1.. {
            if d.get() {
                break;
            }
            let path = format!("/api/users/{cat_id}/profile");
            let body = Some(json!({"bio": format!("Bio {n}")}));
            let (s, p) = cat.send(Method::PATCH, &path, body).await;
            assert_eq!(s, StatusCode::OK, "{p}");
            a.borrow_mut().bio = n;
            assert_eq!(put_picture(&cat, cat_id, n).await, StatusCode::OK);
            a.borrow_mut().picture = n;
        }
    }));
    writers
}

async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every chat message of group `g` (all pages).
async fn chat(c: &Client, g: u64) -> BTreeMap<u64, String> {
    let mut seen = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/groups/{g}/messages?limit=100&after={a}"),
            None => format!("/api/groups/{g}/messages?limit=100"),
        };
        let (s, page) = c.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for m in page["items"].as_array().unwrap() {
            seen.insert(
                m["id"].as_u64().unwrap(),
                m["text"].as_str().unwrap().to_string(),
            );
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return seen,
        }
    }
}

/// Bob's inbox, all pages: (message ids, how many are unread).
async fn inbox(bob: &Client) -> (Vec<u64>, u64) {
    let (mut ids, mut unread) = (Vec::new(), 0);
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/mail/inbox?limit=100&after={a}"),
            None => "/api/mail/inbox?limit=100".to_string(),
        };
        let (s, page) = bob.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for m in page["items"].as_array().unwrap() {
            ids.push(m["id"].as_u64().unwrap());
            unread += u64::from(m["read"] == false);
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return (ids, unread),
        }
    }
}

/// Every write in `before` is in the restored server at `base`.
async fn check_restored(cast: &Cast, base: &str, before: &Acked) {
    let ann = moved(&cast.ann, base);
    for (id, subject) in &before.mails {
        let (s, mail) = ann.get(&format!("/api/mail/{id}")).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "mail {id} acknowledged before the backup: {mail}"
        );
        assert_eq!(mail["subject"], subject.as_str());
    }
    let bob = moved(&cast.bob.0, base);
    // Trees copied at one instant: the unread counter agrees with the inbox it counts.
    let (inbox_ids, unread) = inbox(&bob).await;
    let (_, count) = bob.get("/api/mail/unread").await;
    assert_eq!(
        count["unread"], unread,
        "counter and inbox of the same moment"
    );
    for id in before.mails.keys() {
        assert!(inbox_ids.contains(id), "mail {id} in bob's inbox");
    }
    for (id, name) in &before.schools {
        let (s, school) = bob.get(&format!("/api/schools/{id}")).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "school {id} acknowledged before the backup"
        );
        assert_eq!(school["name"], name.as_str());
    }
    let restored_chat = chat(&moved(&cast.dan, base), cast.group).await;
    for (id, text) in &before.chat {
        assert_eq!(restored_chat.get(id), Some(text), "chat message {id}");
    }
    let cat = moved(&cast.cat.0, base);
    let (s, profile) = cat.get(&format!("/api/users/{}", cast.cat.1)).await;
    assert_eq!(s, StatusCode::OK);
    let bio: u64 = profile["bio"].as_str().unwrap()["Bio ".len()..]
        .parse()
        .unwrap();
    assert!(bio >= before.bio, "bio {bio}, acknowledged {}", before.bio);
    let (s, _, bytes) = cat
        .send_raw(
            Method::GET,
            &format!("/api/users/{}/picture", cast.cat.1),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let n = picture_number(&bytes);
    assert!(
        n >= before.picture,
        "picture {n}, acknowledged {}",
        before.picture
    );
}

/// `twinhub admin create` of the administrator boss@x.eu on the store under `dir`.
fn create_boss(dir: &std::path::Path) -> std::process::Output {
    run(
        dir,
        &[
            "admin",
            "create",
            "--email",
            "boss@x.eu",
            "--name",
            "Boss",
            "--country",
            "FR",
        ],
        PASSWORD,
    )
}

#[actix_web::test]
async fn a_backup_under_concurrent_writes_restores_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let made = create_boss(dir.path());
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let (server, base) = serve(dir.path());
    let cast = cast(&base).await;
    let (_, early_id) = member(&base, "quokkaearly@x.eu").await;

    let acked: Rc<RefCell<Acked>> = Rc::default();
    let done = Rc::new(Cell::new(false));
    let writers = start_writers(&cast, &acked, &done);
    wait_until("each writer was acknowledged 3 times", || {
        acked.borrow().least() >= 3
    })
    .await;
    let before = acked.borrow().clone();
    let (s, backup) = cast
        .boss
        .post("/api/admin/backups", json!({"name": "mid"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{backup}");
    let backup_dir = backup["path"].as_str().unwrap().to_string();
    assert!(backup["records"].as_u64().unwrap() > 0, "{backup}");
    assert!(
        backup["bytes"].as_u64().unwrap() > PICTURE_BYTES as u64,
        "{backup}"
    );
    eprintln!(
        "acknowledged before the backup: {} mails, {} schools, {} chat messages, bio {}, picture {}; backup: {backup}",
        before.mails.len(), before.schools.len(), before.chat.len(), before.bio, before.picture
    );
    let at_backup = acked.borrow().least();
    wait_until("writers went on after the backup", || {
        acked.borrow().least() > at_backup
    })
    .await;
    done.set(true);
    for w in writers {
        w.await.unwrap();
    }

    // Written after the backup, and indexed by the running server: must not survive.
    let (late, late_id) = member(&base, "zanzibarlate@x.eu").await;
    late.search_until("q=zanzibarlate&kind=people", |b| b["total"] == 1)
        .await;
    let nowhere = dir.path().join("not-a-backup");
    let refused = run(dir.path(), &["restore", nowhere.to_str().unwrap()], "");
    assert!(
        !refused.status.success(),
        "restore of a directory that is no backup"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a complete twinhub backup"));
    let refused = run(dir.path(), &["restore", &backup_dir], "");
    assert!(!refused.status.success(), "restore while the server runs");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("in use"));
    stop(server);

    let restored = run(dir.path(), &["restore", &backup_dir], "");
    let said = String::from_utf8_lossy(&restored.stdout);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(said.contains("is kept in"), "{said}");
    let (server, base) = serve(dir.path());
    check_restored(&cast, &base, &before).await;

    let boss = moved(&cast.boss, &base);
    let found = boss.get("/api/search?q=quokkaearly&kind=people").await.1;
    assert_eq!(found["items"][0]["id"], early_id, "{found}");
    let gone = boss.get("/api/search?q=zanzibarlate&kind=people").await.1;
    assert_eq!(
        gone["total"], 0,
        "the index was rebuilt from the restored store: {gone}"
    );
    assert_eq!(
        boss.get(&format!("/api/users/{late_id}")).await.0,
        StatusCode::NOT_FOUND
    );

    // Ids go on above every restored id: a new school overwrites nothing.
    let bob = moved(&cast.bob.0, &base);
    let (s, school) = bob
        .post(
            "/api/schools",
            json!({"name": "After restore", "country": "FR", "city": "Nice"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{school}");
    let new_id = school["id"].as_u64().unwrap();
    let restored_max = acked.borrow().ids().max().unwrap();
    assert!(
        new_id > restored_max,
        "new id {new_id} after {restored_max}"
    );
    check_restored(&cast, &base, &before).await;
    stop(server);
}

#[actix_web::test]
async fn backups_are_for_administrators_into_new_names_only() {
    let server = common::start().await;
    let teacher = server.member("teacher@x.eu", "FR").await;
    let got = teacher
        .post("/api/admin/backups", json!({"name": "b1"}))
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let admin = server.member("admin@x.eu", "FR").await;
    server.make_admin("admin@x.eu");
    for bad in ["../escape", "/etc", "", ".hidden", "a b"] {
        let got = admin.post("/api/admin/backups", json!({"name": bad})).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "validation_failed");
    }
    let got = admin
        .post("/api/admin/backups", json!({"path": "/tmp/x"}))
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "bad_request");
    let (s, first) = admin
        .post("/api/admin/backups", json!({"name": "b1"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let marker = Path::new(first["path"].as_str().unwrap()).join("twinhub-backup.json");
    assert!(marker.is_file(), "a complete backup has its marker");
    let again = admin
        .post("/api/admin/backups", json!({"name": "b1"}))
        .await;
    assert_error(&again, StatusCode::CONFLICT, "conflict");
    server.stop().await;
}

/// `twinhub backup` asks the running server, with the token from TWINHUB_ADMIN_TOKEN.
#[actix_web::test]
async fn the_backup_command_asks_the_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let made = create_boss(dir.path());
    assert!(made.status.success());
    let (server, base) = serve(dir.path());
    let boss = client(&base).login_token("boss@x.eu", PASSWORD).await;
    let (teacher, _) = member(&base, "teacher@x.eu").await;
    let command = |token: Option<String>| {
        let (dir, base) = (dir.path().to_path_buf(), base.clone());
        actix_web::web::block(move || {
            let mut cmd = binary(&dir);
            cmd.args(["backup", "nightly", "--url", &base])
                .stderr(Stdio::piped());
            if let Some(t) = token {
                cmd.env("TWINHUB_ADMIN_TOKEN", t);
            }
            cmd.output().unwrap()
        })
    };
    let no_token = command(None).await.unwrap();
    assert!(!no_token.status.success());
    assert!(String::from_utf8_lossy(&no_token.stderr).contains("TWINHUB_ADMIN_TOKEN"));
    let not_admin = command(teacher.bearer.clone()).await.unwrap();
    assert!(!not_admin.status.success());
    assert!(String::from_utf8_lossy(&not_admin.stderr).contains("403"));
    let done = command(boss.bearer.clone()).await.unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("Backup nightly written"));
    assert!(dir
        .path()
        .join("backups/nightly/twinhub-backup.json")
        .is_file());
    stop(server);
}
