//! A consistent copy of the sled store, taken by the running server (sled locks its
//! directory, so no other process can read it meanwhile).
//!
//! Writers are paused (the store's write barrier, held exclusively) only while every tree is
//! copied into a new sled database; the copy is then flushed and fsynced with writers running
//! again. The copy is itself a store directory: `twinhub restore` puts it in place.

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use utoipa::ToSchema;

use super::sled_store::{SledStore, ID_BASE_KEY};
use super::{Store, StoreError, Tree};

/// What a backup wrote.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct BackupReport {
    /// Key-value records copied, over every tree.
    pub records: u64,
    /// Their keys' and values' bytes.
    pub bytes: u64,
    /// How long writers waited for the copy (milliseconds).
    pub paused_ms: u64,
}

/// Records written to the copy per batch: big enough to be cheap, small enough to bound the
/// memory a tree of pictures takes.
const BATCH_RECORDS: usize = 1_000;
const BATCH_BYTES: u64 = 16 << 20;

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("backup: {e}"))
}

/// Copies every tree of `store` into a new sled database in `target` (existing and empty),
/// with writers paused, then makes the copy durable.
pub(super) fn copy_into(store: &SledStore, target: &Path) -> Result<BackupReport, StoreError> {
    let copy = sled::Config::new().path(target).open().map_err(err)?;
    let mut report = BackupReport::default();
    {
        let started = Instant::now();
        let _paused = store.pause_writers()?;
        for tree in Tree::ALL {
            let to = copy.open_tree(tree.name()).map_err(err)?;
            copy_tree(store.sled_tree(tree), &to, &mut report)?;
        }
        // Every id in the copy was given before now: a restored store counts on from here.
        let next_id = store.next_id()?;
        copy.open_tree(Tree::Meta.name())
            .map_err(err)?
            .insert(ID_BASE_KEY, &next_id.to_be_bytes())
            .map_err(err)?;
        report.paused_ms = started.elapsed().as_millis() as u64;
    }
    copy.flush().map_err(err)?;
    drop(copy);
    sync_dir_tree(target).map_err(err)?;
    Ok(report)
}

fn copy_tree(
    from: &sled::Tree,
    to: &sled::Tree,
    report: &mut BackupReport,
) -> Result<(), StoreError> {
    let mut batch = sled::Batch::default();
    let (mut records, mut bytes) = (0usize, 0u64);
    for item in from.iter() {
        let (k, v) = item.map_err(err)?;
        report.records += 1;
        let size = (k.len() + v.len()) as u64;
        report.bytes += size;
        bytes += size;
        records += 1;
        batch.insert(k, v);
        if records >= BATCH_RECORDS || bytes >= BATCH_BYTES {
            to.apply_batch(std::mem::take(&mut batch)).map_err(err)?;
            (records, bytes) = (0, 0);
        }
    }
    to.apply_batch(batch).map_err(err)
}

/// Fsyncs every file and directory under `dir` (and `dir` itself), children first: what a
/// backup or a restore wrote survives a power cut once this returns.
pub fn sync_dir_tree(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_dir_tree(&entry.path())?;
        } else if kind.is_file() {
            File::open(entry.path())?.sync_all()?;
        }
    }
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn open(dir: &Path) -> SledStore {
        let mut cfg = Config::defaults().store;
        cfg.path = dir.to_path_buf();
        SledStore::open(&cfg).unwrap()
    }

    /// One record in every tree (a 1 MiB value among them, which sled keeps as a blob file),
    /// backed up and opened again: every tree holds exactly what the original held, and the
    /// copy gives ids above every id the original gave.
    #[test]
    fn a_backup_holds_every_tree_and_counts_ids_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir.path().join("data"));
        let mut last_id = 0;
        for (i, tree) in Tree::ALL.iter().enumerate() {
            last_id = store.next_id().unwrap();
            let value = match tree {
                Tree::UseridPicture => vec![0xAB; 1 << 20],
                _ => format!("{} {i}", tree.name()).into_bytes(),
            };
            let key = last_id.to_be_bytes();
            let insert = |tx: &dyn super::super::Txn| tx.insert(*tree, &key, value.clone());
            store.run_transaction(&[*tree], &insert).unwrap();
        }
        store.wait_durable().unwrap();
        let target = dir.path().join("backup");
        std::fs::create_dir(&target).unwrap();
        let report = store.backup(&target).unwrap();
        assert_eq!(report.records, Tree::ALL.len() as u64);
        assert!(report.bytes > 1 << 20);

        let copy = open(&target);
        for tree in Tree::ALL {
            let original = store.scan_prefix(tree, &[], None, 100).unwrap();
            let mut copied = copy.scan_prefix(tree, &[], None, 100).unwrap();
            if tree == Tree::Meta {
                copied.retain(|(k, _)| k != ID_BASE_KEY);
            }
            assert_eq!(original, copied, "tree {}", tree.name());
        }
        assert!(copy.next_id().unwrap() > last_id);
    }

    /// The fsync path runs for real: a committed 1 MiB value went to a blob file, which was
    /// fsynced (by the watcher or by the acknowledging flush, which waits for the watcher)
    /// before the write returned; sled itself never fsyncs it.
    #[test]
    fn a_large_values_blob_file_is_fsynced_before_the_write_is_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let before = store.blobs_synced();
        let store_dyn: &dyn Store = &store;
        store_dyn
            .transact(&[Tree::UseridPicture], |tx| {
                tx.insert(Tree::UseridPicture, b"someone", vec![1; 1 << 20])
            })
            .unwrap();
        let blobs = std::fs::read_dir(dir.path().join("blobs")).unwrap().count();
        assert!(blobs >= 1, "sled kept the 1 MiB value in a blob file");
        assert!(
            store.blobs_synced() > before,
            "fsynced before the acknowledgement"
        );
    }
}
