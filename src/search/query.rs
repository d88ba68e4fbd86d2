//! Queries (R5): every word of the query must be in a result, in its title or its text;
//! results are ranked by BM25 with titles weighing more, so "Smithenson" and "John
//! Smithenson" both put Smithenson first. Queries are built from the analyzer's words, never
//! handed to tantivy's query parser: quotes, colons and brackets are only text.

use std::collections::BTreeMap;

use serde::Serialize;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::{Cardinality, ColumnValues};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, Query, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, Score, Searcher, SegmentReader, TantivyDocument, Term};
use utoipa::ToSchema;

use super::facets::{facet_counts, MaskCounts};
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

impl Search {
    /// Runs a search against the last commit.
    pub fn search(&self, cfg: &SearchConfig, req: &Request) -> Result<Results, AppError> {
        let f = self.fields();
        let (words, query) = self.query(cfg, req)?;
        let searcher = self.reader.searcher();
        let hits = top_docs(&searcher, &query, req, !words.is_empty())?;
        // Counting needs no scores: a second pass without them is cheaper than scoring
        // every match in the first (which can then skip what cannot reach the page).
        let (total, counts) = searcher
            .search(&query, &(Count, MaskCounts(self.masks.clone())))
            .map_err(AppError::internal)?;
        let prefix = words.last().filter(|w| is_prefix(cfg, w, true));
        let marker = Marker {
            words: &words,
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
        let facets = facet_counts(req.kind, &counts, cfg.facet_values_max);
        Ok(Results {
            kind: req.kind,
            total: total as u64,
            items,
            next,
            facets,
        })
    }

    /// The words of a request and the query built from them.
    fn query(
        &self,
        cfg: &SearchConfig,
        req: &Request,
    ) -> Result<(Vec<String>, BooleanQuery), AppError> {
        let words = query_words(&req.text, cfg)?;
        let query = build_query(self.fields(), cfg, req, &words);
        Ok((words, query))
    }

    /// The engine alone: the ids of the best `req.limit` matches and the total, without
    /// facets, snippets or cards. What `scripts/bench-search` compares with SQLite FTS5,
    /// which answers the same two questions.
    pub fn top_ids(
        &self,
        cfg: &SearchConfig,
        req: &Request,
    ) -> Result<(Vec<u64>, usize), AppError> {
        let (_, query) = self.query(cfg, req)?;
        let searcher = self.reader.searcher();
        let hits = searcher
            .search(&query, &TopDocs::with_limit(req.limit).order_by_score())
            .map_err(AppError::internal)?;
        let total = searcher
            .search(&query, &Count)
            .map_err(AppError::internal)?;
        // Ids from the fast field, as FTS5 gives rowids: no stored document is read.
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| dense_u64(segment, "id"))
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(AppError::internal)?;
        let ids = hits
            .iter()
            .map(|(_, addr)| columns[addr.segment_ord as usize].get_val(addr.doc_id))
            .collect();
        Ok((ids, total))
    }

    /// The engine alone, counting only (benchmark: what the total costs by itself).
    pub fn count_only(&self, cfg: &SearchConfig, req: &Request) -> Result<usize, AppError> {
        let (_, query) = self.query(cfg, req)?;
        self.reader
            .searcher()
            .search(&query, &Count)
            .map_err(AppError::internal)
    }
}

/// The page of results: by relevance when there are words (ties in index order, which
/// holds while the index is unchanged), newest first when browsing by filters alone.
fn top_docs(
    searcher: &Searcher,
    query: &dyn Query,
    req: &Request,
    by_score: bool,
) -> Result<Vec<DocAddress>, AppError> {
    let top = TopDocs::with_limit(req.limit).and_offset(req.offset);
    let addresses = if by_score {
        searcher
            .search(query, &top.order_by_score())
            .map_err(AppError::internal)?
            .into_iter()
            .map(|(_, addr)| addr)
            .collect()
    } else {
        searcher
            .search(query, &top.order_by_u64_field("id", tantivy::Order::Desc))
            .map_err(AppError::internal)?
            .into_iter()
            .map(|(_, addr)| addr)
            .collect()
    };
    Ok(addresses)
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

/// Every word (the last one as a prefix) in the kind's field, AND the filters;
/// with no words, every item of the kind.
pub fn build_query(
    f: &Fields,
    cfg: &SearchConfig,
    req: &Request,
    words: &[String],
) -> BooleanQuery {
    let text = f.text[req.kind.index()];
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (dimension, value) in &req.filters {
        let facet = Facet::from_path([*dimension, value.as_str()]);
        clauses.push((
            Occur::Must,
            unscored(TermQuery::new(
                Term::from_facet(f.facets, &facet),
                IndexRecordOption::Basic,
            )),
        ));
    }
    for (i, word) in words.iter().enumerate() {
        let last = i + 1 == words.len();
        clauses.extend(word_clauses(text, cfg, word, last));
    }
    if words.is_empty() {
        clauses.push((
            Occur::Must,
            unscored(TermQuery::new(
                Term::from_field_text(f.kind, req.kind.code()),
                IndexRecordOption::Basic,
            )),
        ));
    }
    BooleanQuery::new(clauses)
}

/// One word, required in the kind's text (BM25). The last word of the query is required as
/// a prefix instead (any word it begins, up to `search.prefix_expansions` of them), so
/// results come while typing; the whole word, once typed, still scores through an optional
/// clause.
fn word_clauses(
    text: Field,
    cfg: &SearchConfig,
    word: &str,
    last: bool,
) -> Vec<(Occur, Box<dyn Query>)> {
    let term = Term::from_field_text(text, word);
    let exact = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
    if is_prefix(cfg, word, last) {
        let mut prefix = PhrasePrefixQuery::new(vec![term]);
        prefix.set_max_expansions(cfg.prefix_expansions);
        vec![(Occur::Must, unscored(prefix)), (Occur::Should, exact)]
    } else {
        vec![(Occur::Must, exact)]
    }
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
