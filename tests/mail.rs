//! Outbound e-mail over a real sled store and real files: the outbox is transactional, the
//! sender writes one `.eml` per mail with the right headers, a failed SMTP attempt is kept
//! and retried, and the queue survives a restart and a `kill -9` of the real binary.

mod common;

use common::email::{decode_header, eml_files, parse, wait_until};

use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

use twinhub::config::{Config, Secret};
use twinhub::error::AppError;
use twinhub::ids::MailId;
use twinhub::live::bus::NullBus;
use twinhub::mail::{self, MailKind, NamedAddress, OutgoingMail};
use twinhub::store::TxError;

fn sample(subject: &str, body: &str) -> OutgoingMail {
    OutgoingMail {
        to_address: "bob@example.org".into(),
        to_name: "Bob Recipient".into(),
        subject: subject.into(),
        body: body.into(),
        reply_to: Some(NamedAddress {
            name: "Ann Sender".into(),
            address: "ann@example.org".into(),
        }),
        kind: MailKind::MemberMessage,
    }
}

#[test]
fn a_mail_is_queued_only_if_the_transaction_commits() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::test_config(dir.path());
    let core = twinhub::server::open_core(cfg.clone(), Arc::new(NullBus)).unwrap();
    let m = sample("Hello", "Text");
    let id = MailId(core.store.next_id().unwrap());
    let now = core.clock.now();
    let refused = core.store.transact(&mail::TREES, |tx| {
        mail::enqueue(&core, tx, id, now, &m)?;
        // The caller's own rule refuses after the mail was queued: nothing may remain.
        Err::<(), _>(TxError::Abort(AppError::Conflict("refused".into())))
    });
    assert!(matches!(refused, Err(AppError::Conflict(_))));
    assert!(mail::pending(&core, 10).unwrap().is_empty());

    let id = MailId(core.store.next_id().unwrap());
    core.store
        .transact(&mail::TREES, |tx| mail::enqueue(&core, tx, id, now, &m))
        .unwrap();
    drop(core);
    // Committed means durable: the mail is there after the store is reopened.
    let core = twinhub::server::open_core(cfg, Arc::new(NullBus)).unwrap();
    let pending = mail::pending(&core, 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, id);
    assert_eq!(pending[0].mail, m);
    assert_eq!(pending[0].attempts, 0);
}

#[actix_web::test]
async fn the_sender_writes_one_eml_per_mail_with_safe_headers() {
    let server = common::start().await;
    let core = server.core.clone();
    let outbox = core.config.mail.outbox_dir.clone();

    // ASCII first, with header injection attempts in the subject and the names.
    let mut m = sample(
        "Hello\r\nBcc: x@evil.example",
        "Dear Bob,\r\nsee you in Lyon.\r\n",
    );
    m.to_name = "Bob\r\nBcc: y@evil.example".into();
    m.reply_to.as_mut().unwrap().name = "Ann\nX-Injected: yes".into();
    let id = mail::send(&core, &m).unwrap();
    wait_until("the mail is written and leaves the queue", || {
        eml_files(&outbox).len() == 1 && mail::pending(&core, 10).unwrap().is_empty()
    })
    .await;
    let file = &eml_files(&outbox)[0];
    assert_eq!(file.file_name().unwrap(), format!("{id}.eml").as_str());
    let raw = std::fs::read_to_string(file).unwrap();
    let msg = parse(&raw);
    for (name, _) in &msg.headers {
        assert!(
            !name.eq_ignore_ascii_case("bcc") && !name.eq_ignore_ascii_case("x-injected"),
            "injected header {name} in:\n{raw}"
        );
    }
    assert!(
        !raw.contains("\nBcc") && !raw.contains("\nX-Injected"),
        "{raw}"
    );
    assert_eq!(
        decode_header(&msg.header("From")),
        "Twinhub <no-reply@twinhub.localhost>"
    );
    let to = decode_header(&msg.header("To"));
    assert!(
        to.contains("<bob@example.org>") && to.contains("Bob"),
        "{to}"
    );
    let reply_to = decode_header(&msg.header("Reply-To"));
    assert!(
        reply_to.contains("<ann@example.org>") && reply_to.contains("Ann"),
        "{reply_to}"
    );
    assert_eq!(
        decode_header(&msg.header("Subject")),
        "Hello  Bcc: x@evil.example",
        "the subject stays one header; CR/LF became spaces"
    );
    assert_eq!(
        msg.header("Message-ID"),
        format!("<mail-{id}@twinhub.localhost>")
    );
    assert!(!msg.header("Date").is_empty());
    assert!(msg
        .header("Content-Type")
        .to_ascii_lowercase()
        .starts_with("text/plain; charset=utf-8"));
    assert_eq!(msg.body, "Dear Bob,\r\nsee you in Lyon.\r\n");

    // Then non-ASCII text, which lettre encodes (RFC 2047 subject, QP or base64 body).
    let subject = "Grüße aus Łódź — ünïcödé";
    let body = "Zażółć gęślą jaźń.\r\nΚαλημέρα! 🌍\r\n";
    let mut m = sample(subject, body);
    m.to_name = "Zoë Łukasz".into();
    let id2 = mail::send(&core, &m).unwrap();
    wait_until("the second mail is written", || {
        eml_files(&outbox).len() == 2 && mail::pending(&core, 10).unwrap().is_empty()
    })
    .await;
    let raw = std::fs::read_to_string(outbox.join(format!("{id2}.eml"))).unwrap();
    assert!(
        raw.is_ascii(),
        "headers and body are encoded for 7-bit transport"
    );
    let msg = parse(&raw);
    assert_eq!(decode_header(&msg.header("Subject")), subject);
    assert!(decode_header(&msg.header("To")).contains("Zoë Łukasz"));
    assert_eq!(msg.body, body);
    assert!(mail::dead(&core, 10).unwrap().is_empty());
    server.stop().await;
}

