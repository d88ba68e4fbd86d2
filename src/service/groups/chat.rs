//! A group's chat: messages stored before they are acknowledged and fanned out through the
//! group's room, idempotent by the sender's client id; edits and deletions (a deleted
//! message keeps its place without its text); history newest first; a catch-up list by
//! revision; unread counts from a per-member last-read pointer; @mentions that notify.
//!
//! Only members read, post or listen; membership is checked inside the writing transaction,
//! so a member removed a moment ago cannot post.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{group, is_member, member_key};
use crate::domain::event::{GroupMessage, NotificationKind, Topic, TopicEventBody};
use crate::domain::group::{distinct_mentions, Membership};
use crate::error::AppError;
use crate::ids::{GroupId, NotificationId, UserId};
use crate::live::bus::BusMessage;
use crate::service::notifications::{self, Pending};
use crate::service::{text, Core, Page, PageQuery};
use crate::store::{be_u64, key, Tree, TxError, Txn};

/// A new group chat message (named apart from the mailbox's `NewMessage` in the OpenAPI
/// document, where one name can hold only one schema).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewGroupMessage)]
pub struct NewMessage {
    /// The sender's id for this send; a retry with the same id returns the first message.
    pub client_id: String,
    pub text: String,
    /// Members mentioned in the text (`@name`); each is notified. At most
    /// `groups.mentions_per_message`, all members of the group.
    #[serde(default)]
    pub mentions: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessage {
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadUpTo {
    /// The newest message id the member has seen.
    pub message: u64,
}

/// A member's unread count in one group (`GroupUnread` in the OpenAPI document, apart from
/// the notifications' and mailbox's `Unread`).
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
#[schema(as = GroupUnread)]
pub struct Unread {
    /// Messages by others newer than the last-read pointer, at most `groups.unread_count_max`.
    pub unread: u64,
    /// There are more than `unread`.
    pub unread_more: bool,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// The highest `rev` the client has seen (0 for everything).
    pub after_rev: Option<u64>,
    /// Messages per answer (default and maximum in config.toml).
    pub limit: Option<usize>,
}

/// Messages sent, edited or deleted after a revision, in the order of their last change.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changes {
    pub items: Vec<GroupMessage>,
    /// The highest `rev` in `items`, or the `after_rev` asked for when there are none: ask
    /// again from here.
    pub last_rev: u64,
    /// More changes wait after `last_rev`.
    pub more: bool,
}

/// Longest client id accepted (they are stored as part of a key).
pub const CLIENT_ID_CHARS: usize = 64;

fn message_key(group: GroupId, id: u64) -> Vec<u8> {
    key(&[&group.key(), &(u64::MAX - id).to_be_bytes()])
}

fn rev_key(group: GroupId, rev: u64) -> Vec<u8> {
    key(&[&group.key(), &rev.to_be_bytes()])
}

/// The group's next revision, taken inside the writing transaction: revisions follow the
/// order in which changes commit, one after another without gaps, so a client can tell
/// whether it missed one.
fn next_rev(tx: &dyn Txn, group: GroupId) -> Result<u64, TxError> {
    let rev = tx.get_u64(Tree::GroupidLastrev, &group.key())? + 1;
    tx.put_u64(Tree::GroupidLastrev, &group.key(), rev)?;
    Ok(rev)
}

fn check_text(core: &Core, message: &str) -> Result<(), AppError> {
    let max = core.config.groups.message_chars;
    if message.trim().is_empty() || message.chars().count() > max {
        return Err(AppError::Validation(format!(
            "text: between 1 and {max} characters"
        )));
    }
    text::multi_line("text", message)
}

fn not_a_member() -> AppError {
    AppError::Forbidden("only members can read or write in a group's chat".into())
}

fn ensure_member(core: &Core, group: GroupId, user: UserId) -> Result<(), AppError> {
    group_exists(core, group)?;
    if is_member(core, group, user)? {
        Ok(())
    } else {
        Err(not_a_member())
    }
}

fn group_exists(core: &Core, id: GroupId) -> Result<(), AppError> {
    group(core, id).map(|_| ())
}

fn membership_in(tx: &dyn Txn, group: GroupId, user: UserId) -> Result<Membership, TxError> {
    tx.get_json(Tree::GroupidUserid, &member_key(group, user))?
        .ok_or(TxError::Abort(not_a_member()))
}

/// Counts against the member's allowance of messages; `undo` gives it back when the send
/// turned out to be refused or a retry.
fn take_allowance(core: &Core, user: UserId) -> Result<impl Fn() + use<'_>, AppError> {
    let who = user.to_string();
    core.rate_limits
        .group_messages
        .acquire(&who, core.clock.now())?;
    Ok(move || core.rate_limits.group_messages.release_one(&who))
}

