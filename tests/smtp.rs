//! Outbound e-mail over SMTP to a real SMTP server on 127.0.0.1: aiosmtpd (Python), run as a
//! subprocess with its Maildir handler, receives what Twinhub's sender delivers through
//! lettre. A member's message to a non-contact, sent through the API, arrives once with its
//! envelope, headers and text intact and leaves the queue; a mail queued while the server is
//! down is retried and delivered once when the server comes up.
//!
//! Needs python3 with aiosmtpd (`python3 -m pip install aiosmtpd`; `.ci/run` installs it).
//! Without it these tests fail, they do not skip.

mod common;

use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use common::email::{decode_header, eml_files, parse, wait_until, Parsed};
use common::{Client, TestServer};
use serde_json::json;
use twinhub::config::{Config, Secret};
use twinhub::mail;

/// The From of every mail in these tests: not the default, so the test sees it comes from
/// the configuration.
const FROM: &str = "Twinhub Test <notices@twinhub.test>";

/// What to do without aiosmtpd; the version is the one `.ci/run` installs.
const INSTALL: &str = "run `python3 -m pip install 'aiosmtpd==1.4.6'` (as `bash .ci/run` does)";

/// Fails (never skips) unless python3 can import aiosmtpd.
fn require_aiosmtpd() {
    let out = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "tests/smtp.rs runs the aiosmtpd SMTP server with python3, which could not be \
                 run ({e}): install Python 3 with pip, then {INSTALL}"
            )
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tests/smtp.rs runs the aiosmtpd SMTP server, which python3 cannot import ({}): to install it, {INSTALL}",
        stderr.lines().last().unwrap_or("no error text").trim(),
    );
}

/// A local port nothing listens on: bound, then released.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A running aiosmtpd that stores each message it accepts in a Maildir, with the envelope
/// in `X-MailFrom` and `X-RcptTo` headers. Dropping it kills the process, also when a test
/// panics.
struct SmtpServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts aiosmtpd on `port` and waits until the port accepts connections.
    fn start(port: u16) -> SmtpServer {
        require_aiosmtpd();
        let dir = tempfile::tempdir().unwrap();
        let log = fs::File::create(dir.path().join("aiosmtpd.log")).unwrap();
        let child = Command::new("python3")
            // -n: do not setuid to nobody (we are root on CI; nobody could not write here).
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("python3 -m aiosmtpd did not start ({e}); to install aiosmtpd, {INSTALL}")
            });
        let mut server = SmtpServer { child, port, dir };
        server.wait_listening();
        server
    }

    fn wait_listening(&mut self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "aiosmtpd exited ({status}) before listening on {addr}:\n{}",
                    self.log()
                );
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not listen on {addr} within 20 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("aiosmtpd.log")).unwrap_or_default()
    }

    /// The messages delivered so far (Maildir `new/`), oldest name first.
    fn messages(&self) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(self.dir.path().join("maildir").join("new")) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        files
    }

    /// The one message received, parsed (bodies decoded, RFC 2047 left to `decode_header`).
    fn only_message(&self) -> Parsed {
        let files = self.messages();
        assert_eq!(
            files.len(),
            1,
            "exactly one message received: {files:?}\n{}",
            self.log()
        );
        let raw = fs::read_to_string(&files[0]).unwrap();
        assert!(
            raw.is_ascii(),
            "headers and body were encoded for 7-bit SMTP:\n{raw}"
        );
        // The Maildir stores lines with LF; the parser reads the wire form, CRLF.
        parse(&raw.replace("\r\n", "\n").replace('\n', "\r\n"))
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Short retries, as in tests/mail.rs, and the SMTP transport at `smtp_url`.
fn smtp_config(cfg: &mut Config, smtp_url: &str) {
    cfg.mail.from = FROM.into();
    cfg.mail.smtp_url = Secret::new(smtp_url);
    cfg.mail.retry_initial_secs = 1;
    cfg.mail.retry_max_secs = 1;
    cfg.mail.poll_interval_ms = 50;
}

/// Ann and Dan, both validated members of France and not each other's contacts: a message
/// from Ann to Dan goes out by e-mail.
struct Pair {
    server: TestServer,
    ann: Client,
    dan_id: u64,
}

async fn pair(smtp_url: &str) -> Pair {
    let server = common::start_with(|cfg| smtp_config(cfg, smtp_url)).await;
    let nso = common::fr_officer(&server).await;
    let (ann, _) = server.teacher(&nso, "ann@x.eu", true).await;
    let (_dan, dan_id) = server.teacher(&nso, "dan@x.eu", true).await;
    Pair {
        server,
        ann,
        dan_id,
    }
}

const SUBJECT: &str = "Projet d'échange — été";
const TEXT: &str = "Bonjour Dan,\nwould you like to work with us?\nZażółć gęślą jaźń. 🌍";

/// Ann writes to Dan through the API; it goes by e-mail.
async fn write_to_dan(p: &Pair) {
    let (status, answer) = p
        .ann
        .post(
            &format!("/api/users/{}/message", p.dan_id),
            json!({"subject": SUBJECT, "body": TEXT}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"delivered": "email"}));
}

