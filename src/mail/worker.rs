//! The sender: one std thread that drains the queue.
//!
//! A thread rather than a tokio task because everything it does blocks: sled reads, durable
//! transactions that wait for the group commit, lettre's synchronous SMTP client and file
//! writes with fsync. On the actix runtime each would need `spawn_blocking` anyway; a
//! thread of its own (like the store's flusher) keeps slow mail servers off the blocking
//! pool that requests share, and one thread keeps sends in queue order with no locking.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lettre::{Message, SmtpTransport, Transport as _};

use super::{millis, queue_key, redact, QueuedMail, TREES};
use crate::config::MailConfig;
use crate::error::AppError;
use crate::ids::MailId;
use crate::service::Core;
use crate::store::{be_u64, Tree};

/// Mails taken from the front of the queue per read.
const BATCH: usize = 64;
/// How often the queue-length gauge is recounted (a key scan of the queue index).
const GAUGE_EVERY: Duration = Duration::from_secs(10);

/// The running sender. Dropping it stops the thread (after the mail in hand, if any) and
/// waits for it; the queue stays in the store for the next start.
pub struct Sender {
    core: Arc<Core>,
    thread: Option<JoinHandle<()>>,
}

impl Sender {
    /// Starts the sender over `core`'s queue with the transport `[mail]` names.
    pub fn start(core: Arc<Core>) -> Result<Sender, AppError> {
        let transport = Transport::from_config(&core.config.mail)?;
        tracing::info!(transport = transport.describe(), "mail sender started");
        core.outbox.start();
        let worker = Arc::clone(&core);
        let thread = std::thread::Builder::new()
            .name("twinhub-mail".into())
            .spawn(move || run(&worker, &transport))
            .map_err(AppError::internal)?;
        Ok(Sender {
            core,
            thread: Some(thread),
        })
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.core.outbox.stop();
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                tracing::error!("mail sender thread panicked");
            }
        }
    }
}

enum Transport {
    /// One `<mail id>.eml` per message in this directory.
    Files(PathBuf),
    Smtp(Box<SmtpTransport>),
}

/// Builds the SMTP client `mail.smtp_url` describes (lettre's URL forms).
pub(super) fn smtp_transport(cfg: &MailConfig) -> Result<SmtpTransport, String> {
    let builder =
        SmtpTransport::from_url(cfg.smtp_url.expose()).map_err(|e| redact(&e.to_string()))?;
    Ok(builder
        .timeout(Some(Duration::from_secs(cfg.smtp_timeout_secs)))
        .build())
}

impl Transport {
    fn from_config(cfg: &MailConfig) -> Result<Transport, AppError> {
        if cfg.smtp_url.is_empty() {
            Ok(Transport::Files(cfg.outbox_dir.clone()))
        } else {
            smtp_transport(cfg)
                .map(|t| Transport::Smtp(Box::new(t)))
                .map_err(|e| AppError::Config(format!("mail.smtp_url: {e}")))
        }
    }

    fn describe(&self) -> String {
        match self {
            Transport::Files(dir) => format!("file outbox {}", dir.display()),
            // Not the URL: it may hold a password.
            Transport::Smtp(_) => "smtp".into(),
        }
    }

    fn send(&self, id: MailId, message: &Message) -> Result<(), String> {
        match self {
            Transport::Files(dir) => write_eml(dir, id, &message.formatted())
                .map_err(|e| format!("outbox {}: {e}", dir.display())),
            Transport::Smtp(smtp) => smtp
                .send(message)
                .map(|_| ())
                .map_err(|e| redact(&e.to_string())),
        }
    }
}

/// Writes `<id>.eml` atomically and durably: a temporary file, fsync, rename, fsync of the
/// directory. A repeated send of the same mail replaces the file with the same bytes.
fn write_eml(dir: &Path, id: MailId, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{id}.eml.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, dir.join(format!("{id}.eml")))?;
    File::open(dir)?.sync_all()
}

/// The delay before attempt `attempts + 1`, in milliseconds: `retry_initial_secs` doubled
/// per failed attempt, capped at `retry_max_secs`, then shortened by up to a quarter (a
/// jitter derived from the mail id, so mails that failed together spread out).
pub(crate) fn backoff_ms(cfg: &MailConfig, id: MailId, attempts: u32) -> u64 {
    let doublings = attempts.saturating_sub(1).min(63);
    let secs = cfg
        .retry_initial_secs
        .saturating_mul(1u64 << doublings)
        .min(cfg.retry_max_secs);
    let ms = secs.saturating_mul(1000);
    ms - mix(id.0 ^ (u64::from(attempts) << 40)) % (ms / 4 + 1)
}

/// splitmix64's finaliser: a well-spread hash of a number.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

enum Pass {
    /// A whole batch was due: look again at once.
    More,
    /// Wait up to this long (or the poll interval) before the next pass.
    Wait(Option<Duration>),
}

fn run(core: &Core, transport: &Transport) {
    let poll = Duration::from_millis(core.config.mail.poll_interval_ms);
    let mut gauge_at: Option<Instant> = None;
    loop {
        if core.outbox.stopping() {
            return;
        }
        let wait = match pass(core, transport) {
            Ok(Pass::More) => continue,
            Ok(Pass::Wait(until_due)) => until_due.map_or(poll, |d| d.min(poll)),
            Err(e) => {
                tracing::error!(error = %e, "mail queue pass failed");
                poll
            }
        };
        if gauge_at.is_none_or(|t| t.elapsed() >= GAUGE_EVERY) {
            gauge_at = Some(Instant::now());
            if let Ok(n) = queue_length(core) {
                metrics::gauge!("twinhub_mail_queue_length").set(n as f64);
            }
        }
        if core.outbox.wait(wait) {
            return;
        }
    }
}