/// Posts a message (members only). Idempotent per (member, client id): a retry returns the
/// stored message and publishes nothing new. Stored (durably) before it is acknowledged and
/// fanned out; mentioned members are notified in the same transaction.
pub fn post(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    input: NewMessage,
) -> Result<GroupMessage, AppError> {
    let n = input.client_id.chars().count();
    if n == 0 || n > CLIENT_ID_CHARS {
        return Err(AppError::Validation(format!(
            "client_id: between 1 and {CLIENT_ID_CHARS} characters"
        )));
    }
    text::single_line("client_id", &input.client_id)?;
    check_text(core, &input.text)?;
    // Counted before they are made distinct (which is quadratic in their number).
    let max = core.config.groups.mentions_per_message;
    if input.mentions.len() > max {
        return Err(AppError::Validation(format!(
            "mentions: at most {max} members"
        )));
    }
    let mentions = distinct_mentions(actor, &input.mentions);
    // Read outside the transaction: a title or name changed a moment ago may show in a
    // notification or the message as it was, which is harmless.
    let group = group(core, group_id)?;
    let author = core.user(actor)?;
    let dedup_key = key(&[&group_id.key(), &actor.key(), input.client_id.as_bytes()]);
    // A retry (its answer was lost) gets the stored message, even at the rate limit.
    if let Some(first) = core.store.get(Tree::GroupidClientid, &dedup_key)? {
        ensure_member(core, group_id, actor)?;
        return core
            .store
            .get_json(Tree::GroupidMessage, &message_key(group_id, be_u64(&first)))?
            .ok_or_else(|| AppError::internal("client id points nowhere"));
    }
    let id = core.store.next_id()?;
    let notification_ids = mentions
        .iter()
        .map(|_| core.store.next_id().map(NotificationId))
        .collect::<Result<Vec<_>, _>>()?;
    let undo = take_allowance(core, actor)?;
    let message = GroupMessage {
        id,
        group: group_id,
        author: actor,
        author_name: author.profile.display_name.clone(),
        text: input.text,
        client_id: input.client_id,
        at: core.clock.now(),
        mentions,
        edited_at: None,
        deleted: false,
        // Numbered in the transaction.
        rev: 0,
    };
    let mut trees = vec![
        Tree::GroupidUserid,
        Tree::GroupidMessage,
        Tree::GroupidClientid,
        Tree::GroupidRevMessageid,
        Tree::GroupidLastrev,
        Tree::GroupidUseridLastread,
    ];
    if !message.mentions.is_empty() {
        trees.extend(notifications::TREES);
    }
    let written = core.store.transact(&trees, |tx| {
        let mut pending = Pending::default();
        membership_in(tx, group_id, actor)?;
        if let Some(existing) = tx.get(Tree::GroupidClientid, &dedup_key)? {
            let first = be_u64(&existing);
            let msg = tx
                .get_json::<GroupMessage>(Tree::GroupidMessage, &message_key(group_id, first))?
                .ok_or(TxError::Abort(AppError::internal(
                    "client id points nowhere",
                )))?;
            return Ok((msg, false, pending));
        }
        let message = GroupMessage {
            rev: next_rev(tx, group_id)?,
            ..message.clone()
        };
        tx.put_u64(Tree::GroupidClientid, &dedup_key, id)?;
        tx.put_json(Tree::GroupidMessage, &message_key(group_id, id), &message)?;
        tx.put_u64(
            Tree::GroupidRevMessageid,
            &rev_key(group_id, message.rev),
            id,
        )?;
        // The author has read their own message (the pointer only moves forward).
        let mk = member_key(group_id, actor);
        if tx.get_u64(Tree::GroupidUseridLastread, &mk)? < id {
            tx.put_u64(Tree::GroupidUseridLastread, &mk, id)?;
        }
        for (who, nid) in message.mentions.iter().zip(&notification_ids) {
            if tx
                .get(Tree::GroupidUserid, &member_key(group_id, *who))?
                .is_none()
            {
                return Err(TxError::Abort(AppError::Validation(format!(
                    "mentions: member {who} is not in this group"
                ))));
            }
            let what = NotificationKind::GroupMention {
                group: group_id,
                title: group.title.clone(),
                message: id,
                by: actor,
                name: message.author_name.clone(),
            };
            pending.notify(core, tx, *who, *nid, what)?;
        }
        Ok((message, true, pending))
    });
    let (stored, fresh, pending) = match written {
        Ok(done) => done,
        Err(e) => {
            undo();
            return Err(e);
        }
    };
    if fresh {
        pending.publish(core);
        publish(
            core,
            TopicEventBody::Message {
                message: stored.clone(),
            },
        );
    } else {
        undo();
    }
    Ok(stored)
}