/// What Dan's mail server must have received: the envelope (platform sender, Dan alone),
/// From the configured address, To Dan, Reply-To Ann, the subject and Ann's text.
fn assert_is_anns_message(msg: &Parsed) {
    assert_eq!(msg.header("X-RcptTo"), "dan@x.eu", "envelope recipient");
    assert_eq!(
        msg.header("X-MailFrom"),
        "notices@twinhub.test",
        "envelope sender: the platform, so bounces come back to it"
    );
    assert_eq!(
        decode_header(&msg.header("From")),
        "\"Twinhub Test\" <notices@twinhub.test>",
        "mail.from, the name quoted as RFC 5322 wants"
    );
    assert_eq!(decode_header(&msg.header("To")), "dan <dan@x.eu>");
    assert_eq!(decode_header(&msg.header("Reply-To")), "ann <ann@x.eu>");
    assert_eq!(decode_header(&msg.header("Subject")), SUBJECT);
    let id = msg.header("Message-ID");
    assert!(
        id.starts_with("<mail-") && id.ends_with("@twinhub.test>"),
        "{id}"
    );
    assert!(!msg.header("Date").is_empty());
    assert!(msg
        .header("Content-Type")
        .to_ascii_lowercase()
        .starts_with("text/plain; charset=utf-8"));
    for (name, _) in &msg.headers {
        assert!(!name.eq_ignore_ascii_case("bcc"), "{:?}", msg.headers);
    }
    let body = msg.body.replace("\r\n", "\n");
    assert!(
        body.starts_with("ann <ann@x.eu> sent you a message on Twinhub:\n\n"),
        "{body}"
    );
    assert!(body.contains(&format!("\n\n{TEXT}\n\n")), "{body}");
    assert!(body.contains("it goes to ann at ann@x.eu"), "{body}");
}

/// Nothing left to send, nothing given up, nothing written to the file outbox.
fn assert_all_sent_by_smtp(server: &TestServer) {
    let core = &server.core;
    assert!(mail::pending(core, 10).unwrap().is_empty());
    assert!(mail::dead(core, 10).unwrap().is_empty());
    assert!(
        eml_files(&core.config.mail.outbox_dir).is_empty(),
        "the SMTP transport writes no .eml file"
    );
}

#[actix_web::test]
async fn a_message_to_a_non_contact_reaches_a_real_smtp_server() {
    let smtp = SmtpServer::start(free_port());
    let p = pair(&smtp.url()).await;
    write_to_dan(&p).await;
    wait_until("the SMTP server received the message", || {
        !smtp.messages().is_empty()
    })
    .await;
    wait_until("the mail left the queue", || {
        mail::pending(&p.server.core, 10).unwrap().is_empty()
    })
    .await;
    assert_is_anns_message(&smtp.only_message());
    assert_all_sent_by_smtp(&p.server);
    p.server.stop().await;
}

#[actix_web::test]
async fn a_mail_queued_while_the_smtp_server_is_down_is_delivered_once_when_it_comes_up() {
    require_aiosmtpd();
    let port = free_port();
    let p = pair(&format!("smtp://127.0.0.1:{port}")).await;
    write_to_dan(&p).await;
    let core = &p.server.core;
    wait_until("two failed attempts on the closed port", || {
        let q = mail::pending(core, 10).unwrap();
        q.len() == 1 && q[0].attempts >= 2
    })
    .await;
    let queued = mail::pending(core, 10).unwrap().remove(0);
    let error = queued.last_error.expect("the failure is recorded");
    assert!(!error.contains("dan@x.eu"), "{error}");

    let smtp = SmtpServer::start(port);
    wait_until("the retry delivered the mail", || {
        mail::pending(core, 10).unwrap().is_empty()
    })
    .await;
    // A few more polls: a second delivery of the same mail would show up by now.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let msg = smtp.only_message();
    assert_is_anns_message(&msg);
    assert_eq!(
        msg.header("Message-ID"),
        format!("<mail-{}@twinhub.test>", queued.id),
        "the mail that waited in the queue"
    );
    assert_all_sent_by_smtp(&p.server);
    p.server.stop().await;
}
