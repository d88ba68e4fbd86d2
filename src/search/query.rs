//! Queries (R5): every word of the query must be in a result, in its title or its text;
//! results are ranked by BM25 with titles weighing more, so "Smithenson" and "John
//! Smithenson" both put Smithenson first. Queries are built from the analyzer's words, never
//! handed to tantivy's query parser: quotes, colons and brackets are only text.

use std::collections::BTreeMap;

use serde::Serialize;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::{Cardinality, ColumnValues};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhrasePrefixQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, Score, Searcher, SegmentReader, TantivyDocument, Term};
use utoipa::ToSchema;

use super::documents::filter_term;
use super::facets::{facet_counts, sample_every, MaskCache, MaskCounts, MaskFiltered, Tally};
use super::newest::{IdCache, NewestFirst};
use super::schema::{self, Fields};
use super::Search;
use crate::config::SearchConfig;
use crate::error::AppError;

/// What can be searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    People,
    Postings,
    Projects,
    Groups,
}

impl Kind {
    /// The kind's place in `Fields::text`.
    pub fn index(self) -> usize {
        match self {
            Kind::People => 0,
            Kind::Postings => 1,
            Kind::Groups => 2,
            Kind::Projects => 3,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Postings => "postings",
            Kind::Projects => "projects",
            Kind::Groups => "groups",
        }
    }

    /// The filter named `name` if this kind has it, as the facet layout names it.
    pub fn filter(self, name: &str) -> Option<&'static str> {
        super::facets::dimensions(self)
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.name)
    }
}

