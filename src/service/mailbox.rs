//! The mailbox (R3, R4): messages with recipients (to) and copies (cc) between validated
//! eTwinners who are contacts; inbox and sent folders, read and unread marks, delete for
//! myself, replies. Sending stores the message and every folder entry in one transaction
//! with each recipient's unread count, `mail` event and notification, so every open tab
//! follows and a crash never leaves a message half delivered.

use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contacts::are_contacts_in;
use super::notifications::{self, Pending, Unread};
use super::profiles::load;
use super::{text, Core, Page, PageQuery};
use crate::config::Limits;
use crate::domain::event::{NotificationKind, UserEventBody};
use crate::domain::mailbox::{
    recipients, Folder, InboxEntry, MailChange, MailSummary, Person, StoredMessage,
};
use crate::domain::user::User;
use crate::error::AppError;
use crate::ids::{MessageId, NotificationId, UserId};
use crate::store::{key, Tree, TxError, Txn};

/// A new message. `to` must name at least one member; everyone in `to` and `cc` must be a
/// validated eTwinner and my contact.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[garde(context(Limits as ctx))]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    #[garde(length(min = 1, max = ctx.mail_recipients_max))]
    pub to: Vec<UserId>,
    #[serde(default)]
    #[garde(length(max = ctx.mail_recipients_max))]
    pub cc: Vec<UserId>,
    #[garde(length(chars, min = 1, max = ctx.mail_subject_chars))]
    pub subject: String,
    #[garde(length(chars, min = 1, max = ctx.mail_body_chars))]
    pub body: String,
    /// The message this one answers (reply or reply-all); it must be in my folders.
    #[serde(default)]
    #[garde(skip)]
    pub in_reply_to: Option<MessageId>,
}

/// A whole message, as its reader sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    #[serde(flatten)]
    pub summary: MailSummary,
    pub body: String,
}

fn trees() -> Vec<Tree> {
    let mut trees = vec![
        Tree::UseridUser,
        Tree::UseridContactid,
        Tree::MessageidMessage,
        Tree::UseridInbox,
        Tree::UseridSent,
        Tree::UseridUnreadmail,
        Tree::UseridThreadMessageid,
    ];
    trees.extend(notifications::TREES);
    trees
}

fn slot(user: UserId, id: MessageId) -> Vec<u8> {
    key(&[&user.key(), &(u64::MAX - id.0).to_be_bytes()])
}

fn thread_key(user: UserId, thread: MessageId, id: MessageId) -> Vec<u8> {
    key(&[&user.key(), &thread.key(), &id.key()])
}

pub(super) fn person(user: &User) -> Person {
    let view = user.public_view();
    Person {
        id: user.id,
        display_name: view.profile.display_name,
        picture_url: view.picture_url,
    }
}

fn summary(
    tx: &dyn Txn,
    m: &StoredMessage,
    folder: Folder,
    read: bool,
) -> Result<MailSummary, TxError> {
    let people = |ids: &[UserId]| -> Result<Vec<Person>, TxError> {
        ids.iter()
            .map(|id| load(tx, *id).map(|u| person(&u)))
            .collect()
    };
    Ok(MailSummary {
        id: m.id,
        folder,
        from: person(&load(tx, m.from)?),
        to: people(&m.to)?,
        cc: people(&m.cc)?,
        subject: m.subject.clone(),
        sent_at: m.sent_at,
        read,
        in_reply_to: m.in_reply_to,
    })
}

/// Tells `who`'s open tabs what happened to a message, with their unread count after it.
fn mail_event(
    out: &mut Pending,
    core: &Core,
    tx: &dyn Txn,
    who: UserId,
    message: MessageId,
    change: MailChange,
    summary: Option<MailSummary>,
) -> Result<(), TxError> {
    let body = UserEventBody::Mail {
        change,
        message,
        unread_mail: tx.get_u64(Tree::UseridUnreadmail, &who.key())?,
        summary: summary.map(Box::new),
    };
    out.event(core, tx, who, body)
}

/// Subject and body must say something, the subject on one line (the size limits are
/// checked by garde).
fn check_text(subject: &str, body: &str) -> Result<(), AppError> {
    if subject.trim().is_empty() || body.trim().is_empty() {
        return Err(AppError::Validation(
            "subject and body must not be blank".into(),
        ));
    }
    text::single_line("subject", subject)?;
    text::multi_line("body", body)
}

