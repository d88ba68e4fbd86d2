//! In-memory backend for unit tests: one mutex over all trees makes every transaction
//! serial, and writes are staged in an overlay applied only if the body succeeds.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::{
    BackendTxError, BackendTxKind, Entries, Store, StoreError, Tree, TxBody, TxError, Txn,
};

type Trees = HashMap<Tree, BTreeMap<Vec<u8>, Vec<u8>>>;
/// Staged writes of a transaction; `None` is a removal.
type Overlay = BTreeMap<(Tree, Vec<u8>), Option<Vec<u8>>>;

#[derive(Default)]
pub struct MemoryStore {
    trees: Mutex<Trees>,
    ids: AtomicU64,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Trees>, StoreError> {
        self.trees
            .lock()
            .map_err(|_| StoreError("memory store poisoned".into()))
    }
}

struct MemTxn<'a> {
    base: &'a Trees,
    declared: &'a [Tree],
    overlay: Mutex<Overlay>,
}

impl MemTxn<'_> {
    fn check(&self, tree: Tree) -> Result<(), TxError> {
        if self.declared.contains(&tree) {
            Ok(())
        } else {
            Err(TxError::Backend(BackendTxError(BackendTxKind::Undeclared(
                tree,
            ))))
        }
    }

    fn stage(&self, tree: Tree, key: &[u8], value: Option<Vec<u8>>) -> Result<(), TxError> {
        self.check(tree)?;
        self.overlay
            .lock()
            .map_err(|_| TxError::Abort(crate::error::AppError::internal("overlay poisoned")))?
            .insert((tree, key.to_vec()), value);
        Ok(())
    }
}

impl Txn for MemTxn<'_> {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, TxError> {
        self.check(tree)?;
        let overlay = self
            .overlay
            .lock()
            .map_err(|_| TxError::Abort(crate::error::AppError::internal("overlay poisoned")))?;
        if let Some(staged) = overlay.get(&(tree, key.to_vec())) {
            return Ok(staged.clone());
        }
        Ok(self.base.get(&tree).and_then(|t| t.get(key)).cloned())
    }

    fn insert(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<(), TxError> {
        self.stage(tree, key, Some(value))
    }

    fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), TxError> {
        self.stage(tree, key, None)
    }
}

impl Store for MemoryStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock()?.get(&tree).and_then(|t| t.get(key)).cloned())
    }

    fn scan_prefix(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, StoreError> {
        let trees = self.lock()?;
        let Some(t) = trees.get(&tree) else {
            return Ok(Vec::new());
        };
        Ok(t.range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| after.is_none_or(|a| k.as_slice() > a))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn run_transaction(&self, trees: &[Tree], body: &TxBody<'_>) -> Result<(), TxError> {
        let mut guard = self
            .lock()
            .map_err(|e| TxError::Abort(crate::error::AppError::internal(e)))?;
        let txn = MemTxn {
            base: &guard,
            declared: trees,
            overlay: Mutex::new(BTreeMap::new()),
        };
        body(&txn)?;
        let staged = txn
            .overlay
            .into_inner()
            .map_err(|_| TxError::Abort(crate::error::AppError::internal("overlay poisoned")))?;
        for ((tree, key), value) in staged {
            let t = guard.entry(tree).or_default();
            match value {
                Some(v) => t.insert(key, v),
                None => t.remove(&key),
            };
        }
        Ok(())
    }

    fn wait_durable(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn insert_relaxed(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<(), StoreError> {
        self.lock()?
            .entry(tree)
            .or_default()
            .insert(key.to_vec(), value);
        Ok(())
    }

    fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.ids.fetch_add(1, Ordering::Relaxed) + 1)
    }
}