/// A search, already checked (the HTTP layer checks filter values against the catalogue).
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: Kind,
    pub text: String,
    /// (dimension, value), each dimension at most once.
    pub filters: Vec<(&'static str, String)>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Results {
    pub kind: Kind,
    /// How many items match in all (not only this page).
    pub total: u64,
    pub items: Vec<Hit>,
    /// The cursor of the next page (`after`), if there is one within `search.max_results`.
    pub next: Option<String>,
    /// Per filter dimension, the values present in the matches with their counts, most
    /// frequent first (counted under the query and every filter).
    pub facets: BTreeMap<&'static str, Vec<FacetCount>>,
    /// False when the matches were too many to count in time (over
    /// `search.facet_exact_max`): the facet counts are then estimates from an even
    /// sample. `total` is always exact.
    pub facets_exact: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Hit {
    pub id: u64,
    pub kind: Kind,
    /// A person's name, a posting's or group's title.
    pub title: String,
    /// A piece of the text around the matched words, marked; empty when only the title
    /// matched.
    pub snippet: Vec<Fragment>,
    /// What the result card shows, by kind (see the API documentation).
    #[schema(value_type = Object)]
    pub card: serde_json::Value,
}

/// A run of snippet text, marked when it is a matched word. Text, never markup.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct Fragment {
    pub text: String,
    pub mark: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// A query built from a request.
struct Built {
    words: Vec<String>,
    query: Box<dyn Query>,
    /// A cheaper query for the page (see `walk`): one word's own query (with the filters),
    /// the whole word when the query's one word is typed as a prefix.
    page_query: Option<Box<dyn Query>>,
    /// The page query matches all the query matches (one whole word): its page holds even
    /// when it is not full.
    whole_word_only: bool,
    /// About this many items match, from document frequencies (`build_query`): the rate of
    /// the facet counts' sample is chosen from it before the walk that counts them.
    expected: u64,
}

impl Search {
    /// Runs a search against the last commit.
    pub fn search(&self, cfg: &SearchConfig, req: &Request) -> Result<Results, AppError> {
        let f = self.fields();
        let searcher = self.reader.searcher();
        let built = self.query(cfg, req, &searcher)?;
        // The facet counts' sample rate from what the query is expected to match; counted in
        // the same walk as the total.
        let expected = usize::try_from(built.expected).unwrap_or(usize::MAX);
        let mut every = sample_every(expected, cfg.facet_exact_max);
        let counts = MaskCounts {
            cache: self.masks.clone(),
            every,
        };
        let (hits, total, tally) = walk(&searcher, &self.ids, &built, req, Some(counts))?;
        let mut tally = tally.unwrap_or_default();
        // Far fewer matches than expected (words that seldom meet, a filter that seldom
        // meets them): counted again at the rate their total calls for, exactly when there
        // are at most `search.facet_exact_max`, or when the sample came out under half its
        // size.
        let wanted = sample_every(total, cfg.facet_exact_max);
        let thin = tally.counted < (cfg.facet_exact_max / 2) as u64;
        if every > wanted && (wanted == 1 || thin) {
            every = wanted;
            let counts = MaskCounts {
                cache: self.masks.clone(),
                every,
            };
            tally = searcher
                .search(&built.query, &counts)
                .map_err(AppError::internal)?;
        }
        let words = &built.words;
        let prefix = words.last().filter(|w| is_prefix(cfg, w, true));
        let marker = Marker {
            words,
            prefix: prefix.map(String::as_str),
            chars: cfg.snippet_chars,
            field: f.body,
        };
        let items = hits
            .into_iter()
            .map(|addr| hit(&searcher, f, req.kind, &marker, addr))
            .collect::<Result<Vec<_>, _>>()?;
        let end = req.offset + items.len();
        let next =
            (end < total && end < cfg.max_results && !items.is_empty()).then(|| end.to_string());
        let facets = facet_counts(req.kind, &tally, total as u64, cfg.facet_values_max);
        Ok(Results {
            kind: req.kind,
            total: total as u64,
            items,
            next,
            facets,
            facets_exact: every == 1,
        })
    }

    /// The words of a request and the query built from them (against `searcher`, whose
    /// words a prefix expands to).
    fn query(
        &self,
        cfg: &SearchConfig,
        req: &Request,
        searcher: &Searcher,
    ) -> Result<Built, AppError> {
        let words = query_words(&req.text, cfg)?;
        let f = self.fields();
        let built = build_query(searcher, f, &self.masks, cfg, req, &words).and_then(
            |(query, expected)| {
                let page_query = whole_word_page(searcher, f, &self.masks, cfg, req, &words)?;
                let whole_word_only = matches!(words.as_slice(), [w] if !is_prefix(cfg, w, true));
                Ok(Built {
                    words,
                    query,
                    page_query,
                    whole_word_only,
                    expected,
                })
            },
        );
        built.map_err(AppError::internal)
    }

    /// The engine alone: the ids of the best `req.limit` matches and the total, without
    /// facets, snippets or cards. What `scripts/bench-search` compares with SQLite FTS5,
    /// which answers the same two questions.
    pub fn top_ids(
        &self,
        cfg: &SearchConfig,
        req: &Request,
    ) -> Result<(Vec<u64>, usize), AppError> {
        let searcher = self.reader.searcher();
        let built = self.query(cfg, req, &searcher)?;
        let (hits, total, _) = walk(&searcher, &self.ids, &built, req, None)?;
        // Ids from the fast field, as FTS5 gives rowids: no stored document is read.
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| self.ids.get(segment, super::newest::decode))
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(AppError::internal)?;
        let ids = hits
            .iter()
            .map(|addr| columns[addr.segment_ord as usize][addr.doc_id as usize])
            .collect();
        Ok((ids, total))
    }

    /// The engine alone, counting only (benchmark: what the total costs by itself).
    pub fn count_only(&self, cfg: &SearchConfig, req: &Request) -> Result<usize, AppError> {
        let searcher = self.reader.searcher();
        let built = self.query(cfg, req, &searcher)?;
        searcher
            .search(&built.query, &Count)
            .map_err(AppError::internal)
    }
}

