//! Outbound e-mail: a transactional outbox and one sender thread.
//!
//! A service that wants a mail sent calls [`enqueue`] inside its own store transaction, so
//! the mail is queued if and only if the change that causes it commits. After the commit it
//! calls [`Outbox::wake`] on `core.outbox` (or uses [`send`], which does both for a mail
//! with nothing else to write). The sender ([`Sender`], started by `server::start`) takes
//! due mails in queue order and hands each to the configured transport: a file per message
//! in `mail.outbox_dir` (the default), or SMTP (`mail.smtp_url`). A delivered mail leaves the
//! queue in a durable transaction; a failed attempt is re-queued later with exponential
//! backoff; after `mail.max_attempts` the mail moves to the dead-letter tree. A crash between
//! a send and its removal sends the mail again on restart (at least once); the Message-ID
//! is the same every time, so receivers can drop the duplicate.
//!
//! Logs name mails by id and kind only: never the recipient, the text or the SMTP URL.

mod message;
mod worker;

use std::sync::{Condvar, Mutex};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::config::MailConfig;
use crate::error::AppError;
use crate::ids::MailId;
use crate::service::Core;
use crate::store::{key, Tree, TxError, Txn};

pub use message::build as build_message;
pub use worker::Sender;

/// The trees [`enqueue`] writes: add them to the trees of the caller's transaction.
pub const TREES: [Tree; 2] = [Tree::MaildueMailid, Tree::MailidMail];

/// What a mail is for: a label for metrics (`kind`) and logs, never shown to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// A member's message to someone who is not (yet) a contact.
    MemberMessage,
    /// A notice from the platform itself (invitations, account notices).
    Notice,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::MemberMessage => "member_message",
            MailKind::Notice => "notice",
        }
    }
}

/// A display name and an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedAddress {
    pub name: String,
    pub address: String,
}

/// One mail to send: plain text to one recipient. Stored as JSON in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to_address: String,
    /// The recipient's display name; empty for the bare address.
    pub to_name: String,
    pub subject: String,
    /// Plain text (sent as text/plain; charset=utf-8).
    pub body: String,
    /// Who answers reach: the member who wrote the message. The mail is still *from*
    /// `mail.from`, so it passes the platform domain's SPF/DKIM checks.
    pub reply_to: Option<NamedAddress>,
    pub kind: MailKind,
}

/// A mail in the queue (`mailid_mail`) or given up (`mailid_deadmail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedMail {
    pub id: MailId,
    pub mail: OutgoingMail,
    /// When it was queued: the message's `Date` header, the same on every attempt.
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: OffsetDateTime,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When the next attempt is due (Unix milliseconds): the first half of its queue key.
    pub due_ms: u64,
    /// Why the last attempt failed, with e-mail addresses blanked out.
    pub last_error: Option<String>,
}

/// The queue key: due time then id, both big-endian, so key order is due order.
pub(crate) fn queue_key(due_ms: u64, id: MailId) -> Vec<u8> {
    key(&[&due_ms.to_be_bytes(), &id.key()])
}

