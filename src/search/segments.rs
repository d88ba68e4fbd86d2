//! Values derived from a segment once and kept while the index holds that segment.
//!
//! Segments never change once written, so whatever is decoded from one stays true until a
//! merge or a deletion replaces it; `Search::reload` drops what belongs to segments gone.
//! Opening a fast-field column decodes its block table (2,400 blocks for 1.25 million
//! ids): done per query, it was a fifth of a two-word query's time (measured).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use tantivy::index::SegmentId;
use tantivy::SegmentReader;

pub struct PerSegment<T>(Mutex<HashMap<SegmentId, T>>);

impl<T> Default for PerSegment<T> {
    fn default() -> Self {
        PerSegment(Mutex::new(HashMap::new()))
    }
}

impl<T: Clone> PerSegment<T> {
    /// The segment's value, loaded on first use. Two queries may load it at once; both
    /// results are equal and one is kept.
    pub fn get(
        &self,
        segment: &SegmentReader,
        load: impl FnOnce(&SegmentReader) -> tantivy::Result<T>,
    ) -> tantivy::Result<T> {
        let id = segment.segment_id();
        if let Some(value) = self.lock().get(&id) {
            return Ok(value.clone());
        }
        let value = load(segment)?;
        self.lock().insert(id, value.clone());
        Ok(value)
    }

    /// Forgets segments the index no longer has (after a commit or a merge).
    pub fn retain(&self, live: &HashSet<SegmentId>) {
        self.lock().retain(|id, _| live.contains(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, T>> {
        // A panic while holding the lock can only have left a complete map behind.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Values read from a column per call when a segment is first decoded.
const DECODE_CHUNK: usize = 4096;

/// Every document's value of a u64 fast field every document has, in document order.
pub fn decode_u64(segment: &SegmentReader, name: &str) -> tantivy::Result<Vec<u64>> {
    let column = super::query::dense_u64(segment, name)?;
    let n = segment.max_doc() as usize;
    let mut values = vec![0u64; n];
    for start in (0..n).step_by(DECODE_CHUNK) {
        let end = (start + DECODE_CHUNK).min(n);
        column.get_range(start as u64, &mut values[start..end]);
    }
    Ok(values)
}
