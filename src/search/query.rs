//! Queries (R5): every word of the query must be in a result, in its title or its text;
//! results are ranked by BM25 with titles weighing more, so "Smithenson" and "John
//! Smithenson" both put Smithenson first. Queries are built from the analyzer's words, never
//! handed to tantivy's query parser: quotes, colons and brackets are only text.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::Serialize;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::{Cardinality, ColumnValues};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, Score, Searcher, SegmentReader, TantivyDocument, Term};
use utoipa::ToSchema;

use super::facets::{facet_counts, MaskCounts};
use super::schema::{self, Fields};
use super::Search;
use crate::config::SearchConfig;
use crate::error::AppError;

/// How much more a word in a name or title counts than one in a bio or description.
const TITLE_BOOST: Score = 3.0;

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
    pub fn code(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Postings => "postings",
            Kind::Projects => "projects",
            Kind::Groups => "groups",
        }
    }

    /// The filters (and facets) of this kind.
    pub fn dimensions(self) -> &'static [&'static str] {
        match self {
            Kind::People => &["country", "member_type", "available", "language", "subject"],
            Kind::Postings => &[
                "scope",
                "country",
                "age",
                "language",
                "competence",
                "subject",
                "topic",
            ],
            Kind::Projects | Kind::Groups => &[],
        }
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
    /// Today, as days since 1970: postings whose last day is before it are left out.
    pub today: u64,
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
        let words = query_words(&req.text, cfg)?;
        let query = build_query(f, cfg, req, &words);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(req.limit)
            .and_offset(req.offset)
            .tweak_score(|segment: &SegmentReader| {
                // Ties (every result of a filter-only search) go newest first: ids grow.
                let ids = dense_u64(segment, "id").ok();
                move |doc, score| (score, ids.as_ref().map_or(0, |c| c.get_val(doc)))
            });
        let (hits, total, counts) = searcher
            .search(&query, &(top, Count, MaskCounts))
            .map_err(AppError::internal)?;
        let prefix = words
            .last()
            .filter(|w| w.chars().count() >= cfg.prefix_min_chars);
        let marker = Marker {
            words: &words,
            prefix: prefix.map(String::as_str),
            chars: cfg.snippet_chars,
            field: f.body,
        };
        let items = hits
            .into_iter()
            .map(|(_, addr)| hit(&searcher, f, req.kind, &marker, addr))
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
}

impl Search {
    /// The engine alone: the ids of the best `req.limit` matches and the total, without
    /// facets, snippets or cards. What `scripts/bench-search` compares with SQLite FTS5,
    /// which answers the same two questions.
    pub fn top_ids(
        &self,
        cfg: &SearchConfig,
        req: &Request,
    ) -> Result<(Vec<u64>, usize), AppError> {
        let f = self.fields();
        let words = query_words(&req.text, cfg)?;
        let query = build_query(f, cfg, req, &words);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(req.limit).order_by_score();
        let (hits, total) = searcher
            .search(&query, &(top, Count))
            .map_err(AppError::internal)?;
        // Ids from the fast field, as FTS5 gives rowids: no stored document is read.
        let mut ids = Vec::with_capacity(hits.len());
        for (_, addr) in hits {
            let column = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("id")
                .map_err(AppError::internal)?;
            ids.push(column.first(addr.doc_id).unwrap_or(0));
        }
        Ok((ids, total))
    }
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

/// kind AND filters AND not expired AND every word (the last one also as a prefix).
pub fn build_query(
    f: &Fields,
    cfg: &SearchConfig,
    req: &Request,
    words: &[String],
) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Must,
        unscored(TermQuery::new(
            Term::from_field_text(f.kind, req.kind.code()),
            IndexRecordOption::Basic,
        )),
    )];
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
    if req.kind == Kind::Postings {
        clauses.push((
            Occur::Must,
            unscored(RangeQuery::new(
                Bound::Included(Term::from_field_u64(f.visible_until, req.today)),
                Bound::Unbounded,
            )),
        ));
    }
    for (i, word) in words.iter().enumerate() {
        let last = i + 1 == words.len();
        clauses.push((Occur::Must, Box::new(word_query(f, cfg, word, last))));
    }
    if words.is_empty() {
        clauses.push((Occur::Must, unscored(AllQuery)));
    }
    BooleanQuery::new(clauses)
}

/// One word, in the title (weighing more) or the text; the last word of the query also
/// matches the words it begins, so results come while typing.
fn word_query(f: &Fields, cfg: &SearchConfig, word: &str, last: bool) -> BooleanQuery {
    let term = |field| Term::from_field_text(field, word);
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(term(f.title), IndexRecordOption::WithFreqs)),
                TITLE_BOOST,
            )),
        ),
        (
            Occur::Should,
            Box::new(TermQuery::new(term(f.body), IndexRecordOption::WithFreqs)),
        ),
    ];
    if last && word.chars().count() >= cfg.prefix_min_chars {
        for field in [f.title, f.body] {
            let mut prefix = PhrasePrefixQuery::new(vec![term(field)]);
            prefix.set_max_expansions(cfg.prefix_expansions);
            // A prefix match counts for little: the whole word, when typed, ranks first.
            any.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(Box::new(prefix), 0.1)),
            ));
        }
    }
    BooleanQuery::new(any)
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
