//! Facet counts that stay cheap on large result sets.
//!
//! tantivy's `FacetCollector` costs about 100 ns per matching document (measured: 2.2 ms for
//! 20,000 documents), which a one-word query matching 70,000 of 1.2 million profiles cannot
//! afford. Every filter vocabulary here is small (46 countries, 37 languages, ...), so each
//! item carries its filter values as bit masks in three u64 fast fields, and counting a
//! document is three column reads and a few bit operations.
//!
//! The masks also filter under words (`MaskFiltered`, through per-value bitsets built from
//! them); browsing without words walks the `filters` field's terms. Above
//! `search.facet_exact_max` matches the counts come from an even sample (`MaskCounts`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TantivyDocument, TERMINATED};

use super::query::{FacetCount, Kind};
use super::schema::{Fields, MASK_COLUMNS};
use super::segments::{decode_u64, PerSegment};
use crate::domain::catalog::{self, MemberType};

/// Where a filter dimension's values live: one bit each, from `offset`, in mask `column`.
pub struct Dimension {
    pub name: &'static str,
    column: usize,
    offset: u32,
    values: fn() -> Vec<&'static str>,
}

fn codes(list: &'static [(&'static str, &'static str)]) -> Vec<&'static str> {
    list.iter().map(|(c, _)| *c).collect()
}

fn countries() -> Vec<&'static str> {
    codes(catalog::COUNTRIES)
}
fn languages() -> Vec<&'static str> {
    codes(catalog::LANGUAGES)
}
fn subjects() -> Vec<&'static str> {
    codes(catalog::SUBJECTS)
}
fn member_types() -> Vec<&'static str> {
    MemberType::ALL.iter().map(|t| t.code()).collect()
}
fn yes() -> Vec<&'static str> {
    vec!["true"]
}
fn scopes() -> Vec<&'static str> {
    vec!["national", "european"]
}
fn ages() -> Vec<&'static str> {
    codes(catalog::PUPIL_AGES)
}
fn competences() -> Vec<&'static str> {
    codes(catalog::KEY_COMPETENCES)
}
fn topics() -> Vec<&'static str> {
    codes(catalog::TOPICS)
}
fn policies() -> Vec<&'static str> {
    crate::domain::group::JoinPolicy::ALL
        .iter()
        .map(|p| p.code())
        .collect()
}

const fn dim(
    name: &'static str,
    column: usize,
    offset: u32,
    values: fn() -> Vec<&'static str>,
) -> Dimension {
    Dimension {
        name,
        column,
        offset,
        values,
    }
}

/// People: country (46 bits) + member type (8) + available (1) | languages (37) | subjects (29).
static PEOPLE: [Dimension; 5] = [
    dim("country", 0, 0, countries),
    dim("member_type", 0, 46, member_types),
    dim("available", 0, 54, yes),
    dim("language", 1, 0, languages),
    dim("subject", 2, 0, subjects),
];

/// Postings: scope (2) + country (46) + ages (6) | languages (37) + competences (8) |
/// subjects (29) + topics (16).
static POSTINGS: [Dimension; 7] = [
    dim("scope", 0, 0, scopes),
    dim("country", 0, 2, countries),
    dim("age", 0, 48, ages),
    dim("language", 1, 0, languages),
    dim("competence", 1, 37, competences),
    dim("subject", 2, 0, subjects),
    dim("topic", 2, 29, topics),
];

/// Groups: policy (3) | languages (37) | subjects (29).
static GROUPS: [Dimension; 3] = [
    dim("policy", 0, 0, policies),
    dim("language", 1, 0, languages),
    dim("subject", 2, 0, subjects),
];

/// The filter dimensions of a kind, in the order the API lists them.
pub fn dimensions(kind: Kind) -> &'static [Dimension] {
    match kind {
        Kind::People => &PEOPLE,
        Kind::Postings => &POSTINGS,
        Kind::Groups => &GROUPS,
        Kind::Projects => &[],
    }
}