fn not_to_self() -> AppError {
    AppError::Validation("you cannot send a message to yourself".into())
}

fn not_allowed(user: &User) -> AppError {
    AppError::Forbidden(format!(
        "{} is not one of your contacts with a validated eTwinning profile: the mailbox works between contacts only; use \"Send a message\" on their profile to reach them by e-mail",
        user.profile.display_name
    ))
}

/// A message `user` holds, with their inbox entry (if received) and whether it is in their
/// sent folder; not found otherwise (someone else's message reveals nothing, not even that
/// it exists).
fn held(
    tx: &dyn Txn,
    user: UserId,
    id: MessageId,
) -> Result<(StoredMessage, Option<InboxEntry>, bool), TxError> {
    let (inbox, sent) = holding(tx, user, id)?;
    let message = tx.get_json::<StoredMessage>(Tree::MessageidMessage, &id.key())?;
    match message {
        Some(m) if inbox.is_some() || sent => Ok((m, inbox, sent)),
        _ => Err(TxError::Abort(AppError::NotFound("message"))),
    }
}

/// Whether `user` holds message `id`, and in which folders (inbox entry, in sent).
fn holding(
    tx: &dyn Txn,
    user: UserId,
    id: MessageId,
) -> Result<(Option<InboxEntry>, bool), TxError> {
    let inbox = tx.get_json::<InboxEntry>(Tree::UseridInbox, &slot(user, id))?;
    let sent = tx.get(Tree::UseridSent, &slot(user, id))?.is_some();
    Ok((inbox, sent))
}

/// Sends a message (R3, R4). Refuses the whole message, naming the first recipient who is not
/// an allowed one.
pub fn send(core: &Core, actor: UserId, input: NewMessage) -> Result<MessageView, AppError> {
    input.validate_with(&core.config.limits)?;
    check_text(&input.subject, &input.body)?;
    let (to, cc) = recipients(&input.to, &input.cc);
    let max = core.config.limits.mail_recipients_max;
    if to.len() + cc.len() > max {
        return Err(AppError::Validation(format!(
            "a message has at most {max} recipients (to and cc)"
        )));
    }
    if to.contains(&actor) || cc.contains(&actor) {
        return Err(not_to_self());
    }
    let limiter = &core.rate_limits.messages;
    limiter.acquire(&actor.to_string(), core.clock.now())?;
    let id = MessageId(core.store.next_id()?);
    let note_ids: Vec<NotificationId> = (0..to.len() + cc.len())
        .map(|_| core.store.next_id().map(NotificationId))
        .collect::<Result<_, _>>()?;
    let result = core.store.transact(&trees(), |tx| {
        let me = load(tx, actor)?;
        if me.validation.is_none() {
            return Err(TxError::Abort(AppError::Forbidden(
                "the mailbox is for eTwinning-validated members: your NSO has not validated you yet".into(),
            )));
        }
        for rid in to.iter().chain(&cc) {
            let them = load(tx, *rid)?;
            if them.validation.is_none() || !are_contacts_in(tx, actor, *rid)? {
                return Err(TxError::Abort(not_allowed(&them)));
            }
        }
        let thread = match input.in_reply_to {
            None => id,
            Some(parent) => held(tx, actor, parent)?.0.thread,
        };
        let message = StoredMessage {
            id,
            from: actor,
            to: to.clone(),
            cc: cc.clone(),
            subject: input.subject.trim().to_string(),
            body: input.body.clone(),
            in_reply_to: input.in_reply_to,
            thread,
            sent_at: core.clock.now(),
            holders: (1 + to.len() + cc.len()) as u32,
        };
        tx.put_json(Tree::MessageidMessage, &id.key(), &message)?;
        tx.insert(Tree::UseridSent, &slot(actor, id), vec![])?;
        for holder in std::iter::once(&actor).chain(&to).chain(&cc) {
            tx.insert(Tree::UseridThreadMessageid, &thread_key(*holder, thread, id), vec![])?;
        }
        let mut out = Pending::default();
        let mine = summary(tx, &message, Folder::Sent, true)?;
        mail_event(&mut out, core, tx, actor, id, MailChange::New, Some(mine.clone()))?;
        for (rid, note) in to.iter().chain(&cc).zip(&note_ids) {
            tx.put_json(Tree::UseridInbox, &slot(*rid, id), &InboxEntry { read_at: None })?;
            let unread = tx.get_u64(Tree::UseridUnreadmail, &rid.key())? + 1;
            tx.put_u64(Tree::UseridUnreadmail, &rid.key(), unread)?;
            let theirs = summary(tx, &message, Folder::Inbox, false)?;
            mail_event(&mut out, core, tx, *rid, id, MailChange::New, Some(theirs))?;
            let what = NotificationKind::MailReceived {
                by: actor,
                name: me.profile.display_name.clone(),
                message: id,
                subject: message.subject.clone(),
            };
            out.notify(core, tx, *rid, *note, what)?;
        }
        Ok((MessageView { summary: mine, body: message.body.clone() }, out))
    });
    match result {
        Ok((view, out)) => {
            out.publish(core);
            tracing::info!(from = %actor, message = %id, recipients = to.len() + cc.len(), "mail sent");
            Ok(view)
        }
        Err(e) => {
            limiter.release_one(&actor.to_string());
            Err(e)
        }
    }
}