fn pass(core: &Core, transport: &Transport) -> Result<Pass, AppError> {
    let entries = core
        .store
        .scan_prefix(Tree::MaildueMailid, &[], None, BATCH)?;
    let now = millis(core.clock.now());
    for (k, _) in &entries {
        let due = be_u64(k);
        if due > now {
            return Ok(Pass::Wait(Some(Duration::from_millis(due - now))));
        }
        if core.outbox.stopping() {
            return Ok(Pass::Wait(None));
        }
        let Some(id) = k.get(8..).and_then(MailId::from_key) else {
            continue;
        };
        deliver(core, transport, k, id)?;
    }
    Ok(if entries.len() == BATCH {
        Pass::More
    } else {
        Pass::Wait(None)
    })
}

/// One attempt at one mail, and the durable bookkeeping of its outcome.
fn deliver(core: &Core, transport: &Transport, qkey: &[u8], id: MailId) -> Result<(), AppError> {
    let cfg = &core.config.mail;
    let Some(mut q) = core
        .store
        .get_json::<QueuedMail>(Tree::MailidMail, &id.key())?
    else {
        // Both are written and removed together, so this cannot happen; drop the stray key.
        core.store
            .transact_upkeep(&TREES, |tx| tx.remove(Tree::MaildueMailid, qkey))?;
        return Ok(());
    };
    let kind = q.mail.kind.as_str();
    if q.attempts == 0 {
        metrics::counter!("twinhub_mail_queued_total", "kind" => kind).increment(1);
    }
    // A message that cannot be built never will be: it is given up at once.
    let (outcome, permanent) = match super::message::build(cfg, &q) {
        Ok(message) => (transport.send(id, &message), false),
        Err(e) => (Err(e), true),
    };
    match outcome {
        Ok(()) => {
            core.store.transact_upkeep(&TREES, |tx| {
                tx.remove(Tree::MaildueMailid, qkey)?;
                tx.remove(Tree::MailidMail, &id.key())
            })?;
            metrics::counter!("twinhub_mail_sent_total", "kind" => kind).increment(1);
            tracing::info!(mail = %id, kind, attempts = q.attempts + 1, "mail sent");
        }
        Err(error) => {
            q.attempts += 1;
            q.last_error = Some(error.clone());
            metrics::counter!("twinhub_mail_failed_attempts_total", "kind" => kind).increment(1);
            if permanent || q.attempts >= cfg.max_attempts {
                let trees = [Tree::MaildueMailid, Tree::MailidMail, Tree::MailidDeadmail];
                core.store.transact_upkeep(&trees, |tx| {
                    tx.remove(Tree::MaildueMailid, qkey)?;
                    tx.remove(Tree::MailidMail, &id.key())?;
                    tx.put_json(Tree::MailidDeadmail, &id.key(), &q)
                })?;
                metrics::counter!("twinhub_mail_given_up_total", "kind" => kind).increment(1);
                tracing::error!(mail = %id, kind, attempts = q.attempts, %error,
                    "mail given up; kept in the mailid_deadmail tree");
            } else {
                let delay = backoff_ms(cfg, id, q.attempts);
                q.due_ms = millis(core.clock.now()).saturating_add(delay);
                let next = queue_key(q.due_ms, id);
                core.store.transact_upkeep(&TREES, |tx| {
                    tx.remove(Tree::MaildueMailid, qkey)?;
                    tx.insert(Tree::MaildueMailid, &next, Vec::new())?;
                    tx.put_json(Tree::MailidMail, &id.key(), &q)
                })?;
                tracing::warn!(mail = %id, kind, attempts = q.attempts,
                    retry_in_secs = delay / 1000, %error, "mail not sent; will retry");
            }
        }
    }
    Ok(())
}

/// Counts the queue's index keys (16 bytes each), page by page.
fn queue_length(core: &Core) -> Result<usize, AppError> {
    let mut count = 0;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = core
            .store
            .scan_prefix(Tree::MaildueMailid, &[], after.as_deref(), 1024)?;
        count += page.len();
        match page.last() {
            Some((k, _)) if page.len() == 1024 => after = Some(k.clone()),
            _ => return Ok(count),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let mut cfg = Config::defaults().mail;
        cfg.retry_initial_secs = 5;
        cfg.retry_max_secs = 60;
        let within = |ms: u64, secs: u64| ms <= secs * 1000 && ms >= secs * 750;
        for id in 0..50 {
            let id = MailId(id);
            assert!(within(backoff_ms(&cfg, id, 1), 5));
            assert!(within(backoff_ms(&cfg, id, 2), 10));
            assert!(within(backoff_ms(&cfg, id, 4), 40));
            assert!(within(backoff_ms(&cfg, id, 5), 60));
            assert!(within(backoff_ms(&cfg, id, 500), 60));
        }
        let spread: std::collections::HashSet<u64> =
            (0..50).map(|i| backoff_ms(&cfg, MailId(i), 3)).collect();
        assert!(
            spread.len() > 10,
            "jitter spreads mails that failed together"
        );
    }
}