/// The (column, bit) of a filter value of a kind, `None` outside the vocabulary. From a
/// table built once: looking values up in the catalogue lists for every document was a
/// tenth of a rebuild's document building (measured).
pub fn bit_of(kind: Kind, dimension: &str, value: &str) -> Option<(usize, u32)> {
    type Table = HashMap<(&'static str, &'static str), (usize, u32)>;
    static TABLES: OnceLock<[Table; 3]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        [Kind::People, Kind::Postings, Kind::Groups].map(|kind| {
            let mut table = Table::new();
            for d in dimensions(kind) {
                for (i, v) in (d.values)().into_iter().enumerate() {
                    table.insert((d.name, v), (d.column, d.offset + i as u32));
                }
            }
            table
        })
    });
    let table = match kind {
        Kind::People => &tables[0],
        Kind::Postings => &tables[1],
        Kind::Groups => &tables[2],
        Kind::Projects => return None,
    };
    table.get(&(dimension, value)).copied()
}

/// An item's filter values as mask bits (values outside the vocabulary, which the services
/// never store, are left out).
pub struct MaskBits {
    kind: Kind,
    masks: Masks,
}

impl MaskBits {
    pub fn new(kind: Kind) -> Self {
        MaskBits {
            kind,
            masks: [0; MASK_COLUMNS],
        }
    }

    pub fn add(&mut self, dimension: &str, value: &str) {
        if let Some((column, bit)) = bit_of(self.kind, dimension, value) {
            self.masks[column] |= 1u64 << bit;
        }
    }

    /// Writes the masks to the item's document (every document has all of them).
    pub fn write(self, doc: &mut TantivyDocument, f: &Fields) {
        for (field, mask) in f.masks.iter().zip(self.masks) {
            doc.add_u64(*field, mask);
        }
    }
}

/// Every document's masks, decoded once per segment and kept while the segment is in the
/// index (24 bytes a document: 30 MB for 1.25 million). Reading them from the fast-field
/// columns at query time cost about 150 ns a document (measured), a decoded array a few.
pub type MaskCache = PerSegment<Arc<SegmentMasks>>;

type Masks = [u64; MASK_COLUMNS];

/// A segment's masks, and per filter value used so far, the bitset of its documents.
pub struct SegmentMasks {
    masks: Vec<Masks>,
    /// (column, bit) → one bit per document. Testing a candidate in a 150 KB bitset (which
    /// stays in the processor's cache) costs a few ns; reading its masks from the 30 MB
    /// array, about 50 (measured). Built on first use; at most one per mask bit (192).
    bits: Mutex<HashMap<(usize, u32), Bitset>>,
}

/// One bit per document of a segment.
type Bitset = Arc<Vec<u64>>;

impl SegmentMasks {
    fn bitset(&self, column: usize, bit: u32) -> Bitset {
        let mut bits = self
            .bits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        bits.entry((column, bit))
            .or_insert_with(|| {
                let mut set = vec![0u64; self.masks.len().div_ceil(64)];
                for (doc, masks) in self.masks.iter().enumerate() {
                    set[doc / 64] |= ((masks[column] >> bit) & 1) << (doc % 64);
                }
                Arc::new(set)
            })
            .clone()
    }
}

fn decode(segment: &SegmentReader) -> tantivy::Result<Arc<SegmentMasks>> {
    let n = segment.max_doc() as usize;
    let mut out = Vec::with_capacity(n);
    ask_for_huge_pages(&out);
    out.resize(n, [0u64; MASK_COLUMNS]);
    for c in 0..MASK_COLUMNS {
        let column = decode_u64(segment, &format!("mask{c}"))?;
        for (slot, v) in out.iter_mut().zip(column) {
            slot[c] = v;
        }
    }
    Ok(Arc::new(SegmentMasks {
        masks: out,
        bits: Mutex::default(),
    }))
}