/// One of my folders, newest first.
pub fn list(
    core: &Core,
    actor: UserId,
    folder: Folder,
    page: &PageQuery,
) -> Result<Page<MailSummary>, AppError> {
    let limit = page.limit(&core.config);
    let tree = match folder {
        Folder::Inbox => Tree::UseridInbox,
        Folder::Sent => Tree::UseridSent,
    };
    let rows =
        core.store
            .scan_prefix(tree, &actor.key(), page.after_key()?.as_deref(), limit + 1)?;
    // Scanned outside a transaction (sled's cannot scan); the messages are read in one.
    let items = core.store.read(&trees(), |tx| {
        let mut items = Vec::with_capacity(rows.len());
        for (k, v) in &rows {
            let Some(raw) = k.get(8..16).and_then(|b| b.try_into().ok()) else {
                continue;
            };
            let id = MessageId(u64::MAX - u64::from_be_bytes(raw));
            let read = match folder {
                Folder::Inbox => crate::store::decode::<InboxEntry>(v)?.read_at.is_some(),
                Folder::Sent => true,
            };
            let message: StoredMessage = tx
                .get_json(Tree::MessageidMessage, &id.key())?
                .ok_or(TxError::Abort(AppError::NotFound("message")))?;
            items.push((k.clone(), summary(tx, &message, folder, read)?));
        }
        Ok(items)
    })?;
    Ok(Page::from_rows(items, limit))
}

/// Reads a message of mine (marking it read when it was unread in my inbox).
pub fn read(core: &Core, actor: UserId, id: MessageId) -> Result<MessageView, AppError> {
    let (view, out) = core.store.transact(&trees(), |tx| {
        let (message, inbox, _) = held(tx, actor, id)?;
        let mut out = Pending::default();
        let folder = if inbox.is_some() {
            Folder::Inbox
        } else {
            Folder::Sent
        };
        if inbox.as_ref().is_some_and(|e| e.read_at.is_none()) {
            set_read(tx, actor, id, Some(core.clock.now()))?;
            mail_event(&mut out, core, tx, actor, id, MailChange::Read, None)?;
        }
        let summary = summary(tx, &message, folder, true)?;
        Ok((
            MessageView {
                summary,
                body: message.body.clone(),
            },
            out,
        ))
    })?;
    out.publish(core);
    Ok(view)
}

/// Sets (or clears) the read mark of an inbox entry and keeps the unread count in step.
fn set_read(
    tx: &dyn Txn,
    actor: UserId,
    id: MessageId,
    read_at: Option<time::OffsetDateTime>,
) -> Result<(), TxError> {
    let read = read_at.is_some();
    tx.put_json(Tree::UseridInbox, &slot(actor, id), &InboxEntry { read_at })?;
    let unread = tx.get_u64(Tree::UseridUnreadmail, &actor.key())?;
    let unread = if read {
        unread.saturating_sub(1)
    } else {
        unread + 1
    };
    tx.put_u64(Tree::UseridUnreadmail, &actor.key(), unread)
}