/// The page of results and how many match in all, with the facet tally of `counts` when
/// asked, in as few walks over the matches as the query allows. The page is by relevance
/// when there are words (ties in index order, which holds while the index is unchanged),
/// newest first when browsing by filters alone.
///
/// A query with a cheaper page query (a lone word; a lone prefix whose whole word fills the
/// page) gets its page by block-max WAND over that query, which skips the blocks that
/// cannot reach it; the total and the tally then come from one unscored walk (or, for a
/// lone word without a tally, from its document frequency, read without a walk). Any other
/// query is walked once, scoring, keeping the page, counting and tallying together: its
/// intersections cost more to walk than to score, and separate walks did them again (a
/// two-word query 111 → 52 µs at p50 on 1.2 M profiles, measured).
fn walk(
    searcher: &Searcher,
    ids: &Arc<IdCache>,
    built: &Built,
    req: &Request,
    counts: Option<MaskCounts>,
) -> Result<(Vec<DocAddress>, usize, Option<Tally>), AppError> {
    let top = TopDocs::with_limit(req.limit).and_offset(req.offset);
    let query = built.query.as_ref();
    if built.words.is_empty() {
        let newest = NewestFirst {
            ids: ids.clone(),
            keep: req.offset + req.limit,
        };
        let (page, total, tally) = searcher
            .search(query, &(newest, Count, counts))
            .map_err(AppError::internal)?;
        let page = page.into_iter().skip(req.offset).collect();
        return Ok((addresses(page), total, tally));
    }
    if let Some(page_query) = &built.page_query {
        let page = searcher
            .search(page_query.as_ref(), &top.order_by_score())
            .map_err(AppError::internal)?;
        // Not full: the whole word has too few items (under the filters) to fill it, and
        // words it begins follow; the full walk ranks them.
        if page.len() < req.limit && !built.whole_word_only {
            return walk_once(searcher, query, req, counts);
        }
        let (total, tally) = match counts {
            None => (searcher.search(query, &Count), None),
            Some(counts) => match searcher.search(query, &(Count, counts)) {
                Ok((total, tally)) => (Ok(total), Some(tally)),
                Err(e) => (Err(e), None),
            },
        };
        return Ok((addresses(page), total.map_err(AppError::internal)?, tally));
    }
    walk_once(searcher, query, req, counts)
}

/// One scored walk keeping the page, counting and tallying.
fn walk_once(
    searcher: &Searcher,
    query: &dyn Query,
    req: &Request,
    counts: Option<MaskCounts>,
) -> Result<(Vec<DocAddress>, usize, Option<Tally>), AppError> {
    let top = TopDocs::with_limit(req.limit).and_offset(req.offset);
    let (page, total, tally) = searcher
        .search(query, &(top.order_by_score(), Count, counts))
        .map_err(AppError::internal)?;
    Ok((addresses(page), total, tally))
}

fn addresses<T>(page: Vec<(T, DocAddress)>) -> Vec<DocAddress> {
    page.into_iter().map(|(_, address)| address).collect()
}

/// The words of a query, each once, in order; refused when there are too many.
pub fn query_words(text: &str, cfg: &SearchConfig) -> Result<Vec<String>, AppError> {
    let mut words = schema::words(text);
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    if words.len() > cfg.query_words_max {
        return Err(AppError::Validation(format!(
            "q: at most {} words (every word must match: keep the most specific ones)",
            cfg.query_words_max
        )));
    }
    Ok(words)
}