/// Asks Linux to back `v`'s (still untouched) buffer with 2 MiB pages. Counting reads the
/// masks of matches spread over the whole array: with 4 KiB pages nearly every read also
/// missed the TLB, and the exact count of a 73,000-match query took 6.0–6.3 ms instead of
/// 3.3 ms (measured). Where transparent huge pages are off, or elsewhere than Linux,
/// nothing changes.
fn ask_for_huge_pages(v: &Vec<Masks>) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = v.as_ptr() as usize;
        let end = start + v.capacity() * std::mem::size_of::<Masks>();
        let aligned = start.next_multiple_of(PAGE);
        if end > aligned + PAGE {
            // SAFETY: the range lies inside the vector's own allocation; MADV_HUGEPAGE
            // only advises the kernel and never changes the memory's contents.
            unsafe {
                libc::madvise(
                    aligned as *mut libc::c_void,
                    (end - aligned) / PAGE * PAGE,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
}

/// A query's matches that also pass filters: the query leads, and each of its matches is
/// tested in the bitset of each filter value (`SegmentMasks::bitset`). A filter as a
/// posting list (its term in the `filters` field) made every candidate seek in a list of up
/// to a million documents ("member type: teacher"): 3 ms for the 73,000 people named
/// Maria, against about 0.5 ms here (measured). As a clause beside several words, a filter
/// was also tested at every step of their alignment, not only where they agree.
pub struct MaskFiltered {
    inner: Box<dyn Query>,
    cache: Arc<MaskCache>,
    /// (column, bit) of each filter value.
    required: Vec<(usize, u32)>,
}

impl Clone for MaskFiltered {
    fn clone(&self) -> Self {
        MaskFiltered {
            inner: self.inner.box_clone(),
            cache: self.cache.clone(),
            required: self.required.clone(),
        }
    }
}

impl std::fmt::Debug for MaskFiltered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MaskFiltered({:?}, {:?})", self.inner, self.required)
    }
}

impl MaskFiltered {
    /// `None` when a value is outside the kind's vocabulary (nothing can match it).
    pub fn new(
        inner: Box<dyn Query>,
        cache: Arc<MaskCache>,
        kind: Kind,
        filters: &[(&str, String)],
    ) -> Option<Self> {
        let required = filters
            .iter()
            .map(|(name, value)| bit_of(kind, name, value))
            .collect::<Option<Vec<_>>>()?;
        Some(MaskFiltered {
            inner,
            cache,
            required,
        })
    }
}

impl Query for MaskFiltered {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(MaskFilteredWeight {
            inner: self.inner.weight(scoring)?,
            cache: self.cache.clone(),
            required: self.required.clone(),
        }))
    }
}

struct MaskFilteredWeight {
    inner: Box<dyn Weight>,
    cache: Arc<MaskCache>,
    required: Vec<(usize, u32)>,
}

impl MaskFilteredWeight {
    fn bitsets(&self, segment: &SegmentReader) -> tantivy::Result<Vec<Bitset>> {
        let masks = self.cache.get(segment, decode)?;
        Ok(self
            .required
            .iter()
            .map(|(column, bit)| masks.bitset(*column, *bit))
            .collect())
    }
}

impl Weight for MaskFilteredWeight {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorer = MaskFilteredScorer {
            inner: self.inner.scorer(segment, boost)?,
            bitsets: self.bitsets(segment)?,
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    /// The best matches (`TopDocs` by score): the inner query's own pruning (block-max WAND
    /// for a word), with the filters on what it hands over. The threshold only rises with
    /// matches that pass, so nothing that could make the page is skipped.
    fn for_each_pruning(
        &self,
        threshold: Score,
        segment: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let bitsets = self.bitsets(segment)?;
        let mut threshold = threshold;
        self.inner
            .for_each_pruning(threshold, segment, &mut |doc, score| {
                if passes(&bitsets, doc) {
                    threshold = callback(doc, score);
                }
                threshold
            })
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if passes(&self.bitsets(segment)?, doc) {
            self.inner.explain(segment, doc)
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not pass the filters"
            )))
        }
    }
}

fn passes(bitsets: &[Bitset], doc: DocId) -> bool {
    let (word, bit) = (doc as usize / 64, doc % 64);
    bitsets
        .iter()
        .all(|set| set.get(word).is_some_and(|w| (w >> bit) & 1 == 1))
}

