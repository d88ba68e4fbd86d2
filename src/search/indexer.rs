//! The indexer: one actor, on its own arbiter thread (commits block on disk), owns the one
//! `IndexWriter`. Services mark what they change (`super::mark`) and nudge it; it commits in
//! batches, by time and by count, so a burst of writes costs one commit.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, ActorContext, AsyncContext, Context, Handler, Message, SpawnHandle};
use tantivy::{IndexWriter, Term};

use super::documents::{self, DocRef};
use super::Search;
use crate::config::SearchConfig;
use crate::domain::group::Group;
use crate::domain::posting::Posting;
use crate::error::AppError;
use crate::store::{Store, Tree};
use time::OffsetDateTime;

/// Items were marked and committed: index them soon.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Changed;

/// Stop after committing what is marked (server shutdown).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Stop;

/// After a failed commit (disk full...), the marks stay and the indexer tries again this
/// much later, not in a tight loop.
const RETRY_AFTER: Duration = Duration::from_secs(5);

pub struct Indexer {
    search: Arc<Search>,
    store: Arc<dyn Store>,
    writer: IndexWriter,
    delay: Duration,
    batch: usize,
    /// Nudges since the last commit: reaching `batch` commits at once.
    waiting: usize,
    /// The pending timed commit, if one is scheduled.
    scheduled: Option<SpawnHandle>,
}

impl Indexer {
    pub fn new(
        search: Arc<Search>,
        store: Arc<dyn Store>,
        cfg: &SearchConfig,
    ) -> Result<Indexer, AppError> {
        let writer = search.writer(1, cfg.writer_memory_bytes)?;
        Ok(Indexer {
            search,
            store,
            writer,
            delay: Duration::from_millis(cfg.commit_delay_ms),
            batch: cfg.commit_batch,
            waiting: 0,
            scheduled: None,
        })
    }

    fn schedule(&mut self, ctx: &mut Context<Self>, after: Duration) {
        if self.scheduled.is_none() {
            self.scheduled = Some(ctx.run_later(after, |me, ctx| {
                me.scheduled = None;
                me.commit(ctx);
            }));
        }
    }

    /// Indexes up to a batch of marked items; schedules the rest (or a retry).
    fn commit(&mut self, ctx: &mut Context<Self>) {
        if let Some(handle) = self.scheduled.take() {
            ctx.cancel_future(handle);
        }
        self.waiting = 0;
        match apply_marks(&self.search, &*self.store, &mut self.writer, self.batch) {
            Ok(true) => self.schedule(ctx, Duration::ZERO),
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "search indexing failed; retrying");
                self.schedule(ctx, RETRY_AFTER);
            }
        }
    }
}

impl Indexer {
    /// Drops expired postings, then comes back at the next midnight.
    fn expire(&mut self, ctx: &mut Context<Self>) {
        let now = OffsetDateTime::now_utc();
        match drop_expired(&self.search, &*self.store, &mut self.writer, now) {
            Ok(n) => tracing::debug!(expired = n, "expired postings out of the index"),
            Err(e) => {
                tracing::error!(error = %e, "dropping expired postings failed; retrying at midnight")
            }
        }
        ctx.run_later(until_midnight(now), |me, ctx| me.expire(ctx));
    }
}

impl Actor for Indexer {
    type Context = Context<Self>;

    /// Marks left by a crash (written, never indexed) are handled first; postings that
    /// expired while the server was down leave the index now, the others at their midnight.
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.schedule(ctx, Duration::ZERO);
        self.expire(ctx);
    }
}

impl Handler<Changed> for Indexer {
    type Result = ();

    fn handle(&mut self, _: Changed, ctx: &mut Context<Self>) {
        self.waiting += 1;
        if self.waiting >= self.batch {
            self.commit(ctx);
        } else {
            self.schedule(ctx, self.delay);
        }
    }
}

impl Handler<Stop> for Indexer {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        self.commit(ctx);
        ctx.stop();
    }
}