fn publish(core: &Core, event: TopicEventBody) {
    let group = match &event {
        TopicEventBody::Message { message } | TopicEventBody::MessageUpdated { message } => {
            message.group
        }
        _ => unreachable!("chat publishes messages only"),
    };
    core.bus
        .publish(vec![BusMessage::Topic(Topic::Group(group), event)]);
}

/// Rewrites a message under a new revision and tells the listeners.
fn rewrite(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    message_id: u64,
    change: &dyn Fn(&Membership, &mut GroupMessage) -> Result<bool, AppError>,
) -> Result<GroupMessage, AppError> {
    group_exists(core, group_id)?;
    let trees = [
        Tree::GroupidUserid,
        Tree::GroupidMessage,
        Tree::GroupidRevMessageid,
        Tree::GroupidLastrev,
    ];
    let (message, changed) = core.store.transact(&trees, |tx| {
        let membership = membership_in(tx, group_id, actor)?;
        let mk = message_key(group_id, message_id);
        let mut message: GroupMessage = tx
            .get_json(Tree::GroupidMessage, &mk)?
            .ok_or(TxError::Abort(AppError::NotFound("message")))?;
        if !change(&membership, &mut message)? {
            return Ok((message, false));
        }
        tx.remove(Tree::GroupidRevMessageid, &rev_key(group_id, message.rev))?;
        message.rev = next_rev(tx, group_id)?;
        tx.put_u64(
            Tree::GroupidRevMessageid,
            &rev_key(group_id, message.rev),
            message_id,
        )?;
        tx.put_json(Tree::GroupidMessage, &mk, &message)?;
        Ok((message, true))
    })?;
    if changed {
        publish(
            core,
            TopicEventBody::MessageUpdated {
                message: message.clone(),
            },
        );
    }
    Ok(message)
}

/// Edits one's own message (counted against the message allowance).
pub fn edit(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    message_id: u64,
    input: EditMessage,
) -> Result<GroupMessage, AppError> {
    check_text(core, &input.text)?;
    let undo = take_allowance(core, actor)?;
    let now = core.clock.now();
    let edited = rewrite(core, actor, group_id, message_id, &|_, m| {
        if m.author != actor {
            return Err(AppError::Forbidden(
                "only its author can edit a message".into(),
            ));
        }
        if m.deleted {
            return Err(AppError::Conflict("the message was deleted".into()));
        }
        if m.text == input.text {
            return Ok(false);
        }
        m.text = input.text.clone();
        m.edited_at = Some(now);
        Ok(true)
    });
    if edited.is_err() {
        undo();
    }
    edited
}