/// A local port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn fast_retries(cfg: &mut Config) {
    cfg.mail.retry_initial_secs = 1;
    cfg.mail.retry_max_secs = 1;
    cfg.mail.poll_interval_ms = 50;
}

/// Opens the store, retrying while the previous server is still letting go of it.
async fn reopen(cfg: &Config) -> actix_web::web::Data<twinhub::service::Core> {
    let start = Instant::now();
    loop {
        match twinhub::server::open_core(cfg.clone(), Arc::new(NullBus)) {
            Ok(core) => return core,
            Err(e) if start.elapsed() < Duration::from_secs(10) => {
                let _ = e;
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("store did not reopen: {e:?}"),
        }
    }
}

#[actix_web::test]
async fn a_failed_send_is_kept_retried_and_delivered_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = common::test_config(dir.path());
    fast_retries(&mut cfg);
    let outbox = cfg.mail.outbox_dir.clone();

    // First life: SMTP points at a closed port, so every attempt fails.
    let mut smtp_cfg = cfg.clone();
    smtp_cfg.mail.smtp_url = Secret::new(format!("smtp://127.0.0.1:{}", closed_port()));
    let running = twinhub::server::start(smtp_cfg, false).unwrap();
    let handle = running.handle();
    let core = running.core.clone();
    let serving = actix_web::rt::spawn(running.wait());
    let id = mail::send(&core, &sample("Retry me", "Still here after a restart.")).unwrap();
    wait_until("two failed attempts are recorded", || {
        let p = mail::pending(&core, 10).unwrap();
        p.len() == 1 && p[0].attempts >= 2
    })
    .await;
    let queued = mail::pending(&core, 10).unwrap().remove(0);
    assert_eq!(queued.id, id);
    let error = queued.last_error.expect("the failure is recorded");
    assert!(!error.contains("bob@example.org"), "{error}");
    assert!(
        queued.due_ms > twinhub_millis(queued.queued_at),
        "re-queued for later"
    );
    assert!(eml_files(&outbox).is_empty());
    drop(core);
    handle.stop(true).await;
    serving.await.unwrap().unwrap();

    // Second life: the file outbox. The queue survived and the mail goes out.
    let running = twinhub::server::start(cfg.clone(), false).unwrap();
    let handle = running.handle();
    let core = running.core.clone();
    let serving = actix_web::rt::spawn(running.wait());
    wait_until("the mail is delivered after the restart", || {
        eml_files(&outbox).len() == 1 && mail::pending(&core, 10).unwrap().is_empty()
    })
    .await;
    let raw = std::fs::read_to_string(outbox.join(format!("{id}.eml"))).unwrap();
    assert!(raw.contains(&format!("Message-ID: <mail-{id}@twinhub.localhost>")));
    assert!(raw.contains("Still here after a restart."));
    drop(core);
    handle.stop(true).await;
    serving.await.unwrap().unwrap();
    let core = reopen(&cfg).await;
    assert!(mail::pending(&core, 10).unwrap().is_empty());
    assert!(mail::dead(&core, 10).unwrap().is_empty());
}

