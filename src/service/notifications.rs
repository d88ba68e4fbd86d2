//! Notifications: stored per user, newest first, with an unread index and an unread counter
//! kept in the same transactions, and a per-user event for every change so every open tab
//! shows the same list and count.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{events, Core, Page, PageQuery};
use crate::domain::event::{Notification, NotificationKind, UserEvent, UserEventBody};
use crate::error::AppError;
use crate::ids::{NotificationId, UserId};
use crate::live::bus::BusMessage;
use crate::store::{key, Tree, TxError, Txn};

/// Trees a transaction that notifies must declare.
pub const TREES: [Tree; 5] = [
    Tree::UseridNotification,
    Tree::UseridUnreadNotificationid,
    Tree::UseridUnreadcount,
    Tree::UseridSeqEvent,
    Tree::UseridLastseq,
];

fn notification_key(user: UserId, id: NotificationId) -> Vec<u8> {
    key(&[&user.key(), &(u64::MAX - id.0).to_be_bytes()])
}

/// Stores a notification for `user` inside the caller's transaction and returns the event
/// to publish once the transaction is durable.
pub fn notify(
    core: &Core,
    tx: &dyn Txn,
    user: UserId,
    id: NotificationId,
    what: NotificationKind,
    now: OffsetDateTime,
) -> Result<UserEvent, TxError> {
    let notification = Notification {
        id,
        what,
        created_at: now,
        read_at: None,
    };
    tx.put_json(
        Tree::UseridNotification,
        &notification_key(user, id),
        &notification,
    )?;
    tx.insert(
        Tree::UseridUnreadNotificationid,
        &key(&[&user.key(), &id.key()]),
        vec![],
    )?;
    let unread = tx.get_u64(Tree::UseridUnreadcount, &user.key())? + 1;
    tx.put_u64(Tree::UseridUnreadcount, &user.key(), unread)?;
    let body = UserEventBody::Notification {
        notification,
        unread,
    };
    events::append(tx, core.config.live.events_kept_per_user, user, now, body)
}

/// Publishes committed events to the live layer.
pub fn publish(core: &Core, user: UserId, events: Vec<UserEvent>) {
    core.bus.publish(
        events
            .into_iter()
            .map(|e| BusMessage::User(user, e))
            .collect(),
    );
}

/// User events appended inside a transaction, for several members, to publish once it is
/// durable (publishing earlier could show a change that then rolls back).
#[derive(Default)]
pub struct Pending(Vec<(UserId, UserEvent)>);

impl Pending {
    /// Appends a user event for `who` in the transaction.
    pub fn event(
        &mut self,
        core: &Core,
        tx: &dyn Txn,
        who: UserId,
        body: UserEventBody,
    ) -> Result<(), TxError> {
        let kept = core.config.live.events_kept_per_user;
        let event = events::append(tx, kept, who, core.clock.now(), body)?;
        self.0.push((who, event));
        Ok(())
    }

    /// Stores a notification for `who` in the transaction (see [`notify`]).
    pub fn notify(
        &mut self,
        core: &Core,
        tx: &dyn Txn,
        who: UserId,
        id: NotificationId,
        what: NotificationKind,
    ) -> Result<(), TxError> {
        let event = notify(core, tx, who, id, what, core.clock.now())?;
        self.0.push((who, event));
        Ok(())
    }

    /// Hands every event to the live layer, in the order they were appended.
    pub fn publish(self, core: &Core) {
        let messages = self
            .0
            .into_iter()
            .map(|(who, e)| BusMessage::User(who, e))
            .collect();
        core.bus.publish(messages);
    }
}

/// The member's notifications, newest first.
pub fn list(core: &Core, user: UserId, page: &PageQuery) -> Result<Page<Notification>, AppError> {
    let limit = page.limit(&core.config);
    let rows = core.store.scan_json::<Notification>(
        Tree::UseridNotification,
        &user.key(),
        page.after_key()?.as_deref(),
        limit + 1,
    )?;
    Ok(Page::from_rows(rows, limit))
}

/// An unread count and the user event it is current as of. A client that fetches the count
/// while live events arrive keeps it only if `seq` is not older than the last event it
/// applied; otherwise the count predates an event the client already counted in (the
/// double count HumHub shows when a fetch and a push cross).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Unread {
    pub unread: u64,
    /// The user's event sequence number this count corresponds to (0 before any event).
    pub seq: u64,
}

/// The unread count with its sequence number, read together: both change in the same
/// transactions, so one consistent read over the two keys never pairs a count with another
/// event's number.
pub fn unread(core: &Core, user: UserId) -> Result<Unread, AppError> {
    core.store
        .read(&[Tree::UseridUnreadcount, Tree::UseridLastseq], |tx| {
            Ok(Unread {
                unread: tx.get_u64(Tree::UseridUnreadcount, &user.key())?,
                seq: tx.get_u64(Tree::UseridLastseq, &user.key())?,
            })
        })
}