/// Replaces the documents of up to `batch` marked items with what the store holds now,
/// commits, makes it visible, then removes the marks that were not renewed meanwhile.
/// Returns whether more marks wait.
pub fn apply_marks(
    search: &Search,
    store: &dyn Store,
    writer: &mut IndexWriter,
    batch: usize,
) -> Result<bool, AppError> {
    let marks = store.scan_prefix(Tree::SearchPending, &[], None, batch + 1)?;
    if marks.is_empty() {
        return Ok(false);
    }
    let more = marks.len() > batch;
    let marks = &marks[..marks.len().min(batch)];
    let f = search.fields();
    for (key, _) in marks {
        let Some(item) = DocRef::from_key(key) else {
            continue;
        };
        writer.delete_term(Term::from_field_u64(f.id, item.id()));
        if let Some(doc) = documents::load(store, f, item)? {
            writer.add_document(doc).map_err(AppError::internal)?;
        }
    }
    writer.commit().map_err(AppError::internal)?;
    search.reload()?;
    store.transact_upkeep(&[Tree::SearchPending], |tx| {
        for (key, token) in marks {
            if tx.get(Tree::SearchPending, key)?.as_deref() == Some(token.as_slice()) {
                tx.remove(Tree::SearchPending, key)?;
            }
        }
        Ok(())
    })?;
    Ok(more)
}

/// Adds every user, posting and group of the store to an emptied index and commits.
pub fn rebuild(
    search: &Search,
    store: &dyn Store,
    writer: &mut IndexWriter,
    progress: &dyn Fn(u64),
) -> Result<u64, AppError> {
    let f = *search.fields();
    writer.delete_all_documents().map_err(AppError::internal)?;
    let mut done = 0u64;
    let mut add = |doc| -> Result<(), AppError> {
        writer.add_document(doc).map_err(AppError::internal)?;
        done += 1;
        if done.is_multiple_of(1000) {
            progress(done);
        }
        Ok(())
    };
    store.for_each_value(Tree::UseridUser, &mut |bytes| {
        add(documents::person(&f, &crate::store::decode(bytes)?))
    })?;
    let now = OffsetDateTime::now_utc();
    for_each::<Posting>(store, Tree::PostingidPosting, &mut |p| {
        if p.expired(now) {
            return Ok(());
        }
        add(documents::posting_doc(store, &f, &p)?)
    })?;
    for_each::<Group>(store, Tree::GroupidGroup, &mut |g| {
        add(documents::group(&f, &g))
    })?;
    writer.commit().map_err(AppError::internal)?;
    progress(done);
    Ok(done)
}

fn for_each<T: serde::de::DeserializeOwned>(
    store: &dyn Store,
    tree: Tree,
    each: &mut dyn FnMut(T) -> Result<(), AppError>,
) -> Result<(), AppError> {
    store.for_each_value(tree, &mut |value| each(crate::store::decode(value)?))
}

/// Takes every posting past its last day out of the index (at start, and at each midnight,
/// UTC): postings are indexed only while shown, so queries need no date clause. Deleting
/// one that is not there is a no-op, so every expired posting is simply deleted again.
pub fn drop_expired(
    search: &Search,
    store: &dyn Store,
    writer: &mut IndexWriter,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let id = search.fields().id;
    let mut dropped = 0;
    for_each::<Posting>(store, Tree::PostingidPosting, &mut |p| {
        if p.expired(now) {
            writer.delete_term(Term::from_field_u64(id, p.id.0));
            dropped += 1;
        }
        Ok(())
    })?;
    writer.commit().map_err(AppError::internal)?;
    search.reload()?;
    Ok(dropped)
}

/// Time until the next midnight, UTC (and a second, so the new day has begun).
fn until_midnight(now: OffsetDateTime) -> Duration {
    let next = (now.date() + time::Duration::days(1))
        .midnight()
        .assume_utc();
    let secs = (next - now).whole_seconds().max(0) as u64;
    Duration::from_secs(secs + 1)
}

/// Marks removed per transaction by `clear_marks`.
const MARKS_PER_PASS: usize = 10_000;

