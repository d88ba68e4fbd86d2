//! Search (R5, R6, R8): a tantivy index of people, partner-finding postings and groups
//! (projects when they exist), fed only through the indexer.
//!
//! How a change reaches the index without ever being lost:
//!
//! ```text
//! service transaction ── writes the item ─┐ one sled transaction:
//!                     └─ mark(item) ──────┘ both or neither
//!        │ after the commit: Search::changed()
//!        ▼
//! indexer actor (owns the one IndexWriter) ── after commit_delay_ms or commit_batch marks:
//!        reads the marked items from the store, replaces their documents, commits,
//!        reloads the reader, then removes the marks it handled
//! ```
//!
//! A crash between the item's commit and the index commit leaves the mark, and the indexer
//! handles it at the next start. The index is derived data: missing, of an older
//! [`schema::SCHEMA_VERSION`], or built from another store, it is rebuilt at start.
//!
//! - [`schema`]: fields and the folding analyzer.
//! - [`documents`]: what of each item is indexed, and its result card.
//! - [`indexer`]: the actor, and the full rebuild.
//! - [`query`]: queries built from words (never tantivy's query syntax), filters.
//! - [`facets`]: filter values as bit masks, counted per result set.
//! - [`segments`]: what is decoded once per segment (masks, ids).
//! - [`newest`]: the page of a browse, newest first.

pub mod documents;
pub mod facets;
pub mod indexer;
mod newest;
pub mod query;
pub mod schema;
mod segments;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use actix::Recipient;
use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};

use crate::config::SearchConfig;
use crate::error::AppError;
use crate::store::{Store, Tree, TxError, Txn};
pub use documents::DocRef;
use indexer::Changed;
use schema::Fields;

/// The index, its reader, and the way to the indexer.
pub struct Search {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Where the index lives (`None` in memory); its stamp file is written there.
    dir: Option<PathBuf>,
    /// Decoded filter masks per segment, for facet counts (`facets`).
    masks: Arc<facets::MaskCache>,
    /// Every document's id per segment (browsing newest first; `query::Search::top_ids`).
    ids: Arc<newest::IdCache>,
    /// Set once the indexer runs (not in unit tests or the CLI, which index directly).
    indexer: OnceLock<Recipient<Changed>>,
}

/// What the index directory records about the index in it.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Stamp {
    schema_version: u32,
    /// The store the index was built from (see [`store_instance`]).
    store_instance: u64,
}

const STAMP_FILE: &str = "twinhub-index.json";
const STORE_INSTANCE_KEY: &[u8] = b"store_instance";

/// Marks an item to be (re)indexed, inside the transaction that changes it. The value is a
/// fresh token, so the indexer removes a mark only if nobody marked the item again while it
/// was indexing it.
pub fn mark(tx: &dyn Txn, item: DocRef) -> Result<(), TxError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut token = nanos.to_be_bytes().to_vec();
    token.extend_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    tx.insert(Tree::SearchPending, &item.key(), token)
}

impl Search {
    /// Opens the index in `cfg.index_dir`, rebuilding it from `store` when it is missing,
    /// unreadable, of another schema version or built from another store.
    pub fn open(cfg: &SearchConfig, store: &dyn Store) -> Result<Search, AppError> {
        let dir = &cfg.index_dir;
        let instance = store_instance(store)?;
        let wanted = Stamp {
            schema_version: schema::SCHEMA_VERSION,
            store_instance: instance,
        };
        if read_stamp(dir).as_ref() == Some(&wanted) {
            match Index::open_in_dir(dir) {
                Ok(index) => return Search::over(index, Some(dir.clone())),
                Err(e) => tracing::warn!(error = %e, "search index unreadable; rebuilding"),
            }
        } else {
            tracing::info!(dir = %dir.display(), "search index missing or outdated; rebuilding from the store");
        }
        let search = Search::create_in_dir(dir)?;
        search.rebuild(store, cfg, &|_| {})?;
        Ok(search)
    }

    /// An empty index in `dir` (a previous index in it deleted).
    pub fn create_in_dir(dir: &Path) -> Result<Search, AppError> {
        clear_dir(dir)?;
        let (schema, _) = schema::build();
        let index = Index::create_in_dir(dir, schema).map_err(AppError::internal)?;
        Search::over(index, Some(dir.to_path_buf()))
    }

    /// How many documents the index in `dir` holds, when there is one: what a rebuild can
    /// expect to index, for its progress bar (counting the store's items would be one more
    /// pass over them, a tenth of a rebuild's time). Reads only the index's metadata.
    pub fn documents_in(dir: &Path) -> Option<u64> {
        let metas = Index::open_in_dir(dir)
            .ok()?
            .searchable_segment_metas()
            .ok()?;
        Some(metas.iter().map(|m| u64::from(m.num_docs())).sum())
    }

    /// The index already in `dir`, as it is (benchmarks; the server uses [`Search::open`]).
    pub fn open_existing(dir: &Path) -> Result<Search, AppError> {
        let index = Index::open_in_dir(dir).map_err(AppError::internal)?;
        Search::over(index, Some(dir.to_path_buf()))
    }

    /// An index in memory (unit tests).
    pub fn in_ram() -> Result<Search, AppError> {
        let (schema, _) = schema::build();
        Search::over(Index::create_in_ram(schema), None)
    }

    fn over(index: Index, dir: Option<PathBuf>) -> Result<Search, AppError> {
        schema::register_analyzer(&index);
        let (_, fields) = schema::build();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(AppError::internal)?;
        Ok(Search {
            index,
            reader,
            fields,
            dir,
            masks: Arc::default(),
            ids: Default::default(),
            indexer: OnceLock::new(),
        })
    }

