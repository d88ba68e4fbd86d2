//! `Idempotency-Key` records: a retried request is answered with the first answer instead of
//! doing its work again (IETF httpapi draft "The Idempotency-Key HTTP Header Field", as
//! Stripe-style APIs use it).
//!
//! A record is keyed by member and key. It is first written *with* the request's work, in
//! the same transaction (the store's rider, `crate::store::rider`), holding the request's
//! fingerprint; the answer is added when the request has been answered. So after a crash
//! between the two, the retry finds the work done and is told so (409), never doing it
//! twice. Records expire after `limits.idempotency_key_secs`; a sweep removes them.

use serde::{Deserialize, Serialize};

use super::Core;
use crate::error::AppError;
use crate::ids::UserId;
use crate::store::rider::Rider;
use crate::store::{key, Tree};

/// What is kept of a request sent with a key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IdempotencyRecord {
    /// BLAKE2b-256 of method, path and body, hex: the same key with another request is refused.
    pub fingerprint: String,
    pub created_ms: u64,
    /// The answer, once given (none while in flight, or when it was lost in a crash).
    pub answer: Option<StoredAnswer>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    /// The body as sent (the API's answers are JSON text).
    pub body: String,
}

/// What makes two requests the same one: method, path with query, and body (BLAKE2b-256, hex).
pub fn fingerprint(method: &str, uri: &str, body: &[u8]) -> String {
    use blake2::{Blake2b, Digest};
    let mut h = Blake2b::<blake2::digest::consts::U32>::new();
    h.update(method);
    h.update([0]);
    h.update(uri);
    h.update([0]);
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn record_key(user: UserId, idem_key: &str) -> Vec<u8> {
    key(&[&user.key(), idem_key.as_bytes()])
}

fn expiry_key(created_ms: u64, user: UserId, idem_key: &str) -> Vec<u8> {
    key(&[&created_ms.to_be_bytes(), &user.key(), idem_key.as_bytes()])
}

fn now_ms(core: &Core) -> u64 {
    (core.clock.now().unix_timestamp_nanos() / 1_000_000).max(0) as u64
}

fn ttl_ms(core: &Core) -> u64 {
    core.config.limits.idempotency_key_secs.saturating_mul(1000)
}

/// The member's record for `idem_key`, unless it has expired.
pub fn lookup(
    core: &Core,
    user: UserId,
    idem_key: &str,
) -> Result<Option<IdempotencyRecord>, AppError> {
    let record: Option<IdempotencyRecord> = core
        .store
        .get_json(Tree::UseridIdempotencykey, &record_key(user, idem_key))?;
    let fresh_after = now_ms(core).saturating_sub(ttl_ms(core));
    Ok(record.filter(|r| r.created_ms >= fresh_after))
}

/// The rider that records the key with the request's first committed transaction.
pub fn rider(
    core: &Core,
    user: UserId,
    idem_key: &str,
    fingerprint: &str,
) -> Result<Rider, AppError> {
    let created_ms = now_ms(core);
    let record = IdempotencyRecord {
        fingerprint: fingerprint.to_string(),
        created_ms,
        answer: None,
    };
    Ok(Rider::new(vec![
        (
            Tree::UseridIdempotencykey,
            record_key(user, idem_key),
            crate::store::encode(&record)?,
        ),
        (
            Tree::CreatedUseridIdempotencykey,
            expiry_key(created_ms, user, idem_key),
            Vec::new(),
        ),
    ]))
}

/// Stores the answer given to the request. A small write of the server's own (it goes on
/// when disk space is low: the work it answers for is done), and not waited for: the answer
/// reaches the disk with the next flush, and a crash before that makes a retry hear that
/// the work was done (409) rather than do it again, for the price of no second fsync.
pub fn answer(
    core: &Core,
    user: UserId,
    idem_key: &str,
    fingerprint: &str,
    answer: StoredAnswer,
) -> Result<(), AppError> {
    let rkey = record_key(user, idem_key);
    core.store.transact_relaxed(
        &[
            Tree::UseridIdempotencykey,
            Tree::CreatedUseridIdempotencykey,
        ],
        |tx| {
            // A record written with the work keeps its creation time (and expiry entry).
            let created_ms =
                match tx.get_json::<IdempotencyRecord>(Tree::UseridIdempotencykey, &rkey)? {
                    Some(r) if r.fingerprint == fingerprint => r.created_ms,
                    _ => {
                        let created = now_ms(core);
                        tx.insert(
                            Tree::CreatedUseridIdempotencykey,
                            &expiry_key(created, user, idem_key),
                            Vec::new(),
                        )?;
                        created
                    }
                };
            let record = IdempotencyRecord {
                fingerprint: fingerprint.to_string(),
                created_ms,
                answer: Some(answer.clone()),
            };
            tx.put_json(Tree::UseridIdempotencykey, &rkey, &record)
        },
    )
}

/// Removes up to `batch` expired records; returns how many. Run periodically.
pub fn sweep(core: &Core, batch: usize) -> Result<usize, AppError> {
    let cutoff = now_ms(core).saturating_sub(ttl_ms(core));
    let expired: Vec<Vec<u8>> = core
        .store
        .scan_prefix(Tree::CreatedUseridIdempotencykey, &[], None, batch)?
        .into_iter()
        .map(|(k, _)| k)
        .take_while(|k| crate::store::be_u64(k) < cutoff)
        .collect();
    if expired.is_empty() {
        return Ok(0);
    }
    core.store.transact_upkeep(
        &[
            Tree::UseridIdempotencykey,
            Tree::CreatedUseridIdempotencykey,
        ],
        |tx| {
            for k in &expired {
                tx.remove(Tree::CreatedUseridIdempotencykey, k)?;
                let record_key = &k[8..];
                // A key used again after expiry has a newer record: leave that one.
                let current =
                    tx.get_json::<IdempotencyRecord>(Tree::UseridIdempotencykey, record_key)?;
                if current.is_some_and(|r| r.created_ms < cutoff) {
                    tx.remove(Tree::UseridIdempotencykey, record_key)?;
                }
            }
            Ok(())
        },
    )?;
    Ok(expired.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;

    #[test]
    fn a_record_is_kept_with_its_answer_and_swept_once_expired() {
        let (core, clock) = testing::core();
        let user = UserId(7);
        let rider = rider(&core, user, "k-1", "f1").unwrap();
        crate::store::rider::with(
            Some(std::sync::Arc::new(std::sync::Mutex::new(Some(rider)))),
            || {
                core.store
                    .transact(&[Tree::Meta], |tx| tx.insert(Tree::Meta, b"work", vec![1]))
            },
        )
        .unwrap();
        let written = lookup(&core, user, "k-1")
            .unwrap()
            .expect("written with the work");
        assert_eq!(
            (written.fingerprint.as_str(), written.answer.as_ref()),
            ("f1", None)
        );
        let given = StoredAnswer {
            status: 201,
            content_type: Some("application/json".into()),
            body: "{}".into(),
        };
        answer(&core, user, "k-1", "f1", given.clone()).unwrap();
        let kept = lookup(&core, user, "k-1").unwrap().unwrap();
        assert_eq!(kept.answer, Some(given));
        assert_eq!(
            kept.created_ms, written.created_ms,
            "the creation time is kept"
        );
        assert_eq!(
            lookup(&core, UserId(8), "k-1").unwrap(),
            None,
            "keys are per member"
        );

        assert_eq!(sweep(&core, 100).unwrap(), 0, "nothing has expired yet");
        clock.advance(time::Duration::seconds(
            core.config.limits.idempotency_key_secs as i64 + 1,
        ));
        assert_eq!(
            lookup(&core, user, "k-1").unwrap(),
            None,
            "expired records are not used"
        );
        assert_eq!(sweep(&core, 100).unwrap(), 1);
        assert!(core
            .store
            .get(Tree::UseridIdempotencykey, &record_key(user, "k-1"))
            .unwrap()
            .is_none());
    }

    #[test]
    fn the_rider_is_written_once_per_request() {
        let (core, _) = testing::core();
        let rider = rider(&core, UserId(7), "k-2", "f").unwrap();
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(rider)));
        crate::store::rider::with(Some(slot.clone()), || {
            core.store
                .transact(&[Tree::Meta], |tx| tx.insert(Tree::Meta, b"a", vec![]))
        })
        .unwrap();
        assert!(slot.lock().unwrap().is_none(), "taken by the first commit");
        // A refused transaction does not take it.
        let rider = super::rider(&core, UserId(7), "k-3", "f").unwrap();
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(rider)));
        let refused: Result<(), AppError> = crate::store::rider::with(Some(slot.clone()), || {
            core.store.transact(&[Tree::Meta], |_| {
                Err(AppError::Conflict("no".into()).into())
            })
        });
        assert!(refused.is_err());
        assert!(slot.lock().unwrap().is_some(), "still to be written");
        assert_eq!(
            lookup(&core, UserId(7), "k-3").unwrap(),
            None,
            "nothing half-written"
        );
    }
}