pub(crate) fn millis(t: OffsetDateTime) -> u64 {
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// Checks a mail against the `[mail]` limits and address syntax, so a mail that could never
/// be sent is refused when it is queued, not days later. Services may call it before their
/// transaction to answer with a precise error; [`enqueue`] calls it again.
pub fn check(cfg: &MailConfig, mail: &OutgoingMail) -> Result<(), AppError> {
    let too_long = |what: &str, limit: usize| {
        AppError::Validation(format!(
            "the mail's {what} is longer than {limit} characters"
        ))
    };
    if mail.subject.chars().count() > cfg.subject_chars {
        return Err(too_long("subject", cfg.subject_chars));
    }
    if mail.body.chars().count() > cfg.body_chars {
        return Err(too_long("text", cfg.body_chars));
    }
    message::address(&mail.to_address)
        .map_err(|_| AppError::Validation("the recipient's e-mail address is not valid".into()))?;
    if let Some(r) = &mail.reply_to {
        message::address(&r.address)
            .map_err(|_| AppError::Validation("the sender's e-mail address is not valid".into()))?;
    }
    Ok(())
}

/// Queues `mail` inside the caller's transaction (which must include [`TREES`]): it exists
/// if and only if that transaction commits. `id` comes from `core.store.next_id()` taken
/// before the transaction; `now` is when it becomes due. Call `core.outbox.wake()` after the
/// commit so the sender does not wait for its next poll.
pub fn enqueue(
    core: &Core,
    tx: &dyn Txn,
    id: MailId,
    now: OffsetDateTime,
    mail: &OutgoingMail,
) -> Result<(), TxError> {
    check(&core.config.mail, mail)?;
    let due_ms = millis(now);
    let queued = QueuedMail {
        id,
        mail: mail.clone(),
        queued_at: now,
        attempts: 0,
        due_ms,
        last_error: None,
    };
    tx.insert(Tree::MaildueMailid, &queue_key(due_ms, id), Vec::new())?;
    tx.put_json(Tree::MailidMail, &id.key(), &queued)
}

/// Queues one mail in a transaction of its own and wakes the sender: for callers with
/// nothing else to write. Returns once the mail is durably queued.
pub fn send(core: &Core, mail: &OutgoingMail) -> Result<MailId, AppError> {
    check(&core.config.mail, mail)?;
    let id = MailId(core.store.next_id()?);
    let now = core.clock.now();
    core.store
        .transact(&TREES, |tx| enqueue(core, tx, id, now, mail))?;
    core.outbox.wake();
    Ok(id)
}

/// The mails waiting to be sent, in the order they are due (for operators and tests).
pub fn pending(core: &Core, limit: usize) -> Result<Vec<QueuedMail>, AppError> {
    let keys = core
        .store
        .scan_prefix(Tree::MaildueMailid, &[], None, limit)?;
    let mut out = Vec::with_capacity(keys.len());
    for (k, _) in keys {
        let Some(id) = k.get(8..).and_then(MailId::from_key) else {
            continue;
        };
        if let Some(q) = core.store.get_json(Tree::MailidMail, &id.key())? {
            out.push(q);
        }
    }
    Ok(out)
}

/// The mails the sender gave up on, by id.
pub fn dead(core: &Core, limit: usize) -> Result<Vec<QueuedMail>, AppError> {
    Ok(core
        .store
        .scan_json(Tree::MailidDeadmail, &[], None, limit)?
        .into_iter()
        .map(|(_, q)| q)
        .collect())
}

/// Checks `[mail]` settings that need lettre: the From address and the SMTP URL. The error
/// never contains the URL (it may hold a password).
pub fn check_config(cfg: &MailConfig) -> Result<(), String> {
    message::mailbox(&cfg.from)
        .map_err(|_| "mail.from must be an address, optionally with a name: \"Name <a@b.c>\"")?;
    if !cfg.smtp_url.is_empty() {
        worker::smtp_transport(cfg).map_err(|e| {
            format!("mail.smtp_url is not a usable SMTP URL ({e}); see config.toml for the forms")
        })?;
    }
    Ok(())
}

/// The sender's wake-up call, kept in `Core` so any service can reach it.
#[derive(Default)]
pub struct Outbox {
    state: Mutex<Signal>,
    changed: Condvar,
}

#[derive(Default)]
struct Signal {
    woken: bool,
    stopping: bool,
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// Tells the sender that mail was queued (call it after the commit).
    pub fn wake(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.woken = true;
            self.changed.notify_all();
        }
    }

    fn stop(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.stopping = true;
            self.changed.notify_all();
        }
    }

    fn start(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.stopping = false;
        }
    }

    fn stopping(&self) -> bool {
        self.state.lock().map(|s| s.stopping).unwrap_or(true)
    }

    /// Waits until woken, stopped or `timeout`; returns whether the sender should stop.
    fn wait(&self, timeout: std::time::Duration) -> bool {
        let Ok(guard) = self.state.lock() else {
            return true;
        };
        let Ok((mut s, _)) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| !s.woken && !s.stopping)
        else {
            return true;
        };
        s.woken = false;
        s.stopping
    }
}

/// Blanks out anything that looks like an e-mail address (a word with an `@`): SMTP
/// servers quote the recipient in their refusals, and logs must not carry addresses.
pub(crate) fn redact(text: &str) -> String {
    text.split(' ')
        .map(|w| if w.contains('@') { "[address]" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            to_address: "bob@example.org".into(),
            to_name: "Bob".into(),
            subject: "Hello".into(),
            body: "Text".into(),
            reply_to: Some(NamedAddress {
                name: "Ann".into(),
                address: "ann@example.org".into(),
            }),
            kind: MailKind::MemberMessage,
        }
    }

    #[test]
    fn limits_and_addresses_are_checked_when_queued() {
        let (core, _) = testing::core();
        let cfg = &core.config.mail;
        check(cfg, &mail()).unwrap();
        let mut m = mail();
        m.subject = "é".repeat(cfg.subject_chars);
        check(cfg, &m).unwrap();
        m.subject.push('x');
        assert!(matches!(check(cfg, &m), Err(AppError::Validation(_))));
        let mut m = mail();
        m.body = "x".repeat(cfg.body_chars + 1);
        assert!(check(cfg, &m).is_err());
        let mut m = mail();
        m.to_address = "bob@example.org\r\nBcc: x@evil.example".into();
        assert!(check(cfg, &m).is_err());
        let mut m = mail();
        m.reply_to.as_mut().unwrap().address = "nobody".into();
        assert!(check(cfg, &m).is_err());
        assert!(send(&core, &m).is_err());
        assert!(pending(&core, 10).unwrap().is_empty());
    }

    #[test]
    fn queue_keys_sort_by_due_time_then_id() {
        assert!(queue_key(1, MailId(9)) < queue_key(2, MailId(1)));
        assert!(queue_key(2, MailId(1)) < queue_key(2, MailId(2)));
    }

    #[test]
    fn addresses_are_redacted() {
        assert_eq!(
            redact("permanent error (550): 5.1.1 <bob@example.org>: no such user"),
            "permanent error (550): 5.1.1 [address] no such user"
        );
    }
}