/// Removes every mark (after a rebuild, which indexed everything as it is).
pub fn clear_marks(store: &dyn Store) -> Result<(), AppError> {
    loop {
        let marks = store.scan_prefix(Tree::SearchPending, &[], None, MARKS_PER_PASS)?;
        if marks.is_empty() {
            return Ok(());
        }
        store.transact_upkeep(&[Tree::SearchPending], |tx| {
            for (key, _) in &marks {
                tx.remove(Tree::SearchPending, key)?;
            }
            Ok(())
        })?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::{Kind, Request};
    use crate::service::testing::{core, member};

    fn people(search: &Search, core: &crate::service::Core, text: &str) -> u64 {
        let req = Request {
            kind: Kind::People,
            text: text.into(),
            filters: vec![],
            offset: 0,
            limit: 10,
        };
        search.search(&core.config.search, &req).unwrap().total
    }

    #[test]
    fn marks_are_indexed_in_batches_and_removed_once_taken() {
        let (core, _) = core();
        for i in 0..3 {
            member(&core, &format!("batch{i}@x.eu"), "FR");
        }
        let search = core.search.clone();
        assert_eq!(
            people(&search, &core, "x"),
            0,
            "nothing is searchable before a commit"
        );
        let mut writer = search.writer(1, 15_000_000).unwrap();
        // A batch of two leaves one mark for the next round.
        assert!(apply_marks(&search, &*core.store, &mut writer, 2).unwrap());
        assert_eq!(search.num_docs(), 2);
        assert!(!apply_marks(&search, &*core.store, &mut writer, 2).unwrap());
        assert_eq!(search.num_docs(), 3);
        assert!(core
            .store
            .scan_prefix(Tree::SearchPending, &[], None, 10)
            .unwrap()
            .is_empty());
        // Nothing marked: nothing to do.
        assert!(!apply_marks(&search, &*core.store, &mut writer, 2).unwrap());
    }

    #[test]
    fn expired_postings_leave_the_index_at_midnight() {
        use crate::domain::posting::{Posting, Scope};
        use crate::ids::{PostingId, SchoolId};
        let (core, _) = core();
        let author = member(&core, "author@x.eu", "FR");
        let now = OffsetDateTime::now_utc();
        let posting = |id: u64, last: time::Date| Posting {
            id: PostingId(id),
            author: author.id,
            school: SchoolId(1),
            scope: Scope::European,
            title: format!("Hedgehogs {id}"),
            summary: "s".into(),
            description: "d".into(),
            languages: vec!["en".into()],
            subjects: vec!["biology".into()],
            topics: vec![],
            key_competences: vec![],
            pupil_ages: vec!["6-9".into()],
            visible_until: last,
            created_at: now,
            updated_at: now,
            comment_count: 0,
        };
        let search = core.search.clone();
        let mut writer = search.writer(1, 15_000_000).unwrap();
        for (id, last) in [
            (101, now.date()),
            (102, now.date() + time::Duration::days(3)),
        ] {
            core.store
                .transact(&[Tree::PostingidPosting, Tree::SearchPending], |tx| {
                    tx.put_json(
                        Tree::PostingidPosting,
                        &PostingId(id).key(),
                        &posting(id, last),
                    )?;
                    crate::search::mark(tx, DocRef::Posting(PostingId(id)))
                })
                .unwrap();
        }
        apply_marks(&search, &*core.store, &mut writer, 100).unwrap();
        let count = |text: &str| {
            let req = Request {
                kind: Kind::Postings,
                text: text.into(),
                filters: vec![],
                offset: 0,
                limit: 10,
            };
            search.search(&core.config.search, &req).unwrap().total
        };
        assert_eq!(count("hedgehogs"), 2);
        // The next day: the first one's last day has passed.
        let tomorrow = now + time::Duration::days(1);
        assert_eq!(
            drop_expired(&search, &*core.store, &mut writer, tomorrow).unwrap(),
            1
        );
        assert_eq!(count("hedgehogs"), 1);
        assert_eq!(count("101"), 0);
        assert_eq!(count("102"), 1);
        let wait = until_midnight(now);
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(86_401));
    }

    #[test]
    fn a_rebuild_indexes_the_store_and_takes_every_mark() {
        let (core, _) = core();
        member(&core, "one@x.eu", "FR");
        member(&core, "two@x.eu", "DE");
        let seen = std::cell::Cell::new(0);
        let n = core
            .search
            .rebuild(&*core.store, &core.config.search, &|done| seen.set(done))
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(seen.get(), 2, "progress ends at the number indexed");
        assert_eq!(people(&core.search, &core, "one"), 1);
        assert!(core
            .store
            .scan_prefix(Tree::SearchPending, &[], None, 10)
            .unwrap()
            .is_empty());
    }
}