/// Every word (the last one as a prefix) in the kind's field, AND the filters; with no
/// words, every item of the kind. Also returns about how many items it matches, from
/// document frequencies: at most that many without filters or without words, and an
/// estimate (`under_filters`) with both.
fn build_query(
    searcher: &Searcher,
    f: &Fields,
    masks: &Arc<MaskCache>,
    cfg: &SearchConfig,
    req: &Request,
    words: &[String],
) -> tantivy::Result<(Box<dyn Query>, u64)> {
    let text = f.text[req.kind.index()];
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut at_most = u64::MAX;
    for (i, word) in words.iter().enumerate() {
        let last = i + 1 == words.len();
        let word = word_clauses(searcher, text, cfg, word, last)?;
        at_most = at_most.min(word.matches_at_most);
        clauses.extend(word.clauses);
    }
    if words.is_empty() {
        let kind = kind_term(f, req.kind);
        at_most = searcher.doc_freq(&kind)?;
        clauses.push((
            Occur::Must,
            unscored(TermQuery::new(kind, IndexRecordOption::Basic)),
        ));
    }
    if req.filters.is_empty() {
        return Ok((all_of(clauses), at_most));
    }
    if !words.is_empty() {
        let expected = under_filters(searcher, f, req, at_most)?;
        return Ok((filtered(all_of(clauses), masks, req), expected));
    }
    // Browsing matches every item of the kind: the filters' posting lists lead (a
    // country's 68,000 of 1.25 million).
    for term in filter_terms(f, req) {
        at_most = at_most.min(searcher.doc_freq(&term)?);
        clauses.push((
            Occur::Must,
            unscored(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    Ok((all_of(clauses), at_most))
}

/// `under_filters` never expects fewer than this fraction of what the words match. A filter
/// correlated with the words (a surname and its country) keeps far more than its share; an
/// estimate too low means exact counts, and this bounds them at this many times
/// `search.facet_exact_max` matches.
const ESTIMATE_FLOOR_DIVISOR: u64 = 4;

/// `matches` scaled by each filter's share of the kind's items, as if words and filters were
/// independent, and never below `matches / ESTIMATE_FLOOR_DIVISOR`. A filter that leaves few
/// of a common word's items (a common name in a small country) is then counted exactly in
/// the first walk; from the words' count alone, the sample came out thin and the whole walk
/// ran a second time (the HTTP p99 of one-word people queries with a filter).
fn under_filters(
    searcher: &Searcher,
    f: &Fields,
    req: &Request,
    matches: u64,
) -> tantivy::Result<u64> {
    let items = searcher.doc_freq(&kind_term(f, req.kind))?.max(1);
    let mut expected = matches as f64;
    for term in filter_terms(f, req) {
        expected *= searcher.doc_freq(&term)? as f64 / items as f64;
    }
    let floor = matches / ESTIMATE_FLOOR_DIVISOR;
    Ok((expected.ceil() as u64).clamp(floor, matches))
}

/// The term every item of `kind` has.
fn kind_term(f: &Fields, kind: Kind) -> Term {
    Term::from_field_text(f.kind, kind.code())
}

/// The terms of the request's filter values.
fn filter_terms<'a>(f: &'a Fields, req: &'a Request) -> impl Iterator<Item = Term> + 'a {
    req.filters.iter().map(|(dimension, value)| {
        Term::from_field_text(f.filters, &filter_term(req.kind, dimension, value))
    })
}

/// For a query of one word, the whole word's own query (with the filters): block-max WAND
/// finds its best items without walking all of them (the common names' 70,000–150,000).
/// For a word typed as a prefix, only items with the whole word score above zero, so when
/// that query fills the page, the page is the whole word's best; when it does not, `walk`
/// takes the full query.
fn whole_word_page(
    searcher: &Searcher,
    f: &Fields,
    masks: &Arc<MaskCache>,
    cfg: &SearchConfig,
    req: &Request,
    words: &[String],
) -> tantivy::Result<Option<Box<dyn Query>>> {
    let [word] = words else { return Ok(None) };
    let term = Term::from_field_text(f.text[req.kind.index()], word);
    let wanted = (req.offset + req.limit) as u64;
    if is_prefix(cfg, word, true) && searcher.doc_freq(&term)? < wanted {
        return Ok(None);
    }
    let whole = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
    Ok(Some(filtered(whole, masks, req)))
}

/// `inner` under the request's filters: it leads, and what it matches is tested in each
/// filter value's bitset (`MaskFiltered`). A value outside the vocabulary matches nothing.
fn filtered(inner: Box<dyn Query>, masks: &Arc<MaskCache>, req: &Request) -> Box<dyn Query> {
    if req.filters.is_empty() {
        return inner;
    }
    match MaskFiltered::new(inner, masks.clone(), req.kind, &req.filters) {
        Some(filtered) => Box::new(filtered),
        None => Box::new(EmptyQuery),
    }
}

/// The clauses as one query; a lone required clause is the query itself, so that
/// tantivy's shortcuts for one term apply (its count is its document frequency).
fn all_of(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if let [(Occur::Must, _)] = clauses.as_slice() {
        if let Some((_, only)) = clauses.pop() {
            return only;
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// One word's clauses, and how many items at most have it.
struct Word {
    clauses: Vec<(Occur, Box<dyn Query>)>,
    matches_at_most: u64,
}

/// One word, required in the kind's text (BM25). The last word of the query is required as
/// a prefix instead (any word it begins, up to `search.prefix_expansions` of them), so
/// results come while typing; the whole word, once typed, is what scores.
fn word_clauses(
    searcher: &Searcher,
    text: Field,
    cfg: &SearchConfig,
    word: &str,
    last: bool,
) -> tantivy::Result<Word> {
    let term = Term::from_field_text(text, word);
    let exact = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
    if !is_prefix(cfg, word, last) {
        return Ok(Word {
            clauses: vec![(Occur::Must, exact)],
            matches_at_most: searcher.doc_freq(&term)?,
        });
    }
    let found = expansions(searcher, text, word, cfg.prefix_expansions as usize)?;
    let clauses = match found.words {
        // A whole word nothing longer begins with, as once a name is typed in full.
        Some(words) if words == [word] => vec![(Occur::Must, exact as Box<dyn Query>)],
        Some(words) => {
            let mut union: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, exact)];
            for w in words.iter().filter(|w| *w != word) {
                let t = Term::from_field_text(text, w);
                union.push((
                    Occur::Should,
                    unscored(TermQuery::new(t, IndexRecordOption::Basic)),
                ));
            }
            vec![(
                Occur::Must,
                Box::new(BooleanQuery::new(union)) as Box<dyn Query>,
            )]
        }
        // Many words: tantivy's prefix query marks their documents in a bitset.
        None => {
            let mut prefix = PhrasePrefixQuery::new(vec![term]);
            prefix.set_max_expansions(cfg.prefix_expansions);
            vec![(Occur::Must, unscored(prefix)), (Occur::Should, exact)]
        }
    };
    Ok(Word {
        clauses,
        matches_at_most: found.doc_freq,
    })
}

/// Up to this many words a prefix is the union of their posting lists, walked only as far
/// as the other words need; beyond it, a bitset of all their documents. The bitset costs a
/// full walk of every list and a clear of 150 KB per segment: 30–50 µs for "rossi", which
/// a union of its few words does not pay (measured).
const PREFIX_AS_TERMS_MAX: usize = 16;

/// The index's words that begin a prefix.
struct Expansions {
    /// The words, across segments; `None` when there are more than `PREFIX_AS_TERMS_MAX`.
    words: Option<Vec<String>>,
    /// Their document frequencies added up (of the first `max` words in each segment): at
    /// least as many as the items having one of them, for a short prefix a bit more.
    doc_freq: u64,
}

fn expansions(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    max: usize,
) -> tantivy::Result<Expansions> {
    let mut words = std::collections::BTreeSet::new();
    let mut too_many = false;
    let mut doc_freq = 0u64;
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().range().ge(prefix.as_bytes()).into_stream()?;
        let mut seen = 0;
        while seen < max && stream.advance() {
            let Ok(word) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if !word.starts_with(prefix) {
                break;
            }
            seen += 1;
            doc_freq += u64::from(stream.value().doc_freq);
            if !too_many {
                words.insert(word.to_string());
                too_many = words.len() > PREFIX_AS_TERMS_MAX;
            }
        }
    }
    Ok(Expansions {
        words: (!too_many).then(|| words.into_iter().collect()),
        doc_freq,
    })
}

/// Whether `word` also matches the words it begins: the query's last word, when long enough.
fn is_prefix(cfg: &SearchConfig, word: &str, last: bool) -> bool {
    last && word.chars().count() >= cfg.prefix_min_chars
}

/// A clause that selects without adding to the score.
fn unscored(q: impl Query) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(q), 0.0))
}

/// What to mark in snippets: the query's words, and the words its last word begins.
struct Marker<'a> {
    words: &'a [String],
    prefix: Option<&'a str>,
    chars: usize,
    field: tantivy::schema::Field,
}