/// The conversation a message of mine belongs to: the messages of it I still hold, oldest
/// first (at most `limits.page_size_max`), without changing their read marks.
pub fn thread(core: &Core, actor: UserId, id: MessageId) -> Result<Vec<MessageView>, AppError> {
    // The opened message says which conversation; a scan (outside any transaction: sled
    // transactions cannot scan) lists my messages of it; one read transaction loads them.
    let opened: StoredMessage = core
        .store
        .get_json(Tree::MessageidMessage, &id.key())?
        .ok_or(AppError::NotFound("message"))?;
    let prefix = key(&[&actor.key(), &opened.thread.key()]);
    let limit = core.config.limits.page_size_max;
    let ids: Vec<MessageId> = core
        .store
        .scan_prefix(Tree::UseridThreadMessageid, &prefix, None, limit)?
        .into_iter()
        .filter_map(|(k, _)| k.get(16..).and_then(MessageId::from_key))
        .collect();
    core.store.read(&trees(), |tx| {
        held(tx, actor, id)?;
        let mut views = Vec::with_capacity(ids.len());
        for mid in &ids {
            let Some(m) = tx.get_json::<StoredMessage>(Tree::MessageidMessage, &mid.key())? else {
                continue;
            };
            let (entry, in_sent) = holding(tx, actor, *mid)?;
            let (folder, read) = match entry {
                Some(e) => (Folder::Inbox, e.read_at.is_some()),
                None if in_sent => (Folder::Sent, true),
                None => continue,
            };
            views.push(MessageView {
                summary: summary(tx, &m, folder, read)?,
                body: m.body.clone(),
            });
        }
        Ok(views)
    })
}

/// Marks a read message of my inbox unread again.
pub fn mark_unread(core: &Core, actor: UserId, id: MessageId) -> Result<Unread, AppError> {
    let out = core.store.transact(&trees(), |tx| {
        let (inbox, _) = holding(tx, actor, id)?;
        let entry = inbox.ok_or(TxError::Abort(AppError::NotFound("message in your inbox")))?;
        let mut out = Pending::default();
        if entry.read_at.is_some() {
            set_read(tx, actor, id, None)?;
            mail_event(&mut out, core, tx, actor, id, MailChange::Unread, None)?;
        }
        Ok(out)
    })?;
    out.publish(core);
    unread(core, actor)
}

/// Deletes a message from my folders only; the others keep theirs. The message itself is
/// erased once nobody holds it.
pub fn delete(core: &Core, actor: UserId, id: MessageId) -> Result<(), AppError> {
    let out = core.store.transact(&trees(), |tx| {
        let (mut message, inbox, sent) = held(tx, actor, id)?;
        let mut released = 0;
        if let Some(entry) = inbox {
            if entry.read_at.is_none() {
                let unread = tx.get_u64(Tree::UseridUnreadmail, &actor.key())?;
                tx.put_u64(
                    Tree::UseridUnreadmail,
                    &actor.key(),
                    unread.saturating_sub(1),
                )?;
            }
            tx.remove(Tree::UseridInbox, &slot(actor, id))?;
            released += 1;
        }
        if sent {
            tx.remove(Tree::UseridSent, &slot(actor, id))?;
            released += 1;
        }
        tx.remove(
            Tree::UseridThreadMessageid,
            &thread_key(actor, message.thread, id),
        )?;
        message.holders = message.holders.saturating_sub(released);
        if message.holders == 0 {
            tx.remove(Tree::MessageidMessage, &id.key())?;
        } else {
            tx.put_json(Tree::MessageidMessage, &id.key(), &message)?;
        }
        let mut out = Pending::default();
        mail_event(&mut out, core, tx, actor, id, MailChange::Deleted, None)?;
        Ok(out)
    })?;
    out.publish(core);
    Ok(())
}

/// My unread message count, with the event number it is current as of (see `Unread`).
pub fn unread(core: &Core, actor: UserId) -> Result<Unread, AppError> {
    core.store
        .read(&[Tree::UseridUnreadmail, Tree::UseridLastseq], |tx| {
            Ok(Unread {
                unread: tx.get_u64(Tree::UseridUnreadmail, &actor.key())?,
                seq: tx.get_u64(Tree::UseridLastseq, &actor.key())?,
            })
        })
}

