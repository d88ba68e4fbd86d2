//! Writes that ride along with the first transaction a request commits.
//!
//! An `Idempotency-Key` must be recorded in the *same* transaction as the work it guards:
//! recorded after it, a crash in between leaves the work done and the key unknown, and the
//! client's retry does the work twice (issue 15: a kill -9 during a mail send). Services do
//! not know about keys, so the HTTP layer installs the key's record as a rider for the
//! request (`with`), and [`Store::transact`](super::Store) writes it with the first
//! member's transaction that commits, then drops it: later transactions of the same request
//! do not repeat it.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use super::{Tree, TxError, Txn};

/// The writes of one rider: (tree, key, value).
#[derive(Clone, Default)]
pub struct Rider {
    writes: Vec<(Tree, Vec<u8>, Vec<u8>)>,
}

impl Rider {
    pub fn new(writes: Vec<(Tree, Vec<u8>, Vec<u8>)>) -> Rider {
        Rider { writes }
    }

    pub(super) fn trees(&self) -> impl Iterator<Item = Tree> + '_ {
        self.writes.iter().map(|(t, _, _)| *t)
    }

    pub(super) fn write(&self, tx: &dyn Txn) -> Result<(), TxError> {
        for (tree, key, value) in &self.writes {
            tx.insert(*tree, key, value.clone())?;
        }
        Ok(())
    }
}

/// A request's rider, shared between the request's task and the blocking threads that run
/// its service calls; empty once written.
pub type Slot = Arc<Mutex<Option<Rider>>>;

thread_local! {
    static CURRENT: RefCell<Option<Slot>> = const { RefCell::new(None) };
}

/// Runs `f` (a request's service call, on a blocking thread) with `slot` as its rider.
pub fn with<T>(slot: Option<Slot>, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| c.replace(slot));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

/// The rider still to be written, if the running call has one.
pub(super) fn current() -> Option<Rider> {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .and_then(|slot| slot.lock().ok().and_then(|r| r.clone()))
    })
}

/// The rider was committed: later transactions of the request go without it.
pub(super) fn taken() {
    CURRENT.with(|c| {
        if let Some(slot) = c.borrow().as_ref() {
            if let Ok(mut r) = slot.lock() {
                *r = None;
            }
        }
    });
}
