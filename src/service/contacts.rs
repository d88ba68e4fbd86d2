//! Contacts (R1, R2): requests between validated eTwinners, accepted or declined by the
//! recipient, cancelled by the sender, removed by either side; and private blocks.
//!
//! Every change runs in one transaction that also appends a `Contact` event for each side (and
//! a notification where someone must act or learn of an answer), so open tabs follow at once.
//! A request to someone who has already asked you accepts theirs: crossed requests end in one
//! contact, never two requests. A request to someone who blocked you is kept for you only: the
//! recipient never sees it, and you cannot tell (blocking is private).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::notifications::{self, Pending};
use super::profiles::load;
use super::{text, Core, Page, PageQuery};
use crate::domain::contact::{may_request, ContactRequest, ContactState, ContactTie, Refusal};
use crate::domain::event::{NotificationKind, UserEventBody};
use crate::domain::user::{PublicProfile, User};
use crate::error::AppError;
use crate::ids::{NotificationId, UserId};
use crate::store::{key, Entries, Tree, TxError, Txn};

/// The trees a contact change touches.
fn trees() -> Vec<Tree> {
    let mut trees = vec![
        Tree::UseridUser,
        Tree::UseridContactid,
        Tree::UseridRequestedid,
        Tree::UseridRequesterid,
        Tree::UseridBlockedid,
    ];
    trees.extend(notifications::TREES);
    trees
}

