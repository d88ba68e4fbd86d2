//! The sled backend. Trees are opened once at start; transactions use sled's multi-tree
//! transactions; durability comes from the group-commit flusher.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::Transactional;

use super::blob_sync::BlobSync;
use super::group_commit::GroupCommit;
use super::space::{Failure, SpaceWatch};
use super::{
    BackendTxError, BackendTxKind, BackupReport, Entries, Store, StoreError, StoreHealth, Tree,
    TxBody, TxError, Txn,
};
use crate::config::{Durability, StoreConfig};
use crate::error::AppError;

pub struct SledStore {
    /// Declared first so it drops first: waiting writers are served and the thread joined.
    group_commit: GroupCommit,
    db: sled::Db,
    trees: HashMap<Tree, sled::Tree>,
    /// The write barrier: every transaction holds it shared while it commits; a backup holds it
    /// exclusively while it copies, so the copy holds every write committed before it and
    /// none of the writes after (writers wait meanwhile; reads do not).
    barrier: RwLock<()>,
    /// Added to sled's id counter: a restored store starts a fresh counter, and the backup
    /// records here the next id the original would have given (`ID_BASE_KEY` in `meta`).
    id_base: u64,
    /// Blob files fsynced so far (tests read it; also a metric).
    blobs_synced: Arc<AtomicU64>,
    /// The free-space watermark over the store's file system (and those added by `watching`).
    space: SpaceWatch,
    /// Set by the first I/O error or stalled flush; the server then stops (see `space`).
    failure: Arc<Failure>,
    config: StoreConfig,
}

/// `meta` key of [`SledStore::id_base`] (8 bytes, big-endian), written by a backup.
pub(super) const ID_BASE_KEY: &[u8] = b"id_base";

impl Drop for SledStore {
    /// Graceful shutdown ends here: one last durable flush (blob files included), so even
    /// what was written relaxed, and any node sled rewrote since, reaches the disk.
    /// Not after a failure: sled's flush would fail again, or hang.
    fn drop(&mut self) {
        if self.failure.reason().is_some() {
            return;
        }
        if let Err(e) = self.group_commit.wait_durable() {
            tracing::error!(error = %e, "final durable flush failed");
        }
        if let Err(e) = self.db.flush() {
            tracing::error!(error = %e, "final store flush failed");
        }
    }
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl SledStore {
    pub fn open(cfg: &StoreConfig) -> Result<SledStore, StoreError> {
        // Watched before sled opens, so no blob file it writes goes unseen.
        let blobs_synced = Arc::new(AtomicU64::new(0));
        let blobs = match cfg.durability {
            Durability::Fsync => Some(
                BlobSync::watch(&cfg.path, blobs_synced.clone())
                    .map_err(|e| StoreError(format!("store {}: blobs: {e}", cfg.path.display())))?,
            ),
            Durability::Flush => None,
        };
        let db = sled::Config::new()
            .path(&cfg.path)
            .cache_capacity(cfg.cache_capacity_bytes)
            .open()
            .map_err(|e| {
                // sled reports its directory lock as an I/O error with this text.
                if e.to_string().contains("could not acquire lock") {
                    StoreError(format!(
                        "{} is in use by another twinhub process",
                        cfg.path.display()
                    ))
                } else {
                    err(e)
                }
            })?;
        let trees = Tree::ALL
            .iter()
            .map(|t| Ok((*t, db.open_tree(t.name()).map_err(err)?)))
            .collect::<Result<HashMap<_, _>, StoreError>>()?;
        let id_base = trees[&Tree::Meta]
            .get(ID_BASE_KEY)
            .map_err(err)?
            .map_or(0, |v| super::be_u64(&v));
        let stall = Duration::from_secs(cfg.stall_timeout_secs);
        let group_commit = GroupCommit::start(flush_fn(&db, &cfg.path, blobs)?, stall);
        Ok(SledStore {
            group_commit,
            db,
            trees,
            barrier: RwLock::new(()),
            id_base,
            blobs_synced,
            space: SpaceWatch::new(cfg, &[]),
            failure: Failure::new(),
            config: cfg.clone(),
        })
    }

    /// Watches these directories' file systems too (the search index, the mail outbox):
    /// writes are refused when any of them runs low.
    pub fn watching(mut self, also: &[&Path]) -> SledStore {
        self.space = SpaceWatch::new(&self.config, also);
        self
    }

    /// The failure record, which the server waits on to stop and exit.
    pub fn failure(&self) -> Arc<Failure> {
        Arc::clone(&self.failure)
    }

    /// Records an I/O error as the store's failure and hands it back as a `StoreError`.
    fn failed(&self, e: impl std::fmt::Display) -> StoreError {
        let e = err(e);
        self.failure.fail(&e.0);
        e
    }

    /// Blob files fsynced since the store was opened.
    pub fn blobs_synced(&self) -> u64 {
        self.blobs_synced.load(Ordering::Relaxed)
    }

    /// Writers hold the barrier shared while they commit (see `barrier`).
    fn writing(&self) -> Result<RwLockReadGuard<'_, ()>, StoreError> {
        self.barrier
            .read()
            .map_err(|_| StoreError("write barrier poisoned".into()))
    }

    /// Pauses every writer until the guard is dropped (a backup's copy).
    pub(super) fn pause_writers(&self) -> Result<RwLockWriteGuard<'_, ()>, StoreError> {
        self.barrier
            .write()
            .map_err(|_| StoreError("write barrier poisoned".into()))
    }

    pub(super) fn sled_tree(&self, tree: Tree) -> &sled::Tree {
        self.tree(tree)
    }

    fn tree(&self, tree: Tree) -> &sled::Tree {
        // Every `Tree` variant is opened in `open`, so the lookup cannot miss.
        &self.trees[&tree]
    }
}