fn twinhub_millis(t: time::OffsetDateTime) -> u64 {
    (t.unix_timestamp_nanos() / 1_000_000) as u64
}

#[actix_web::test]
async fn after_max_attempts_a_mail_is_given_up_into_the_dead_letters() {
    let port = closed_port();
    let server = common::start_with(|cfg| {
        fast_retries(cfg);
        cfg.mail.max_attempts = 2;
        cfg.mail.smtp_url = Secret::new(format!("smtp://127.0.0.1:{port}"));
    })
    .await;
    let core = server.core.clone();
    let id = mail::send(&core, &sample("Doomed", "No server will take this.")).unwrap();
    wait_until("the mail is given up", || {
        mail::dead(&core, 10).unwrap().len() == 1
    })
    .await;
    let dead = mail::dead(&core, 10).unwrap().remove(0);
    assert_eq!((dead.id, dead.attempts), (id, 2));
    assert!(dead.last_error.is_some());
    assert!(mail::pending(&core, 10).unwrap().is_empty());
    server.stop().await;
}

/// Starts the real binary on `dir`, retrying mail every second; returns it and its base URL.
fn spawn_binary(dir: &Path, smtp_url: Option<&str>) -> (Child, String) {
    let mut cmd = common::binary(dir);
    cmd.env("TWINHUB_MAIL__RETRY_INITIAL_SECS", "1")
        .env("TWINHUB_MAIL__RETRY_MAX_SECS", "1")
        .env("TWINHUB_MAIL__POLL_INTERVAL_MS", "50");
    if let Some(url) = smtp_url {
        cmd.env("TWINHUB_MAIL__SMTP_URL", url);
    }
    common::spawn_listening(cmd)
}

/// The value of a counter in the binary's /metrics (0 when not yet counted).
async fn counter(base: &str, name: &str) -> f64 {
    let mut resp = awc::Client::default()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(resp.body().await.unwrap().to_vec()).unwrap();
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[actix_web::test]
async fn the_queue_survives_kill_9_of_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::test_config(dir.path());
    let outbox = cfg.mail.outbox_dir.clone();
    // Queue a mail while no server runs (what a request would have done before the crash).
    let core = twinhub::server::open_core(cfg.clone(), Arc::new(NullBus)).unwrap();
    let id = mail::send(&core, &sample("Crash test", "Delivered in the end.")).unwrap();
    drop(core);

    let smtp = format!("smtp://127.0.0.1:{}", closed_port());
    let (mut child, base) = spawn_binary(dir.path(), Some(&smtp));
    let start = Instant::now();
    while counter(&base, "twinhub_mail_failed_attempts_total").await < 2.0 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no failed attempts"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap(); // SIGKILL: no graceful stop
    child.wait().unwrap();

    let core = reopen(&cfg).await;
    let pending = mail::pending(&core, 10).unwrap();
    assert_eq!(pending.len(), 1, "the mail is still queued after kill -9");
    assert_eq!(pending[0].id, id);
    assert!(
        pending[0].attempts >= 1,
        "the failed attempts were recorded"
    );
    drop(core);
    assert!(eml_files(&outbox).is_empty());

    let (mut child, base) = spawn_binary(dir.path(), None);
    let start = Instant::now();
    while counter(&base, "twinhub_mail_sent_total").await < 1.0 {
        assert!(start.elapsed() < Duration::from_secs(20), "not delivered");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(eml_files(&outbox), vec![outbox.join(format!("{id}.eml"))]);
    let core = reopen(&cfg).await;
    assert!(mail::pending(&core, 10).unwrap().is_empty());
}