/// "Send a message" from a profile (R3): a subject and a text for one member.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[garde(context(Limits as ctx))]
#[serde(deny_unknown_fields)]
pub struct DirectMessage {
    #[garde(length(chars, min = 1, max = ctx.mail_subject_chars))]
    pub subject: String,
    #[garde(length(chars, min = 1, max = ctx.mail_body_chars))]
    pub body: String,
}

/// Where a "Send a message" went.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "delivered")]
pub enum Delivered {
    /// To the mailbox: we are validated contacts.
    Mailbox { message: MessageView },
    /// To the member's private e-mail, with my name and e-mail address so they can answer.
    /// Their address is never shown to me.
    Email,
}

/// "Send a message" (R3): an internal message when the two are validated contacts, otherwise
/// an e-mail to the recipient's private address carrying the text, the sender's name and the
/// sender's e-mail address (also as Reply-To). Nothing is stored in the recipient's mailbox.
/// A member who blocked the sender gets nothing, and the sender cannot tell.
pub fn message_member(
    core: &Core,
    actor: UserId,
    target: UserId,
    input: DirectMessage,
) -> Result<Delivered, AppError> {
    input.validate_with(&core.config.limits)?;
    check_text(&input.subject, &input.body)?;
    if actor == target {
        return Err(not_to_self());
    }
    let me = core.user(actor)?;
    let them = core.user(target)?;
    let contacts = core.store.read(&[Tree::UseridContactid], |tx| {
        are_contacts_in(tx, actor, target)
    })?;
    if contacts && me.validation.is_some() && them.validation.is_some() {
        let message = send(
            core,
            actor,
            NewMessage {
                to: vec![target],
                cc: vec![],
                subject: input.subject,
                body: input.body,
                in_reply_to: None,
            },
        )?;
        return Ok(Delivered::Mailbox { message });
    }
    // Addresses are not confirmed at registration, so only a member their NSO has checked
    // may make the platform e-mail someone in their name.
    if me.validation.is_none() {
        return Err(AppError::Forbidden(
            "only eTwinning-validated members can send messages by e-mail: your NSO has not validated you yet".into(),
        ));
    }
    let limiter = &core.rate_limits.emails;
    limiter.acquire(&actor.to_string(), core.clock.now())?;
    let mail = email_for(&me, &them, &input);
    let id = crate::ids::MailId(core.store.next_id()?);
    let now = core.clock.now();
    let mut trees = vec![Tree::UseridBlockedid];
    trees.extend(crate::mail::TREES);
    let queued = core.store.transact(&trees, |tx| {
        // Checked in the transaction that queues: a block made a moment ago is honoured.
        if super::contacts::blocks_in(tx, target, actor)? {
            return Ok(false);
        }
        crate::mail::enqueue(core, tx, id, now, &mail)?;
        Ok(true)
    });
    match queued {
        Ok(queued) => {
            if queued {
                core.outbox.wake();
            }
            tracing::info!(from = %actor, to = %target, queued, "member message by e-mail");
            Ok(Delivered::Email)
        }
        Err(e) => {
            limiter.release_one(&actor.to_string());
            Err(e)
        }
    }
}

/// The e-mail for a member who is not (yet) a contact: who wrote, their address to answer,
/// the text, and why the recipient gets it. The framing adds at most `config::email_frame_chars` to
/// the text (config validation keeps `mail.body_chars` large enough for it).
fn email_for(me: &User, them: &User, input: &DirectMessage) -> crate::mail::OutgoingMail {
    // A name cannot fake the platform's lines around the text: no line breaks or controls.
    let name: String = me
        .profile
        .display_name
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let name = &name;
    let body = format!(
        "{name} <{email}> sent you a message on Twinhub:\n\n{text}\n\n-- \nAnswer by replying to this e-mail: it goes to {name} at {email}.\nYou received it because {name} found your profile on Twinhub. Your e-mail address was not shown to them.\nTo stop messages from {name}, block them from their profile on Twinhub.\n",
        email = me.email,
        text = input.body,
    );
    crate::mail::OutgoingMail {
        to_address: them.email.clone(),
        to_name: them.profile.display_name.clone(),
        subject: input.subject.trim().to_string(),
        body,
        reply_to: Some(crate::mail::NamedAddress {
            name: name.clone(),
            address: me.email.clone(),
        }),
        kind: crate::mail::MailKind::MemberMessage,
    }
}