struct MaskFilteredScorer {
    inner: Box<dyn Scorer>,
    bitsets: Vec<Bitset>,
}

impl MaskFilteredScorer {
    /// Moves on from the inner scorer's document to the first that passes.
    fn settle(&mut self) -> DocId {
        let mut doc = self.inner.doc();
        while doc != TERMINATED && !passes(&self.bitsets, doc) {
            doc = self.inner.advance();
        }
        doc
    }
}

impl DocSet for MaskFilteredScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for MaskFilteredScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

/// Counts, per bit of each mask column, the matching documents that have it: every match,
/// or, when there are too many to count in time, every `every`-th match of each segment (an
/// even sample across the index's order, which is about the order items were added).
pub struct MaskCounts {
    pub cache: Arc<MaskCache>,
    pub every: usize,
}

/// Per bit, how many of the counted matches have it; and how many were counted.
#[derive(Debug, Default)]
pub struct Tally {
    pub counts: Vec<u64>,
    pub counted: u64,
}

/// How sparsely to count `total` matches so that about `exact_max` are counted: 1 (every
/// match, exact counts) when there are at most `exact_max`.
pub fn sample_every(total: usize, exact_max: usize) -> usize {
    total.div_ceil(exact_max.max(1)).max(1)
}

pub struct SegmentMaskCounts {
    masks: Arc<SegmentMasks>,
    every: usize,
    /// Matches to pass over before the next counted one.
    skip: usize,
    /// Matches given one at a time (a scored walk), counted by blocks all the same.
    pending: Vec<DocId>,
    tally: Tally,
}

