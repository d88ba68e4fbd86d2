//! Per-user events: appended inside the transaction that caused them (so state and event
//! commit together), numbered 1, 2, 3, ... per user, pruned to the last
//! `live.events_kept_per_user`, and replayed to a reconnecting client.

use time::OffsetDateTime;

use super::Core;
use crate::domain::event::{UserEvent, UserEventBody};
use crate::error::AppError;
use crate::ids::UserId;
use crate::store::{be_u64, key, Tree, TxError, Txn};

/// The trees an event append touches; add them to the transaction's declared trees.
pub const TREES: [Tree; 2] = [Tree::UseridSeqEvent, Tree::UseridLastseq];

/// Appends an event for `user` in the current transaction and returns it (to publish after
/// the commit is durable).
pub fn append(
    tx: &dyn Txn,
    kept: u64,
    user: UserId,
    at: OffsetDateTime,
    body: UserEventBody,
) -> Result<UserEvent, TxError> {
    let seq = tx.get_u64(Tree::UseridLastseq, &user.key())? + 1;
    let event = UserEvent { seq, at, body };
    tx.put_json(
        Tree::UseridSeqEvent,
        &key(&[&user.key(), &seq.to_be_bytes()]),
        &event,
    )?;
    tx.put_u64(Tree::UseridLastseq, &user.key(), seq)?;
    if seq > kept {
        // Exactly one event falls out of the window per append, so a point removal suffices.
        tx.remove(
            Tree::UseridSeqEvent,
            &key(&[&user.key(), &(seq - kept).to_be_bytes()]),
        )?;
    }
    Ok(event)
}

pub fn last_seq(core: &Core, user: UserId) -> Result<u64, AppError> {
    Ok(core
        .store
        .get(Tree::UseridLastseq, &user.key())?
        .map(|v| be_u64(&v))
        .unwrap_or(0))
}

/// What a client that last saw `after` needs.
#[derive(Debug, PartialEq)]
pub enum Replay {
    /// Every event after `after`, in order (possibly none).
    Events(Vec<UserEvent>),
    /// `after` is older than what is kept: reload state, then resume from `last_seq`.
    Resync { last_seq: u64 },
}

/// The events after `after`, or a resync when some of them are no longer kept.
pub fn since(core: &Core, user: UserId, after: u64) -> Result<Replay, AppError> {
    let last = last_seq(core, user)?;
    if after > last {
        // The client claims events never issued (another server's numbers, a restored
        // backup): its state cannot be trusted, so it reloads.
        return Ok(Replay::Resync { last_seq: last });
    }
    if after == last {
        return Ok(Replay::Events(Vec::new()));
    }
    let kept = core.config.live.events_kept_per_user;
    let oldest_kept = last.saturating_sub(kept) + 1;
    if after + 1 < oldest_kept {
        return Ok(Replay::Resync { last_seq: last });
    }
    let start = key(&[&user.key(), &after.to_be_bytes()]);
    let events: Vec<UserEvent> = core
        .store
        .scan_json::<UserEvent>(
            Tree::UseridSeqEvent,
            &user.key(),
            Some(&start),
            (last - after) as usize,
        )?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    // A gap means events were pruned between the two reads: the client must resync.
    let contiguous = events
        .iter()
        .zip(after + 1..)
        .all(|(e, want)| e.seq == want);
    if !contiguous {
        return Ok(Replay::Resync { last_seq: last });
    }
    Ok(Replay::Events(events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NotificationId;
    use crate::service::testing;

    fn push(core: &Core, user: UserId, n: usize) {
        let kept = core.config.live.events_kept_per_user;
        for _ in 0..n {
            core.store
                .transact(&TREES, |tx| {
                    let body = UserEventBody::NotificationsRead {
                        ids: vec![NotificationId(1)],
                        unread: 0,
                    };
                    append(tx, kept, user, OffsetDateTime::UNIX_EPOCH, body)
                })
                .unwrap();
        }
    }

    #[test]
    fn replay_gives_exactly_the_missed_events_in_order() {
        let (core, _) = testing::core();
        let (ann, bob) = (UserId(1), UserId(2));
        push(&core, ann, 5);
        push(&core, bob, 2);
        let Replay::Events(events) = since(&core, ann, 2).unwrap() else {
            panic!("events")
        };
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(since(&core, ann, 5).unwrap(), Replay::Events(vec![]));
        assert_eq!(
            since(&core, ann, 99).unwrap(),
            Replay::Resync { last_seq: 5 }
        );
        assert_eq!(last_seq(&core, bob).unwrap(), 2);
    }

    #[test]
    fn too_old_a_resume_point_asks_for_a_resync() {
        let (mut core, _) = testing::core();
        let mut cfg = (*core.config).clone();
        cfg.live.events_kept_per_user = 3;
        core.config = std::sync::Arc::new(cfg);
        let ann = UserId(1);
        push(&core, ann, 10);
        assert_eq!(
            since(&core, ann, 6).unwrap(),
            Replay::Resync { last_seq: 10 }
        );
        let Replay::Events(events) = since(&core, ann, 7).unwrap() else {
            panic!("events")
        };
        assert_eq!(events.len(), 3);
        let stored = core
            .store
            .scan_prefix(Tree::UseridSeqEvent, &ann.key(), None, 100)
            .unwrap();
        assert_eq!(stored.len(), 3, "older events are pruned");
    }
}