/// Deletes a message: one's own, or any for the group's administrators. The message keeps
/// its place (so history and cursors stay stable) without its text or mentions. Deleting
/// twice is a no-op. Counted against the message allowance, like sending: a send and a
/// delete in a loop would otherwise fill the history with deleted messages for free.
pub fn delete(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    message_id: u64,
) -> Result<GroupMessage, AppError> {
    let undo = take_allowance(core, actor)?;
    let deleted = rewrite(core, actor, group_id, message_id, &|membership, m| {
        if m.author != actor && !membership.admin {
            return Err(AppError::Forbidden(
                "only its author or an administrator can delete a message".into(),
            ));
        }
        if m.deleted {
            return Ok(false);
        }
        m.deleted = true;
        m.text.clear();
        m.mentions.clear();
        Ok(true)
    });
    if deleted.is_err() {
        undo();
    }
    deleted
}

/// The group's messages, newest first (members only).
pub fn messages(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    page: &PageQuery,
) -> Result<Page<GroupMessage>, AppError> {
    ensure_member(core, group_id, actor)?;
    let limit = page.limit(&core.config);
    let rows = core.store.scan_json(
        Tree::GroupidMessage,
        &group_id.key(),
        page.after_key()?.as_deref(),
        limit + 1,
    )?;
    Ok(Page::from_rows(rows, limit))
}

/// The messages sent, edited or deleted after `after_rev`, oldest change first (members
/// only): what a client that was away missed, each message once, as it is now.
pub fn changes(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    query: &ChangesQuery,
) -> Result<Changes, AppError> {
    ensure_member(core, group_id, actor)?;
    let after_rev = query.after_rev.unwrap_or(0);
    let limit = PageQuery {
        limit: query.limit,
        after: None,
    }
    .limit(&core.config);
    let rows = core.store.scan_prefix(
        Tree::GroupidRevMessageid,
        &group_id.key(),
        Some(&rev_key(group_id, after_rev)),
        limit + 1,
    )?;
    let more = rows.len() > limit;
    let mut items = Vec::with_capacity(rows.len().min(limit));
    for (_, id) in rows.into_iter().take(limit) {
        let id = be_u64(&id);
        if let Some(m) = core
            .store
            .get_json::<GroupMessage>(Tree::GroupidMessage, &message_key(group_id, id))?
        {
            items.push(m);
        }
    }
    let last_rev = items.iter().map(|m| m.rev).max().unwrap_or(after_rev);
    Ok(Changes {
        items,
        last_rev,
        more,
    })
}

/// The newest message id of a group (0 when it has none).
pub fn latest_message(core: &Core, group_id: GroupId) -> Result<u64, AppError> {
    let rows = core
        .store
        .scan_prefix(Tree::GroupidMessage, &group_id.key(), None, 1)?;
    Ok(rows
        .first()
        .map(|(k, _)| u64::MAX - be_u64(&k[8..]))
        .unwrap_or(0))
}

/// Moves the member's last-read pointer forward to `input.message` (never back, and never
/// past the newest message: a pointer in the future would hide what comes).
pub fn mark_read(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    input: ReadUpTo,
) -> Result<Unread, AppError> {
    ensure_member(core, group_id, actor)?;
    let mk = member_key(group_id, actor);
    let up_to = input.message.min(latest_message(core, group_id)?);
    core.store
        .transact(&[Tree::GroupidUserid, Tree::GroupidUseridLastread], |tx| {
            membership_in(tx, group_id, actor)?;
            let current = tx.get_u64(Tree::GroupidUseridLastread, &mk)?;
            if up_to > current {
                tx.put_u64(Tree::GroupidUseridLastread, &mk, up_to)?;
            }
            Ok(())
        })?;
    unread(core, group_id, actor)
}