/// sled's `flush` writes its buffers and calls `sync_file_range`, which survives a process
/// crash but not a power cut; in `fsync` mode (`blobs` given) we also fsync the blob files
/// written since the last flush (every one the flushed log can point to was closed before
/// its log buffer could be written) and their directory, then `fdatasync` the data file.
fn flush_fn(
    db: &sled::Db,
    path: &Path,
    blobs: Option<BlobSync>,
) -> Result<super::group_commit::FlushFn, StoreError> {
    let db = db.clone();
    let durable = match blobs {
        Some(blobs) => Some((blobs, File::open(path.join("db")).map_err(err)?)),
        None => None,
    };
    Ok(Box::new(move || {
        db.flush().map_err(err)?;
        if let Some((blobs, data_file)) = &durable {
            blobs.sync_new().map_err(err)?;
            data_file.sync_data().map_err(err)?;
        }
        Ok(())
    }))
}

struct SledTxn<'a> {
    declared: &'a [Tree],
    views: &'a [TransactionalTree],
}

impl SledTxn<'_> {
    fn view(&self, tree: Tree) -> Result<&TransactionalTree, TxError> {
        self.declared
            .iter()
            .position(|t| *t == tree)
            .map(|i| &self.views[i])
            .ok_or(TxError::Backend(BackendTxError(BackendTxKind::Undeclared(
                tree,
            ))))
    }
}

fn backend(e: sled::transaction::UnabortableTransactionError) -> TxError {
    TxError::Backend(BackendTxError(BackendTxKind::Sled(e)))
}

impl Txn for SledTxn<'_> {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, TxError> {
        Ok(self
            .view(tree)?
            .get(key)
            .map_err(backend)?
            .map(|v| v.to_vec()))
    }

    fn insert(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<(), TxError> {
        self.view(tree)?.insert(key, value).map_err(backend)?;
        Ok(())
    }

    fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), TxError> {
        self.view(tree)?.remove(key).map_err(backend)?;
        Ok(())
    }
}

/// Maps our body's error into sled's: a conflict goes back to sled (which retries the
/// body); everything else aborts the transaction and comes back to us unchanged.
fn to_sled(e: TxError) -> ConflictableTransactionError<TxError> {
    match e {
        TxError::Backend(BackendTxError(BackendTxKind::Sled(inner))) => inner.into(),
        other => ConflictableTransactionError::Abort(other),
    }
}

impl Store for SledStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tree(tree)
            .get(key)
            .map_err(|e| self.failed(e))?
            .map(|v| v.to_vec()))
    }

    fn scan_prefix(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, StoreError> {
        let iter = match after {
            Some(a) => self
                .tree(tree)
                .range::<&[u8], _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
            None => self.tree(tree).range::<&[u8], _>(prefix..),
        };
        let mut out = Vec::new();
        for item in iter {
            let (k, v) = item.map_err(|e| self.failed(e))?;
            if !k.starts_with(prefix) || out.len() >= limit {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    /// sled's own iterator, in one pass: paging through `scan_prefix` copied every key and
    /// value and sought its place again per page (a third of a rebuild's reading time).
    fn for_each_value(
        &self,
        tree: Tree,
        each: &mut dyn FnMut(&[u8]) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        for item in self.tree(tree).iter().values() {
            each(&item.map_err(|e| self.failed(e))?)?;
        }
        Ok(())
    }

    fn run_transaction(&self, trees: &[Tree], body: &TxBody<'_>) -> Result<(), TxError> {
        let _writing = self.writing().map_err(|e| TxError::Abort(e.into()))?;
        let handles: Vec<sled::Tree> = trees.iter().map(|t| self.tree(*t).clone()).collect();
        let result = handles.as_slice().transaction(|views| {
            let txn = SledTxn {
                declared: trees,
                views,
            };
            body(&txn).map_err(to_sled)
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(TxError::Abort(
                crate::error::AppError::StoreFailed(self.failed(e).0),
            )),
        }
    }

    /// A flush that fails or stalls (`store.stall_timeout_secs`) fails the store: sled keeps
    /// its error (or its stuck threads) until it is reopened.
    fn wait_durable(&self) -> Result<(), StoreError> {
        self.group_commit
            .wait_durable()
            .map_err(|e| self.failed(e.0))
    }

    /// Not behind the write barrier: a relaxed write is one key whose loss is harmless, so a
    /// backup may or may not hold it, and a request that touches its session's last-seen
    /// time does not wait for a backup.
    fn insert_relaxed(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<(), StoreError> {
        self.tree(tree)
            .insert(key, value)
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    fn next_id(&self) -> Result<u64, StoreError> {
        // sled's ids are unique across restarts (it persists reserved ranges); +1 keeps 0
        // unused; `id_base` keeps a restored store's ids above those it holds.
        Ok(self.id_base + self.db.generate_id().map_err(|e| self.failed(e))? + 1)
    }

    fn backup(&self, target: &Path) -> Result<BackupReport, StoreError> {
        super::backup::copy_into(self, target)
    }

    fn admit_write(&self) -> Result<(), crate::error::AppError> {
        self.failure.admit()?;
        self.space.admit()
    }

    fn failure_reason(&self) -> Option<String> {
        self.failure.reason().map(str::to_string)
    }

    fn health(&self) -> StoreHealth {
        StoreHealth {
            space: Some(self.space.status()),
            failed: self.failure_reason(),
        }
    }
}