fn pair(a: UserId, b: UserId) -> Vec<u8> {
    key(&[&a.key(), &b.key()])
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Relation {
    pub state: ContactState,
    /// Whether I blocked this member (only ever shown to me).
    pub blocked: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactEntry {
    pub user: PublicProfile,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestEntry {
    pub user: PublicProfile,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ContactQuery {
    /// Words that must all appear in the contact's name (case-insensitive).
    pub q: Option<String>,
    /// Items per page (default and maximum in config.toml).
    pub limit: Option<usize>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// Where `me` stands with `other`, read inside a transaction.
pub fn state_in(tx: &dyn Txn, me: UserId, other: UserId) -> Result<ContactState, TxError> {
    if tx.get(Tree::UseridContactid, &pair(me, other))?.is_some() {
        return Ok(ContactState::Contact);
    }
    if tx.get(Tree::UseridRequestedid, &pair(me, other))?.is_some() {
        return Ok(ContactState::RequestSent);
    }
    if tx.get(Tree::UseridRequesterid, &pair(me, other))?.is_some() {
        return Ok(ContactState::RequestReceived);
    }
    Ok(ContactState::None)
}

/// Whether two members are contacts (R3: the mailbox works between contacts only).
pub fn are_contacts_in(tx: &dyn Txn, a: UserId, b: UserId) -> Result<bool, TxError> {
    Ok(tx.get(Tree::UseridContactid, &pair(a, b))?.is_some())
}

/// Whether `blocker` blocked `other`.
pub fn blocks_in(tx: &dyn Txn, blocker: UserId, other: UserId) -> Result<bool, TxError> {
    Ok(tx
        .get(Tree::UseridBlockedid, &pair(blocker, other))?
        .is_some())
}

pub fn relation(core: &Core, me: UserId, other: UserId) -> Result<Relation, AppError> {
    core.user(other)?;
    core.store.read(&trees(), |tx| {
        Ok(Relation {
            state: state_in(tx, me, other)?,
            blocked: blocks_in(tx, me, other)?,
        })
    })
}

/// Tells `who`'s open tabs where they now stand with `other`.
fn contact_event(
    out: &mut Pending,
    core: &Core,
    tx: &dyn Txn,
    who: UserId,
    other: UserId,
    state: ContactState,
) -> Result<(), TxError> {
    out.event(core, tx, who, UserEventBody::Contact { user: other, state })
}

fn refusal(refused: Refusal, target: &User) -> AppError {
    match refused {
        Refusal::Yourself => AppError::Validation("you cannot add yourself as a contact".into()),
        Refusal::NotValidatedYourself => AppError::Forbidden(
            "only eTwinning-validated members can add contacts: your NSO has not validated you yet".into(),
        ),
        Refusal::NotValidated => AppError::Forbidden(format!(
            "{} is not eTwinning validated yet, so cannot be added as a contact; you can send them a message by e-mail instead",
            target.profile.display_name
        )),
    }
}

/// Makes `a` and `b` contacts; any request between them, either way, is answered by it.
fn make_contacts(tx: &dyn Txn, a: UserId, b: UserId, now: OffsetDateTime) -> Result<(), TxError> {
    drop_request(tx, a, b)?;
    drop_request(tx, b, a)?;
    let tie = ContactTie { since: now };
    tx.put_json(Tree::UseridContactid, &pair(a, b), &tie)?;
    tx.put_json(Tree::UseridContactid, &pair(b, a), &tie)
}

fn drop_request(tx: &dyn Txn, from: UserId, to: UserId) -> Result<bool, TxError> {
    let existed = tx.get(Tree::UseridRequestedid, &pair(from, to))?.is_some();
    tx.remove(Tree::UseridRequestedid, &pair(from, to))?;
    tx.remove(Tree::UseridRequesterid, &pair(to, from))?;
    Ok(existed)
}

/// "Add as contact". Returns where the two now stand (a request sent, or contacts when the
/// other had already asked).
pub fn request(core: &Core, actor: UserId, target: UserId) -> Result<ContactState, AppError> {
    let limiter = &core.rate_limits.contact_requests;
    limiter.acquire(&actor.to_string(), core.clock.now())?;
    let note = NotificationId(core.store.next_id()?);
    let result = core.store.transact(&trees(), |tx| {
        let me = load(tx, actor)?;
        let them = load(tx, target)?;
        may_request(&me, &them).map_err(|r| TxError::Abort(refusal(r, &them)))?;
        if blocks_in(tx, actor, target)? {
            return Err(TxError::Abort(AppError::Conflict(
                "you blocked this member: unblock them first".into(),
            )));
        }
        let mut out = Pending::default();
        let now = core.clock.now();
        // Their request counts even when hidden (sent while I blocked them): both asked.
        let they_asked = tx
            .get(Tree::UseridRequestedid, &pair(target, actor))?
            .is_some();
        let state = match state_in(tx, actor, target)? {
            done @ (ContactState::Contact | ContactState::RequestSent) => {
                return Ok((done, out, false))
            }
            _ if they_asked => {
                // Crossed requests: asking someone who asked you accepts their request.
                make_contacts(tx, actor, target, now)?;
                contact_event(&mut out, core, tx, actor, target, ContactState::Contact)?;
                contact_event(&mut out, core, tx, target, actor, ContactState::Contact)?;
                let what = NotificationKind::ContactAccepted {
                    by: actor,
                    name: me.profile.display_name.clone(),
                };
                out.notify(core, tx, target, note, what)?;
                ContactState::Contact
            }
            _ => {
                let hidden = blocks_in(tx, target, actor)?;
                tx.put_json(
                    Tree::UseridRequestedid,
                    &pair(actor, target),
                    &ContactRequest { at: now, hidden },
                )?;
                contact_event(&mut out, core, tx, actor, target, ContactState::RequestSent)?;
                if !hidden {
                    tx.insert(Tree::UseridRequesterid, &pair(target, actor), vec![])?;
                    contact_event(
                        &mut out,
                        core,
                        tx,
                        target,
                        actor,
                        ContactState::RequestReceived,
                    )?;
                    let what = NotificationKind::ContactRequested {
                        by: actor,
                        name: me.profile.display_name.clone(),
                    };
                    out.notify(core, tx, target, note, what)?;
                }
                ContactState::RequestSent
            }
        };
        Ok((state, out, true))
    });
    match result {
        Ok((state, out, counted)) => {
            if !counted {
                limiter.release_one(&actor.to_string());
            }
            out.publish(core);
            tracing::info!(from = %actor, to = %target, ?state, "contact request");
            Ok(state)
        }
        Err(e) => {
            limiter.release_one(&actor.to_string());
            Err(e)
        }
    }
}

/// The recipient accepts `from`'s request: they become contacts, and `from` is told.
pub fn accept(core: &Core, actor: UserId, from: UserId) -> Result<ContactState, AppError> {
    let id = NotificationId(core.store.next_id()?);
    let out = core.store.transact(&trees(), |tx| {
        if tx
            .get(Tree::UseridRequesterid, &pair(actor, from))?
            .is_none()
        {
            return Err(TxError::Abort(AppError::NotFound("contact request")));
        }
        let me = load(tx, actor)?;
        let them = load(tx, from)?;
        // R1 again: either side may have lost their validation since the request.
        may_request(&me, &them).map_err(|r| TxError::Abort(refusal(r, &them)))?;
        make_contacts(tx, actor, from, core.clock.now())?;
        let mut out = Pending::default();
        contact_event(&mut out, core, tx, actor, from, ContactState::Contact)?;
        contact_event(&mut out, core, tx, from, actor, ContactState::Contact)?;
        let what = NotificationKind::ContactAccepted {
            by: actor,
            name: me.profile.display_name.clone(),
        };
        out.notify(core, tx, from, id, what)?;
        Ok(out)
    })?;
    out.publish(core);
    Ok(ContactState::Contact)
}

/// Ends a pending request: the recipient declines (`from` asked `actor`, `by_recipient`), or
/// the sender cancels (`actor` asked `to`). No notification either way. A request hidden from
/// its recipient (they had blocked the sender) can only be cancelled, and its end is not
/// shown to them: the recipient cannot learn that it existed.
pub fn end_request(
    core: &Core,
    from: UserId,
    to: UserId,
    by_recipient: bool,
) -> Result<(), AppError> {
    let out = core.store.transact(&trees(), |tx| {
        let visible = tx.get(Tree::UseridRequesterid, &pair(to, from))?.is_some();
        if by_recipient && !visible {
            return Err(TxError::Abort(AppError::NotFound("contact request")));
        }
        if !drop_request(tx, from, to)? {
            return Err(TxError::Abort(AppError::NotFound("contact request")));
        }
        let mut out = Pending::default();
        contact_event(&mut out, core, tx, from, to, ContactState::None)?;
        if visible {
            contact_event(&mut out, core, tx, to, from, ContactState::None)?;
        }
        Ok(out)
    })?;
    out.publish(core);
    Ok(())
}

/// Either side removes the contact (R2).
pub fn remove(core: &Core, actor: UserId, other: UserId) -> Result<(), AppError> {
    let out = core.store.transact(&trees(), |tx| {
        if !are_contacts_in(tx, actor, other)? {
            return Err(TxError::Abort(AppError::NotFound("contact")));
        }
        tx.remove(Tree::UseridContactid, &pair(actor, other))?;
        tx.remove(Tree::UseridContactid, &pair(other, actor))?;
        let mut out = Pending::default();
        contact_event(&mut out, core, tx, actor, other, ContactState::None)?;
        contact_event(&mut out, core, tx, other, actor, ContactState::None)?;
        Ok(out)
    })?;
    out.publish(core);
    Ok(())
}

/// Blocks `other`: no requests, messages or e-mails from them reach `actor` from now on. An
/// existing contact and pending requests between them end.
pub fn block(core: &Core, actor: UserId, other: UserId) -> Result<(), AppError> {
    if actor == other {
        return Err(AppError::Validation("you cannot block yourself".into()));
    }
    core.user(other)?;
    let out = core.store.transact(&trees(), |tx| {
        let mut out = Pending::default();
        let was = state_in(tx, actor, other)?;
        tx.put_json(
            Tree::UseridBlockedid,
            &pair(actor, other),
            &core.clock.now().unix_timestamp(),
        )?;
        tx.remove(Tree::UseridContactid, &pair(actor, other))?;
        tx.remove(Tree::UseridContactid, &pair(other, actor))?;
        drop_request(tx, actor, other)?;
        drop_request(tx, other, actor)?;
        if was != ContactState::None {
            contact_event(&mut out, core, tx, actor, other, ContactState::None)?;
            contact_event(&mut out, core, tx, other, actor, ContactState::None)?;
        }
        Ok(out)
    })?;
    out.publish(core);
    Ok(())
}

/// Unblocks `other`. A request they sent while blocked now reaches `actor`, as if just sent
/// (their side never changed, so they learn nothing).
pub fn unblock(core: &Core, actor: UserId, other: UserId) -> Result<(), AppError> {
    let id = NotificationId(core.store.next_id()?);
    let out = core.store.transact(&trees(), |tx| {
        tx.remove(Tree::UseridBlockedid, &pair(actor, other))?;
        let mut out = Pending::default();
        let Some(mut request) =
            tx.get_json::<ContactRequest>(Tree::UseridRequestedid, &pair(other, actor))?
        else {
            return Ok(out);
        };
        if request.hidden {
            request.hidden = false;
            tx.put_json(Tree::UseridRequestedid, &pair(other, actor), &request)?;
            tx.insert(Tree::UseridRequesterid, &pair(actor, other), vec![])?;
            contact_event(
                &mut out,
                core,
                tx,
                actor,
                other,
                ContactState::RequestReceived,
            )?;
            let them = load(tx, other)?;
            let what = NotificationKind::ContactRequested {
                by: other,
                name: them.profile.display_name.clone(),
            };
            out.notify(core, tx, actor, id, what)?;
        }
        Ok(out)
    })?;
    out.publish(core);
    Ok(())
}

/// One page of `actor`'s rows of a `member ++ other member` tree.
fn scan_page(
    core: &Core,
    tree: Tree,
    actor: UserId,
    page: &PageQuery,
) -> Result<Entries, AppError> {
    let limit = page.limit(&core.config);
    let after = page.after_key()?;
    Ok(core
        .store
        .scan_prefix(tree, &actor.key(), after.as_deref(), limit + 1)?)
}

/// The other member of each row with its value, turned into an entry (or left out).
fn profile_rows<T>(
    core: &Core,
    rows: Entries,
    entry: impl Fn(PublicProfile, &[u8]) -> Result<Option<T>, AppError>,
) -> Result<Vec<(Vec<u8>, T)>, AppError> {
    let mut out = Vec::new();
    for (k, v) in rows {
        let Some(other) = k.get(8..).and_then(UserId::from_key) else {
            continue;
        };
        if let Some(item) = entry(core.user(other)?.public_view(), &v)? {
            out.push((k, item));
        }
    }
    Ok(out)
}

/// My contacts in id order, optionally only those whose name holds every word of `q`.
pub fn contacts(
    core: &Core,
    actor: UserId,
    query: &ContactQuery,
) -> Result<Page<ContactEntry>, AppError> {
    let mut page = PageQuery {
        limit: query.limit,
        after: query.after.clone(),
    };
    let limit = page.limit(&core.config);
    text::single_line_opt("q", query.q.as_deref())?;
    let words: Vec<String> = query
        .q
        .as_deref()
        .unwrap_or_default()
        .chars()
        .take(core.config.limits.query_chars)
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    // Filtering by name happens after the scan, so keep scanning until the page is full.
    loop {
        let batch = scan_page(core, Tree::UseridContactid, actor, &page)?;
        let done = batch.len() <= limit;
        page.after = batch.last().map(|(k, _)| super::hex(k));
        rows.extend(profile_rows(core, batch, |user, v| {
            let name = user.profile.display_name.to_lowercase();
            if !words.iter().all(|w| name.contains(w.as_str())) {
                return Ok(None);
            }
            let tie: ContactTie = crate::store::decode(v)?;
            Ok(Some(ContactEntry {
                user,
                since: tie.since,
            }))
        })?);
        if rows.len() > limit || done {
            break;
        }
    }
    Ok(Page::from_rows(rows, limit))
}

/// Requests I received and have not answered, in sender id order.
pub fn received(
    core: &Core,
    actor: UserId,
    page: &PageQuery,
) -> Result<Page<RequestEntry>, AppError> {
    let rows = scan_page(core, Tree::UseridRequesterid, actor, page)?;
    let rows = profile_rows(core, rows, |user, _| {
        let request: Option<ContactRequest> = core
            .store
            .get_json(Tree::UseridRequestedid, &pair(user.id, actor))?;
        Ok(request.map(|r| RequestEntry { user, at: r.at }))
    })?;
    Ok(Page::from_rows(rows, page.limit(&core.config)))
}

/// Requests I sent that are still pending, in recipient id order.
pub fn sent(core: &Core, actor: UserId, page: &PageQuery) -> Result<Page<RequestEntry>, AppError> {
    let rows = scan_page(core, Tree::UseridRequestedid, actor, page)?;
    let rows = profile_rows(core, rows, |user, v| {
        let request: ContactRequest = crate::store::decode(v)?;
        Ok(Some(RequestEntry {
            user,
            at: request.at,
        }))
    })?;
    Ok(Page::from_rows(rows, page.limit(&core.config)))
}

/// The members I blocked.
pub fn blocked(
    core: &Core,
    actor: UserId,
    page: &PageQuery,
) -> Result<Page<PublicProfile>, AppError> {
    let rows = scan_page(core, Tree::UseridBlockedid, actor, page)?;
    let rows = profile_rows(core, rows, |user, _| Ok(Some(user)))?;
    Ok(Page::from_rows(rows, page.limit(&core.config)))
}