/// Messages by others newer than the member's pointer, deleted ones left out, counted up to
/// `groups.unread_count_max`. One scan from the newest of at most twice that many messages:
/// past it (many deleted or own messages among the newest) the count says "more".
pub fn unread(core: &Core, group_id: GroupId, user: UserId) -> Result<Unread, AppError> {
    let cap = core.config.groups.unread_count_max;
    let last_read = core
        .store
        .get(Tree::GroupidUseridLastread, &member_key(group_id, user))?
        .map(|v| be_u64(&v))
        .unwrap_or(0);
    let rows = core.store.scan_json::<GroupMessage>(
        Tree::GroupidMessage,
        &group_id.key(),
        None,
        2 * cap + 1,
    )?;
    let mut count = 0u64;
    for (_, m) in &rows {
        if m.id <= last_read {
            return Ok(Unread {
                unread: count,
                unread_more: false,
            });
        }
        if m.author != user && !m.deleted {
            count += 1;
            if count > cap as u64 {
                break;
            }
        }
    }
    // Stopped at the cap, or scanned as far as allowed without reaching the pointer.
    let more = count > cap as u64 || rows.len() > 2 * cap;
    Ok(Unread {
        unread: count.min(cap as u64),
        unread_more: more,
    })
}

#[cfg(test)]
mod tests {
    use super::super::members;
    use super::super::tests::{climate_group, etwinner};
    use super::*;
    use crate::domain::group::JoinPolicy;
    use crate::service::testing;

    fn msg(client_id: &str, text: &str) -> NewMessage {
        NewMessage {
            client_id: client_id.into(),
            text: text.into(),
            mentions: vec![],
        }
    }