impl Marker<'_> {
    /// The best piece of `text` with the matched words marked (tantivy's fragment choice).
    fn snippet(&self, text: &str) -> Vec<Fragment> {
        if self.words.is_empty() || text.is_empty() {
            return Vec::new();
        }
        let mut terms: BTreeMap<String, Score> =
            self.words.iter().map(|w| (w.clone(), 1.0)).collect();
        if let Some(p) = self.prefix {
            for w in schema::words(text) {
                if w.starts_with(p) {
                    terms.entry(w).or_insert(0.5);
                }
            }
        }
        let generator = SnippetGenerator::new(terms, schema::analyzer(), self.field, self.chars);
        fragments(&generator.snippet(text))
    }
}

fn hit(
    searcher: &Searcher,
    f: &Fields,
    kind: Kind,
    marker: &Marker<'_>,
    addr: DocAddress,
) -> Result<Hit, AppError> {
    let doc: TantivyDocument = searcher.doc(addr).map_err(AppError::internal)?;
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let id = doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0);
    let card = serde_json::from_str(&text(f.card)).unwrap_or(serde_json::Value::Null);
    Ok(Hit {
        id,
        kind,
        title: text(f.title),
        snippet: marker.snippet(&text(f.body)),
        card,
    })
}

/// A snippet as runs of plain and marked text.
pub fn fragments(snippet: &Snippet) -> Vec<Fragment> {
    let text = snippet.fragment();
    if snippet.highlighted().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut at = 0;
    for range in snippet.highlighted() {
        if range.start > at {
            out.push(Fragment {
                text: text[at..range.start].to_string(),
                mark: false,
            });
        }
        out.push(Fragment {
            text: text[range.clone()].to_string(),
            mark: true,
        });
        at = range.end;
    }
    if at < text.len() {
        out.push(Fragment {
            text: text[at..].to_string(),
            mark: false,
        });
    }
    out
}

