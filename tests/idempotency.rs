//! `Idempotency-Key`: a retried POST is answered with its first answer and does its work
//! once, per member; another request under the same key is refused (422), one still running
//! answers 409; and retries after `kill -9` of the real binary send each mail exactly once.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use common::{Client, TestServer};
use serde_json::{json, Value};
use twinhub::ids::UserId;
use twinhub::service::idempotency;
use twinhub::store::Tree;

struct Pair {
    server: TestServer,
    ann: Client,
    bob: Client,
    ann_id: u64,
    bob_id: u64,
    dan_id: u64,
}

/// Ann and Bob are validated contacts; Dan is validated but nobody's contact.
async fn pair_with(tweak: impl FnOnce(&mut twinhub::config::Config)) -> Pair {
    let server = common::start_with(tweak).await;
    let nso = common::fr_officer(&server).await;
    let (ann, ann_id) = server.teacher(&nso, "ann@x.eu", true).await;
    let (bob, bob_id) = server.teacher(&nso, "bob@x.eu", true).await;
    let (_dan, dan_id) = server.teacher(&nso, "dan@x.eu", true).await;
    server.connect(&ann, &bob).await;
    Pair {
        server,
        ann,
        bob,
        ann_id,
        bob_id,
        dan_id,
    }
}

async fn inbox_subjects(c: &Client) -> Vec<String> {
    let mut subjects = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/mail/inbox?limit=100&after={a}"),
            None => "/api/mail/inbox?limit=100".to_string(),
        };
        let (status, page) = c.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["items"].as_array().unwrap() {
            subjects.push(item["subject"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return subjects,
        }
    }
}

fn mail(to: u64, subject: &str) -> Value {
    json!({"to": [to], "subject": subject, "body": "Shall we start in March?"})
}

#[actix_web::test]
async fn a_retried_send_gets_the_first_answer_and_sends_once() {
    let p = pair_with(|_| {}).await;
    let first = p
        .ann
        .post_with_key("/api/mail", "send-1", &mail(p.bob_id, "Once"))
        .await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.2);
    assert!(first.1.get("Idempotent-Replayed").is_none());
    let retry = p
        .ann
        .post_with_key("/api/mail", "send-1", &mail(p.bob_id, "Once"))
        .await;
    assert_eq!(retry.0, StatusCode::CREATED);
    assert_eq!(retry.1.get("Idempotent-Replayed").unwrap(), "true");
    assert_eq!(retry.2, first.2, "the same answer, the same message id");
    assert_eq!(inbox_subjects(&p.bob).await, ["Once"], "sent once");

    // The same key for another request is refused, and does nothing.
    let other = p
        .ann
        .post_with_key("/api/mail", "send-1", &mail(p.bob_id, "Other"))
        .await;
    common::assert_error(
        &(other.0, other.2),
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );
    let elsewhere = p
        .ann
        .post_with_key("/api/groups", "send-1", &json!({"title": "x"}))
        .await;
    assert_eq!(
        elsewhere.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another path is another request"
    );
    // Keys are per member: Bob's "send-1" is his own.
    let bobs = p
        .bob
        .post_with_key("/api/mail", "send-1", &mail(p.ann_id, "Once"))
        .await;
    assert_eq!(bobs.0, StatusCode::CREATED);
    assert!(bobs.1.get("Idempotent-Replayed").is_none());
    assert_eq!(inbox_subjects(&p.ann).await, ["Once"]);
    assert_eq!(inbox_subjects(&p.bob).await, ["Once"]);

    // A refusal is an answer too: the retry gets it again.
    let refused = p
        .ann
        .post_with_key("/api/mail", "send-2", &mail(p.dan_id, "Hi"))
        .await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN, "{}", refused.2);
    let again = p
        .ann
        .post_with_key("/api/mail", "send-2", &mail(p.dan_id, "Hi"))
        .await;
    assert_eq!((again.0, &again.2), (StatusCode::FORBIDDEN, &refused.2));
    assert_eq!(again.1.get("Idempotent-Replayed").unwrap(), "true");

    // Without a key, each request is its own.
    for _ in 0..2 {
        let (status, _) = p.ann.post("/api/mail", mail(p.bob_id, "Twice")).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    assert_eq!(inbox_subjects(&p.bob).await.len(), 3);
}