    /// A writer for the indexer (or a rebuild): tantivy allows one per index.
    pub fn writer(&self, threads: usize, memory_bytes: usize) -> Result<IndexWriter, AppError> {
        self.index
            .writer_with_num_threads(threads.max(1), memory_bytes)
            .map_err(AppError::internal)
    }

    /// Tells the indexer that marks were committed (call it after the transaction).
    pub fn changed(&self) {
        if let Some(indexer) = self.indexer.get() {
            indexer.do_send(Changed);
        }
    }

    pub(crate) fn set_indexer(&self, indexer: Recipient<Changed>) {
        let _ = self.indexer.set(indexer);
    }

    /// Makes the last commit visible to searches.
    pub(crate) fn reload(&self) -> Result<(), AppError> {
        self.reader.reload().map_err(AppError::internal)?;
        let live = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        self.masks.retain(&live);
        self.ids.retain(&live);
        Ok(())
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Documents in the index (the last commit seen).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Builds the index anew from every item in the store; `progress(done)` is called as it
    /// goes. Clears every mark: the new index holds the store as it is now, so it must
    /// run while nothing writes (at start, or in `twinhub reindex` with the server stopped).
    pub fn rebuild(
        &self,
        store: &dyn Store,
        cfg: &SearchConfig,
        progress: &dyn Fn(u64),
    ) -> Result<u64, AppError> {
        let started = std::time::Instant::now();
        let mut writer = self.writer(cfg.rebuild_threads, cfg.rebuild_memory_bytes)?;
        let n = indexer::rebuild(self, store, &mut writer, progress)?;
        let committed = started.elapsed();
        writer.wait_merging_threads().map_err(AppError::internal)?;
        tracing::info!(
            documents = n,
            indexed_and_committed_secs = committed.as_secs_f64(),
            merged_secs = (started.elapsed() - committed).as_secs_f64(),
            "search index rebuilt"
        );
        self.reload()?;
        indexer::clear_marks(store)?;
        if let Some(dir) = &self.dir {
            write_stamp(
                dir,
                &Stamp {
                    schema_version: schema::SCHEMA_VERSION,
                    store_instance: store_instance(store)?,
                },
            )?;
        }
        Ok(n)
    }
}

/// A number naming this store, made once and kept in it: an index built from another store
/// (a restored backup, a fresh data directory) is not trusted.
fn store_instance(store: &dyn Store) -> Result<u64, AppError> {
    if let Some(v) = store.get(Tree::Meta, STORE_INSTANCE_KEY)? {
        return Ok(crate::store::be_u64(&v));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let made = nanos ^ store.next_id()?.rotate_left(32);
    store.transact_upkeep(&[Tree::Meta], |tx| {
        // Another caller may have made it first; keep theirs.
        match tx.get(Tree::Meta, STORE_INSTANCE_KEY)? {
            Some(v) => Ok(crate::store::be_u64(&v)),
            None => {
                tx.put_u64(Tree::Meta, STORE_INSTANCE_KEY, made)?;
                Ok(made)
            }
        }
    })
}

/// Makes the store forget which index was built from it (a restored store: its backup was
/// taken from a store whose index may be anywhere, and newer), so the next start rebuilds it.
pub fn forget_index(store: &dyn Store) -> Result<(), AppError> {
    // Upkeep: a restore that has put the store in place must finish, even short of space.
    store.transact_upkeep(&[Tree::Meta], |tx| {
        tx.remove(Tree::Meta, STORE_INSTANCE_KEY)
    })
}

/// Empties the index directory, creating it if needed. Refuses a directory that holds
/// anything but an index (a mistyped `index_dir` must not delete someone's files); keeps a
/// `.gitkeep`, so a server run from the repository leaves its tree clean.
fn clear_dir(dir: &Path) -> Result<(), AppError> {
    let fail = |e: std::io::Error| {
        AppError::Config(format!("search index directory {}: {e}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(fail)?
        .collect::<Result<_, _>>()
        .map_err(fail)?;
    let name = |e: &std::fs::DirEntry| e.file_name().to_string_lossy().into_owned();
    let is_index = entries
        .iter()
        .any(|e| ["meta.json", ".managed.json", STAMP_FILE].contains(&name(e).as_str()));
    let others = entries.iter().filter(|e| name(e) != ".gitkeep").count();
    if others > 0 && !is_index {
        return Err(AppError::Config(format!(
            "search.index_dir {} is not empty and holds no search index; refusing to delete its files",
            dir.display()
        )));
    }
    for e in entries.iter().filter(|e| name(e) != ".gitkeep") {
        let path = e.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).map_err(fail)?;
        } else {
            std::fs::remove_file(&path).map_err(fail)?;
        }
    }
    Ok(())
}

fn read_stamp(dir: &Path) -> Option<Stamp> {
    let bytes = std::fs::read(dir.join(STAMP_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Written after the rebuild's commit, through a temporary file and a rename: a crash
/// mid-rebuild leaves no stamp, so the next start rebuilds again.
fn write_stamp(dir: &Path, stamp: &Stamp) -> Result<(), AppError> {
    let tmp = dir.join(format!("{STAMP_FILE}.tmp"));
    let bytes = serde_json::to_vec(stamp).map_err(AppError::internal)?;
    std::fs::write(&tmp, bytes).map_err(AppError::internal)?;
    std::fs::rename(&tmp, dir.join(STAMP_FILE)).map_err(AppError::internal)
}