/// A u64 fast field every document has, read without the per-document optional-index
/// lookup of `first_or_default_col` (a third of a browse's time, measured).
pub fn dense_u64(
    segment: &SegmentReader,
    name: &str,
) -> tantivy::Result<Arc<dyn ColumnValues<u64>>> {
    let column = segment.fast_fields().u64(name)?;
    Ok(match column.get_cardinality() {
        Cardinality::Full => column.values,
        _ => column.first_or_default_col(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing::{core, member};

    #[test]
    fn a_filter_scales_what_the_words_are_expected_to_match() {
        let (core, _) = core();
        for (email, country) in [
            ("a@x.eu", "FR"),
            ("b@x.eu", "FR"),
            ("c@x.eu", "FR"),
            ("d@x.eu", "DE"),
        ] {
            member(&core, email, country);
        }
        core.search
            .rebuild(&*core.store, &core.config.search, &|_| {})
            .unwrap();
        let searcher = core.search.reader.searcher();
        let f = core.search.fields();
        let expected = |filters: Vec<(&'static str, String)>, matches| {
            let req = Request {
                kind: Kind::People,
                text: String::new(),
                filters,
                offset: 0,
                limit: 10,
            };
            under_filters(&searcher, f, &req, matches).unwrap()
        };
        assert_eq!(expected(vec![], 4), 4);
        // Four people, one in Germany: a quarter of what the words match.
        assert_eq!(expected(vec![("country", "DE".into())], 4), 1);
        assert_eq!(expected(vec![("country", "FR".into())], 2), 2, "rounded up");
        assert_eq!(
            expected(vec![("country", "IT".into())], 4),
            1,
            "never below a quarter of the words' matches"
        );
        assert_eq!(expected(vec![("country", "IT".into())], 400), 100);
        assert_eq!(
            expected(
                vec![("country", "FR".into()), ("member_type", "teacher".into())],
                4
            ),
            3,
            "every member here is a teacher"
        );
    }
}