#[actix_web::test]
async fn keys_are_checked_and_only_members_requests_use_them() {
    let p = pair_with(|_| {}).await;
    for bad in ["", "é", &"k".repeat(256), "with space"] {
        let (status, _, body) = p
            .ann
            .post_with_key("/api/mail", bad, &mail(p.bob_id, "x"))
            .await;
        common::assert_error(&(status, body), StatusCode::BAD_REQUEST, "bad_request");
    }
    assert!(inbox_subjects(&p.bob).await.is_empty());
    // No session: refused as without a key.
    let anon = p.server.client();
    let (status, _, body) = anon
        .post_with_key("/api/mail", "k", &mail(p.bob_id, "x"))
        .await;
    common::assert_error(&(status, body), StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[actix_web::test]
async fn concurrent_requests_with_one_key_send_once() {
    let p = pair_with(|_| {}).await;
    let ann = Rc::new(p.ann);
    let sends = (0..8).map(|_| {
        let ann = ann.clone();
        let body = mail(p.bob_id, "Race");
        async move { ann.post_with_key("/api/mail", "race-1", &body).await }
    });
    let answers = futures_util::future::join_all(sends).await;
    let created: Vec<_> = answers
        .iter()
        .filter(|a| a.0 == StatusCode::CREATED)
        .collect();
    assert!(!created.is_empty(), "one of them went through");
    assert!(
        created.iter().all(|a| a.2 == created[0].2),
        "one answer for all"
    );
    for (status, _, body) in &answers {
        assert!(
            *status == StatusCode::CREATED
                || (*status == StatusCode::CONFLICT && body["error"]["code"] == "conflict"),
            "{status} {body}"
        );
    }
    assert_eq!(inbox_subjects(&p.bob).await, ["Race"], "sent once");
}

#[actix_web::test]
async fn work_recorded_without_its_answer_is_not_done_again() {
    let p = pair_with(|_| {}).await;
    let body = mail(p.bob_id, "Lost answer");
    // As if the server had crashed after the send's transaction (which writes the key's
    // record with the work) and before the answer was kept.
    let print = idempotency::fingerprint("POST", "/api/mail", body.to_string().as_bytes());
    let rider = idempotency::rider(&p.server.core, UserId(p.ann_id), "lost-1", &print).unwrap();
    let slot = Arc::new(Mutex::new(Some(rider)));
    twinhub::store::rider::with(Some(slot), || {
        p.server
            .core
            .store
            .transact(&[Tree::Meta], |tx| tx.insert(Tree::Meta, b"work", vec![]))
    })
    .unwrap();
    let (status, _, answer) = p.ann.post_with_key("/api/mail", "lost-1", &body).await;
    common::assert_error(&(status, answer.clone()), StatusCode::CONFLICT, "conflict");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("carried out"));
    assert!(inbox_subjects(&p.bob).await.is_empty(), "not sent again");
}

/// Two validated contacts in a store on `dir`, made through the real binary (an
/// administrator from `twinhub admin create` appoints the officer who validates them).
/// Returns their bearer tokens and Bob's id.
async fn contacts_on_disk(dir: &std::path::Path) -> (String, String, u64) {
    use std::io::Write;
    let mut admin = std::process::Command::new(env!("CARGO_BIN_EXE_twinhub"))
        .args([
            "admin",
            "create",
            "--email",
            "root@x.eu",
            "--name",
            "Root",
            "--country",
            "FR",
        ])
        .env("TWINHUB_STORE__PATH", dir.join("data"))
        .env("TWINHUB_SEARCH__INDEX_DIR", dir.join("index"))
        .env("TWINHUB_MAIL__OUTBOX_DIR", dir.join("outbox"))
        .env("TWINHUB_STORE__LOAD_DEMO_ON_EMPTY", "false")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    writeln!(admin.stdin.take().unwrap(), "{}", common::PASSWORD).unwrap();
    assert!(admin.wait().unwrap().success());
    let (mut child, base) = spawn(dir);
    let anon = Client::at(&base, None);
    let root = anon.login_token("root@x.eu", common::PASSWORD).await;
    let mut members = Vec::new();
    for email in ["nso@x.eu", "ann@x.eu", "bob@x.eu"] {
        assert_eq!(anon.register(email, "FR").await.0, StatusCode::ACCEPTED);
        let c = anon.login_token(email, common::PASSWORD).await;
        let id = c.my_id().await;
        members.push((c, id));
    }
    let [(nso, nso_id), (ann, ann_id), (bob, bob_id)] = <[_; 3]>::try_from(members).ok().unwrap();
    assert_eq!(root.appoint_nso(nso_id, "FR").await.0, StatusCode::OK);
    for id in [ann_id, bob_id] {
        let path = format!("/api/nso/members/{id}/validation");
        let (status, body) = nso.send(actix_web::http::Method::PUT, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = ann
        .post("/api/contacts/requests", json!({"user_id": bob_id}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let accept = format!("/api/contacts/requests/{ann_id}/accept");
    let (status, body) = bob.send(actix_web::http::Method::POST, &accept, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    child.kill().unwrap();
    child.wait().unwrap();
    (ann.bearer.unwrap(), bob.bearer.unwrap(), bob_id)
}

/// The real binary on `dir` with the mail throttle lifted.
fn spawn(dir: &std::path::Path) -> (std::process::Child, String) {
    let mut cmd = common::binary(dir);
    cmd.env("TWINHUB_SERVER__WORKERS", "2")
        .env("TWINHUB_LIMITS__MESSAGES_PER_WINDOW", "1000000");
    common::spawn_listening(cmd)
}

#[actix_web::test]
async fn retries_after_kill_9_send_each_mail_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (ann_token, bob_token, bob_id) = contacts_on_disk(dir.path()).await;
    // key -> answered?
    let sent: Rc<RefCell<HashMap<String, bool>>> = Rc::default();
    let (mut child, mut base) = spawn(dir.path());
    for cycle in 0..3 {
        let mut writers = Vec::new();
        for w in 0..6 {
            let c = Client::at(&base, Some(&ann_token));
            let sent = sent.clone();
            writers.push(actix_web::rt::spawn(async move {
                for n in 0.. {
                    let key = format!("c{cycle}-w{w}-n{n}");
                    sent.borrow_mut().insert(key.clone(), false);
                    let resp = c
                        .http
                        .post(format!("{}/api/mail", c.base))
                        .insert_header((
                            "Authorization",
                            format!("Bearer {}", c.bearer.as_ref().unwrap()),
                        ))
                        .insert_header(("Idempotency-Key", key.as_str()))
                        .send_json(&mail(bob_id, &key))
                        .await;
                    match resp {
                        Ok(r) if r.status() == StatusCode::CREATED => {
                            sent.borrow_mut().insert(key, true);
                        }
                        _ => break,
                    }
                }
            }));
        }
        actix_web::rt::time::sleep(Duration::from_millis(500 + 200 * cycle)).await;
        child.kill().expect("kill -9");
        child.wait().unwrap();
        for w in writers {
            w.await.unwrap();
        }
        (child, base) = spawn(dir.path());
        // Retry every send whose answer was lost, with its key.
        let ann = Client::at(&base, Some(&ann_token));
        let unanswered: Vec<String> = sent
            .borrow()
            .iter()
            .filter(|(_, answered)| !**answered)
            .map(|(k, _)| k.clone())
            .collect();
        for key in unanswered {
            let (status, _, body) = ann
                .post_with_key("/api/mail", &key, &mail(bob_id, &key))
                .await;
            assert!(
                status == StatusCode::CREATED || status == StatusCode::CONFLICT,
                "retry of {key}: {status} {body}"
            );
            sent.borrow_mut().insert(key, true);
        }
    }
    let bob = Client::at(&base, Some(&bob_token));
    let subjects = inbox_subjects(&bob).await;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for s in &subjects {
        *seen.entry(s.as_str()).or_default() += 1;
    }
    let doubles: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubles.is_empty(), "sent twice: {doubles:?}");
    let sent = sent.borrow();
    let missing: Vec<_> = sent
        .keys()
        .filter(|k| !seen.contains_key(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged or retried but not sent: {missing:?}"
    );
    eprintln!(
        "{} mails over 3 kill -9 cycles, each sent once",
        subjects.len()
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