impl Collector for MaskCounts {
    type Fruit = Tally;
    type Child = SegmentMaskCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentMaskCounts> {
        Ok(SegmentMaskCounts {
            masks: self.cache.get(segment, decode)?,
            every: self.every.max(1),
            skip: 0,
            pending: Vec::with_capacity(tantivy::COLLECT_BLOCK_BUFFER_LEN),
            tally: Tally {
                counts: vec![0; MASK_COLUMNS * 64],
                counted: 0,
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut total = Tally {
            counts: vec![0; MASK_COLUMNS * 64],
            counted: 0,
        };
        for f in fruits {
            for (t, c) in total.counts.iter_mut().zip(f.counts) {
                *t += c;
            }
            total.counted += f.counted;
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentMaskCounts {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.pending.push(doc);
        if self.pending.len() == tantivy::COLLECT_BLOCK_BUFFER_LEN {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.flush();
        self.count(docs);
    }

    fn harvest(mut self) -> Tally {
        self.flush();
        self.tally
    }
}

impl SegmentMaskCounts {
    fn flush(&mut self) {
        let block = std::mem::take(&mut self.pending);
        self.count(&block);
        self.pending = block;
        self.pending.clear();
    }

    /// Two loops over a block of matches: the first only loads the counted matches' masks,
    /// with no branch between loads, so the processor fetches many from memory at once (the
    /// masks of 1.25 million documents are far larger than the caches); the second counts
    /// from the copies. One loop doing both waited for memory at every document: 10 ms
    /// instead of 5 for a 73,000-match query (measured).
    fn count(&mut self, docs: &[DocId]) {
        let mut block = [[0u64; MASK_COLUMNS]; tantivy::COLLECT_BLOCK_BUFFER_LEN];
        for chunk in docs.chunks(block.len()) {
            let mut n = 0;
            let mut at = self.skip;
            while at < chunk.len() {
                block[n] = self
                    .masks
                    .masks
                    .get(chunk[at] as usize)
                    .copied()
                    .unwrap_or_default();
                n += 1;
                at += self.every;
            }
            self.skip = at - chunk.len();
            for masks in &block[..n] {
                for (c, mask) in masks.iter().enumerate() {
                    let mut m = *mask;
                    while m != 0 {
                        self.tally.counts[c * 64 + m.trailing_zeros() as usize] += 1;
                        m &= m - 1;
                    }
                }
            }
            self.tally.counted += n as u64;
        }
    }
}

/// The counts per dimension and value, most frequent first, at most `max` values each.
/// Counts from a sample are scaled to the `total` matches (a value seen in the sample is
/// counted at least once, and never more than `total`).
pub fn facet_counts(
    kind: Kind,
    tally: &Tally,
    total: u64,
    max: usize,
) -> BTreeMap<&'static str, Vec<FacetCount>> {
    let scale = |count: u64| {
        if tally.counted >= total || tally.counted == 0 {
            return count;
        }
        let estimate = (count as f64 * total as f64 / tally.counted as f64).round() as u64;
        estimate.clamp(1, total)
    };
    dimensions(kind)
        .iter()
        .map(|d| {
            let mut values: Vec<FacetCount> = (d.values)()
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let count = tally.counts[d.column * 64 + d.offset as usize + i];
                    (count > 0).then(|| FacetCount {
                        value: v.to_string(),
                        count: scale(count),
                    })
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            values.truncate(max);
            (d.name, values)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_only_above_the_exact_limit() {
        assert_eq!(sample_every(0, 20_000), 1);
        assert_eq!(sample_every(20_000, 20_000), 1);
        assert_eq!(sample_every(20_001, 20_000), 2);
        assert_eq!(sample_every(150_000, 20_000), 8);
        assert_eq!(sample_every(10, 0), 10);
    }

    #[test]
    fn sampled_counts_scale_to_the_total_and_stay_within_it() {
        let (column, fr) = bit_of(Kind::People, "country", "FR").unwrap();
        let (_, it) = bit_of(Kind::People, "country", "IT").unwrap();
        let mut counts = vec![0; MASK_COLUMNS * 64];
        counts[column * 64 + fr as usize] = 750;
        counts[column * 64 + it as usize] = 250;
        let tally = Tally {
            counts,
            counted: 1000,
        };
        let facets = facet_counts(Kind::People, &tally, 100_000, 50);
        let country: Vec<(&str, u64)> = facets["country"]
            .iter()
            .map(|f| (f.value.as_str(), f.count))
            .collect();
        assert_eq!(country, vec![("FR", 75_000), ("IT", 25_000)]);
        // Counted exactly: as counted.
        let exact = facet_counts(Kind::People, &tally, 1000, 50);
        assert_eq!(exact["country"][0].count, 750);
        // A value seen once in a large sample is still at least one.
        let mut counts = vec![0; MASK_COLUMNS * 64];
        counts[column * 64 + fr as usize] = 1;
        let tally = Tally {
            counts,
            counted: 1_000_000,
        };
        assert_eq!(
            facet_counts(Kind::People, &tally, 1_000_001, 50)["country"][0].count,
            1
        );
    }

    #[test]
    fn every_value_has_a_bit_and_nothing_else_does() {
        for kind in [Kind::People, Kind::Postings, Kind::Groups] {
            for d in dimensions(kind) {
                for v in (d.values)() {
                    assert!(bit_of(kind, d.name, v).is_some(), "{} {v}", d.name);
                }
                assert_eq!(bit_of(kind, d.name, "nonsense"), None);
            }
        }
        assert_eq!(bit_of(Kind::Groups, "country", "FR"), None);
        assert_eq!(bit_of(Kind::Groups, "policy", "invited"), Some((0, 2)));
        assert_eq!(bit_of(Kind::People, "topic", "climate"), None);
    }

    #[test]
    fn every_dimension_fits_its_column_without_overlap() {
        for kind in [Kind::People, Kind::Postings] {
            let mut used = [0u64; MASK_COLUMNS];
            for d in dimensions(kind) {
                let n = (d.values)().len() as u32;
                assert!(d.offset + n <= 64, "{} overflows its column", d.name);
                let bits = if n == 64 {
                    u64::MAX
                } else {
                    ((1u64 << n) - 1) << d.offset
                };
                assert_eq!(used[d.column] & bits, 0, "{} overlaps", d.name);
                used[d.column] |= bits;
            }
            for d in dimensions(kind) {
                assert_eq!(kind.filter(d.name), Some(d.name));
            }
            assert_eq!(kind.filter("nonsense"), None);
        }
    }
}
