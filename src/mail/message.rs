//! Turns a queued mail into an RFC 5322 message with lettre's builder.
//!
//! lettre encodes any header word holding a control or non-ASCII character (RFC 2047), so a
//! CR/LF in a subject or a name cannot start a header of its own; control characters are
//! also replaced by spaces here, so the decoded subject reads as one line.

use std::time::SystemTime;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{Address, Message};

use super::QueuedMail;
use crate::config::MailConfig;

pub(crate) fn address(text: &str) -> Result<Address, lettre::address::AddressError> {
    text.parse()
}

pub(crate) fn mailbox(text: &str) -> Result<Mailbox, lettre::address::AddressError> {
    text.parse()
}

/// One line of text: control characters (CR, LF, tab...) become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn named(name: &str, address: Address) -> Mailbox {
    let name = one_line(name).trim().to_string();
    Mailbox::new((!name.is_empty()).then_some(name), address)
}

/// Builds the message the transports send: From `mail.from`, To the recipient, Reply-To
/// the member who wrote it, a Message-ID derived from the mail id (the same on every
/// attempt), the Date it was queued, and the text as text/plain UTF-8.
pub fn build(cfg: &MailConfig, queued: &QueuedMail) -> Result<Message, String> {
    let mail = &queued.mail;
    let from = mailbox(&cfg.from).map_err(|e| format!("mail.from: {e}"))?;
    let to = address(&mail.to_address).map_err(|e| format!("recipient address: {e}"))?;
    let domain = from.email.domain().to_string();
    let mut builder = Message::builder()
        .from(from)
        .to(named(&mail.to_name, to))
        .subject(one_line(&mail.subject))
        .message_id(Some(format!("<mail-{}@{domain}>", queued.id)))
        .date(SystemTime::from(queued.queued_at))
        .header(ContentType::TEXT_PLAIN);
    if let Some(r) = &mail.reply_to {
        let addr = address(&r.address).map_err(|e| format!("reply-to address: {e}"))?;
        builder = builder.reply_to(named(&r.name, addr));
    }
    builder.body(mail.body.clone()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Defence in depth: even without `one_line`, lettre encodes a word holding CR/LF, so
    /// a subject cannot start a header of its own.
    #[test]
    fn lettre_encodes_line_breaks_in_headers() {
        let message = Message::builder()
            .from(mailbox("a@example.org").unwrap())
            .to(mailbox("b@example.org").unwrap())
            .subject("Hi\r\nBcc: x@evil.example")
            .body(String::from("text"))
            .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let head = raw.split("\r\n\r\n").next().unwrap();
        assert!(head.split("\r\n").all(|l| !l.starts_with("Bcc")), "{head}");
        assert!(one_line("a\r\nb\tc") == "a  b c");
    }
}