/// Marks the given notifications read (unknown or already-read ids are skipped) and tells
/// every open tab. Returns the new unread count with the seq of the event this appended, or
/// the current last seq when nothing changed.
pub fn mark_read(core: &Core, user: UserId, ids: &[NotificationId]) -> Result<Unread, AppError> {
    let now = core.clock.now();
    let kept = core.config.live.events_kept_per_user;
    let (unread, event) = core.store.transact(&TREES, |tx| {
        let mut unread = tx.get_u64(Tree::UseridUnreadcount, &user.key())?;
        let mut changed = Vec::new();
        for id in ids {
            let k = notification_key(user, *id);
            let Some(mut n) = tx.get_json::<Notification>(Tree::UseridNotification, &k)? else {
                continue;
            };
            if n.read_at.is_some() {
                continue;
            }
            n.read_at = Some(now);
            tx.put_json(Tree::UseridNotification, &k, &n)?;
            tx.remove(
                Tree::UseridUnreadNotificationid,
                &key(&[&user.key(), &id.key()]),
            )?;
            unread = unread.saturating_sub(1);
            changed.push(*id);
        }
        if changed.is_empty() {
            let seq = tx.get_u64(Tree::UseridLastseq, &user.key())?;
            return Ok((Unread { unread, seq }, None));
        }
        tx.put_u64(Tree::UseridUnreadcount, &user.key(), unread)?;
        let body = UserEventBody::NotificationsRead {
            ids: changed,
            unread,
        };
        let event = events::append(tx, kept, user, now, body)?;
        let seq = event.seq;
        Ok((Unread { unread, seq }, Some(event)))
    })?;
    publish(core, user, event.into_iter().collect());
    Ok(unread)
}

/// Marks every unread notification read.
pub fn mark_all_read(core: &Core, user: UserId) -> Result<Unread, AppError> {
    let ids: Vec<NotificationId> = core
        .store
        .scan_prefix(
            Tree::UseridUnreadNotificationid,
            &user.key(),
            None,
            usize::MAX,
        )?
        .into_iter()
        .filter_map(|(k, _)| NotificationId::from_key(&k[8..]))
        .collect();
    mark_read(core, user, &ids)
}

/// Creates one notification in its own transaction (for producers with nothing else to write).
pub fn create(core: &Core, user: UserId, what: NotificationKind) -> Result<(), AppError> {
    let id = NotificationId(core.store.next_id()?);
    let now = core.clock.now();
    let event = core
        .store
        .transact(&TREES, |tx| notify(core, tx, user, id, what.clone(), now))?;
    publish(core, user, vec![event]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;

    fn validated() -> NotificationKind {
        NotificationKind::Validated {
            country: "FR".into(),
            by: UserId(9),
        }
    }

    #[test]
    fn unread_counts_follow_creation_and_reading() {
        let (core, _) = testing::core();
        let ann = UserId(1);
        for _ in 0..3 {
            create(&core, ann, validated()).unwrap();
        }
        let count = |unread, seq| Unread { unread, seq };
        assert_eq!(unread(&core, ann).unwrap(), count(3, 3));
        let page = list(&core, ann, &PageQuery::default()).unwrap();
        assert_eq!(page.items.len(), 3);
        assert!(page.items[0].id.0 > page.items[2].id.0, "newest first");
        assert_eq!(
            mark_read(&core, ann, &[page.items[0].id]).unwrap(),
            count(2, 4)
        );
        assert_eq!(
            mark_read(&core, ann, &[page.items[0].id]).unwrap(),
            count(2, 4),
            "reading twice counts once, and appends no event"
        );
        assert_eq!(
            mark_read(&core, ann, &[NotificationId(424242)]).unwrap(),
            count(2, 4)
        );
        assert_eq!(mark_all_read(&core, ann).unwrap(), count(0, 5));
        assert_eq!(unread(&core, ann).unwrap(), count(0, 5));
        assert_eq!(unread(&core, UserId(2)).unwrap(), count(0, 0));
    }

    #[test]
    fn every_change_publishes_a_numbered_event() {
        let (core, _) = testing::core();
        let ann = UserId(1);
        create(&core, ann, validated()).unwrap();
        mark_all_read(&core, ann).unwrap();
        mark_all_read(&core, ann).unwrap();
        let published = testing::published(&core);
        let seqs: Vec<u64> = published
            .iter()
            .filter_map(|m| match m {
                BusMessage::User(u, e) if *u == ann => Some(e.seq),
                _ => None,
            })
            .collect();
        assert_eq!(seqs, [1, 2], "nothing to read publishes nothing");
    }
}