    fn topic_events(core: &Core) -> Vec<TopicEventBody> {
        testing::published(core)
            .into_iter()
            .filter_map(|m| match m {
                BusMessage::Topic(_, e) => Some(e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn only_members_post_and_retries_post_once() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::All).group.id;
        assert!(matches!(
            post(&core, bob.id, g, msg("1", "hi")),
            Err(AppError::Forbidden(_))
        ));
        let first = post(&core, ann.id, g, msg("c-1", "hello")).unwrap();
        let again = post(&core, ann.id, g, msg("c-1", "hello")).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.author_name, ann.profile.display_name);
        let page = messages(&core, ann.id, g, &PageQuery::default()).unwrap();
        assert_eq!(page.items.len(), 1);
        let sent = topic_events(&core)
            .into_iter()
            .filter(|e| matches!(e, TopicEventBody::Message { .. }))
            .count();
        assert_eq!(sent, 1);
        for bad in [msg("", "x"), msg("c", " "), msg(&"c".repeat(65), "x")] {
            assert!(matches!(
                post(&core, ann.id, g, bad),
                Err(AppError::Validation(_))
            ));
        }
    }

    #[test]
    fn edits_and_deletions_follow_who_may_and_bump_the_revision() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::All).group.id;
        members::join(&core, &bob, g).unwrap();
        let m = post(&core, bob.id, g, msg("b1", "helo")).unwrap();
        let edit_to = |text: &str| EditMessage { text: text.into() };
        assert!(matches!(
            edit(&core, ann.id, g, m.id, edit_to("x")),
            Err(AppError::Forbidden(_))
        ));
        let edited = edit(&core, bob.id, g, m.id, edit_to("hello")).unwrap();
        assert_eq!(edited.text, "hello");
        assert!(edited.edited_at.is_some() && edited.rev > m.rev);
        // Administrators delete anyone's message; members only their own.
        let own = post(&core, ann.id, g, msg("a1", "mine")).unwrap();
        assert!(matches!(
            delete(&core, bob.id, g, own.id),
            Err(AppError::Forbidden(_))
        ));
        let gone = delete(&core, ann.id, g, m.id).unwrap();
        assert!(gone.deleted && gone.text.is_empty());
        assert_eq!(delete(&core, ann.id, g, m.id).unwrap().rev, gone.rev);
        assert!(matches!(
            edit(&core, bob.id, g, m.id, edit_to("back")),
            Err(AppError::Conflict(_))
        ));
        let updates = topic_events(&core)
            .into_iter()
            .filter(|e| matches!(e, TopicEventBody::MessageUpdated { .. }))
            .count();
        assert_eq!(updates, 2, "the edit and the deletion, not the repeat");
        // The catch-up list holds each message once, at its latest change.
        let all = changes(&core, bob.id, g, &ChangesQuery::default()).unwrap();
        let ids: Vec<u64> = all.items.iter().map(|m| m.id).collect();
        assert_eq!(ids, [own.id, m.id]);
        assert_eq!(all.last_rev, gone.rev);
        let after = ChangesQuery {
            after_rev: Some(own.rev),
            limit: None,
        };
        let later = changes(&core, bob.id, g, &after).unwrap();
        assert_eq!(later.items.len(), 1);
        assert!(later.items[0].deleted);
    }

    #[test]
    fn unread_counts_follow_the_pointer_and_mentions_notify_members() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let cleo = testing::member(&core, "cleo@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::All).group.id;
        post(&core, ann.id, g, msg("a0", "before bob")).unwrap();
        members::join(&core, &bob, g).unwrap();
        assert_eq!(
            unread(&core, g, bob.id).unwrap().unread,
            0,
            "history starts read"
        );
        let mut last = 0;
        for i in 0..3 {
            last = post(&core, ann.id, g, msg(&format!("a{}", i + 1), "news"))
                .unwrap()
                .id;
        }
        assert_eq!(unread(&core, g, bob.id).unwrap().unread, 3);
        assert_eq!(unread(&core, g, ann.id).unwrap().unread, 0, "own messages");
        let left = mark_read(&core, bob.id, g, ReadUpTo { message: last - 1 }).unwrap();
        assert_eq!(left.unread, 1);
        mark_read(&core, bob.id, g, ReadUpTo { message: 1 }).unwrap();
        assert_eq!(unread(&core, g, bob.id).unwrap().unread, 1, "never back");
        // Mentions: members only, each notified once, never the author.
        let bad = NewMessage {
            mentions: vec![cleo.id],
            ..msg("m0", "@Cleo hi")
        };
        assert!(matches!(
            post(&core, ann.id, g, bad),
            Err(AppError::Validation(_))
        ));
        let good = NewMessage {
            mentions: vec![bob.id, bob.id, ann.id],
            ..msg("m1", "@Bob look")
        };
        let m = post(&core, ann.id, g, good).unwrap();
        assert_eq!(m.mentions, [bob.id]);
        let notified = testing::published(&core)
            .into_iter()
            .filter(|b| {
                matches!(b, BusMessage::User(u, e) if *u == bob.id
                    && format!("{:?}", e.body).contains("GroupMention"))
            })
            .count();
        assert_eq!(notified, 1);
    }

    #[test]
    fn unread_counts_stop_at_the_cap() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::All).group.id;
        members::join(&core, &bob, g).unwrap();
        let cap = core.config.groups.unread_count_max;
        for i in 0..=cap {
            post(&core, ann.id, g, msg(&format!("c{i}"), "x")).unwrap();
        }
        let u = unread(&core, g, bob.id).unwrap();
        assert_eq!((u.unread, u.unread_more), (cap as u64, true));
    }

    #[test]
    fn revisions_are_numbered_per_group_without_gaps_and_pointers_stay_in_range() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let g1 = climate_group(&core, &ann, JoinPolicy::All).group.id;
        let g2 = climate_group(&core, &ann, JoinPolicy::All).group.id;
        let a = post(&core, ann.id, g1, msg("a", "one")).unwrap();
        let b = post(&core, ann.id, g2, msg("b", "other group")).unwrap();
        let edited = edit(
            &core,
            ann.id,
            g1,
            a.id,
            EditMessage {
                text: "one!".into(),
            },
        )
        .unwrap();
        let c = post(&core, ann.id, g1, msg("c", "two")).unwrap();
        let gone = delete(&core, ann.id, g1, c.id).unwrap();
        assert_eq!((a.rev, edited.rev, c.rev, gone.rev), (1, 2, 3, 4));
        assert_eq!(b.rev, 1, "each group counts its own");
        // A no-op takes no revision.
        assert_eq!(delete(&core, ann.id, g1, c.id).unwrap().rev, 4);
        // A read pointer never goes past the newest message.
        let bob = testing::member(&core, "bob@x.eu", "FR");
        members::join(&core, &bob, g1).unwrap();
        mark_read(&core, bob.id, g1, ReadUpTo { message: u64::MAX }).unwrap();
        let later = post(&core, ann.id, g1, msg("d", "three")).unwrap();
        assert!(later.id > c.id);
        assert_eq!(unread(&core, g1, bob.id).unwrap().unread, 1);
    }
}
