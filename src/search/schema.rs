//! The index's schema and its text analysis: one index for every kind of item, so the
//! query code is written once.
//!
//! Only public fields are indexed (R1: everyone appears in People, but an e-mail address or a
//! refusal reason must never be matchable). The `card` is what a result shows; it is stored
//! in the index so a search never reads the store.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use tantivy::Index;

/// Bumped whenever the schema or the analysis changes: an index of another version is
/// rebuilt from the store at start.
pub const SCHEMA_VERSION: u32 = 8;

/// How many u64 filter masks each document carries (see `facets`).
pub const MASK_COLUMNS: usize = 3;

/// The name the folding analyzer is registered under.
const FOLD: &str = "twinhub_fold";

/// How many kinds of item the index holds (people, postings, groups, projects).
pub const KINDS: usize = 4;

/// The fields, looked up once.
#[derive(Clone, Copy)]
pub struct Fields {
    /// The item's id: ids are unique across the whole store, so it alone names a document.
    pub id: Field,
    /// `people`, `postings`, `groups` or `projects` (browsing a kind with no words).
    pub kind: Field,
    /// A person's name, a posting's or group's title, as shown (stored, not searched).
    pub title: Field,
    /// A bio, a posting's summary and description, a group's description, as shown (stored,
    /// not searched; snippets come from it).
    pub body: Field,
    /// The searched words, one field per kind (in the order of `Kind::index`): the title
    /// twice and the body, so a word in a name or title weighs more without a second query
    /// clause. Each kind has its own field, so a query needs no "kind" clause, and every
    /// word is one posting list: intersecting plain term lists is the fastest thing tantivy
    /// does (each word as "title OR body", plus optional title clauses, was several times
    /// slower, measured).
    pub text: [Field; KINDS],
    /// Filter values as single terms, `people/country/FR`, `postings/subject/history`: what
    /// browsing by filters walks (queries with words test the masks instead), and what a
    /// value's share of its kind is read from. One term each: a facet field indexed every
    /// value's ancestors too, and kept a column nothing read.
    pub filters: Field,
    /// The result card, JSON.
    pub card: Field,
    /// Filter values as bit masks (`mask0`..), for counting facets fast (`facets`).
    pub masks: [Field; MASK_COLUMNS],
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Frequencies for BM25, no positions: queries are conjunctions of words, never phrases,
    // and positions would be a third of the index.
    let searched = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(FOLD)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let text = ["people", "postings", "groups", "projects"]
        .map(|kind| b.add_text_field(&format!("{kind}_text"), searched.clone()));
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        kind: b.add_text_field("kind", STRING),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        text,
        filters: b.add_text_field("filters", STRING),
        card: b.add_text_field("card", STORED),
        masks: [0, 1, 2].map(|i| b.add_u64_field(&format!("mask{i}"), FAST)),
    };
    (b.build(), fields)
}

/// Registers the analyzer on an opened index (tantivy does not store analyzers).
pub fn register_analyzer(index: &Index) {
    index.tokenizers().register(FOLD, analyzer());
}

/// Words are runs of letters and digits; case and accents fold, so "muller" finds Müller,
/// "lodz" finds Łódź and "παπαδοπουλος" finds Παπαδόπουλος.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(GreekCyrillicFold)
        .build()
}

/// The words of `text` as the index sees them.
pub fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// What ASCII folding leaves: Greek accents (tonos, dialytika) and final sigma, and the
/// Cyrillic ё, which Russian and Ukrainian writers often type as е.
#[derive(Clone)]
struct GreekCyrillicFold;

fn fold_char(c: char) -> char {
    match c {
        'ά' => 'α',
        'έ' => 'ε',
        'ή' => 'η',
        'ί' | 'ϊ' | 'ΐ' => 'ι',
        'ό' => 'ο',
        'ύ' | 'ϋ' | 'ΰ' => 'υ',
        'ώ' => 'ω',
        'ς' => 'σ',
        'ё' => 'е',
        other => other,
    }
}

impl TokenFilter for GreekCyrillicFold {
    type Tokenizer<T: Tokenizer> = FoldTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldTokenizer<T> {
        FoldTokenizer(tokenizer)
    }
}

#[derive(Clone)]
struct FoldTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for FoldTokenizer<T> {
    type TokenStream<'a> = FoldStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldStream(self.0.token_stream(text))
    }
}

struct FoldStream<S>(S);

impl<S: TokenStream> TokenStream for FoldStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        if !token.text.is_ascii() {
            token.text = token.text.chars().map(fold_char).collect();
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents_in_every_script() {
        assert_eq!(words("Müller"), ["muller"]);
        assert_eq!(words("ŁÓDŹ Łódź"), ["lodz", "lodz"]);
        assert_eq!(
            words("Dvořák Çelik Şahin Ștefan Þór"),
            ["dvorak", "celik", "sahin", "stefan", "thor"]
        );
        assert_eq!(words("Παπαδόπουλος"), words("ΠΑΠΑΔΟΠΟΥΛΟΣ"));
        assert_eq!(words("Παπαδόπουλος"), ["παπαδοπουλοσ"]);
        assert_eq!(words("Шевченко Фёдор"), ["шевченко", "федор"]);
        assert_eq!(
            words("O'Brien, \"(x:y)\" [z]"),
            ["o", "brien", "x", "y", "z"]
        );
        assert!(words(":\"()[]{}^~*").is_empty());
    }
}
