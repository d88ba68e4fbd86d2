//! From stored items to index documents: what of each item is searchable, what it is
//! filtered and counted by, and the card a result shows.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use time::OffsetDateTime;

use super::facets;
use super::query::Kind;
use super::schema::Fields;
use crate::domain::catalog::MemberType;
use crate::domain::group::Group;
use crate::domain::posting::{iso_date, Posting};
use crate::domain::school::School;
use crate::domain::user::picture_url;
use crate::error::AppError;
use crate::ids::{GroupId, PostingId, UserId};
use crate::store::{Store, Tree};

/// An item the index holds, named by kind and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocRef {
    User(UserId),
    Posting(PostingId),
    Group(GroupId),
}

impl DocRef {
    /// The key of its "to index" mark: a kind byte, then the id.
    pub fn key(self) -> [u8; 9] {
        let (kind, id) = match self {
            DocRef::User(id) => (b'u', id.0),
            DocRef::Posting(id) => (b'p', id.0),
            DocRef::Group(id) => (b'g', id.0),
        };
        let mut k = [0u8; 9];
        k[0] = kind;
        k[1..].copy_from_slice(&id.to_be_bytes());
        k
    }

    pub fn from_key(k: &[u8]) -> Option<DocRef> {
        let id = u64::from_be_bytes(k.get(1..9)?.try_into().ok()?);
        match k.first()? {
            b'u' => Some(DocRef::User(UserId(id))),
            b'p' => Some(DocRef::Posting(PostingId(id))),
            b'g' => Some(DocRef::Group(GroupId(id))),
            _ => None,
        }
    }

    /// The id, which alone names a document: store ids are unique across kinds.
    pub fn id(self) -> u64 {
        match self {
            DocRef::User(id) => id.0,
            DocRef::Posting(id) => id.0,
            DocRef::Group(id) => id.0,
        }
    }
}

/// What a person's result shows.
#[derive(Serialize)]
struct PersonCard<'a> {
    country: &'a Option<Text<'a>>,
    member_type: &'static str,
    languages: &'a [Text<'a>],
    subjects: &'a [Text<'a>],
    available_for_projects: bool,
    etwinner: bool,
    picture_url: Option<String>,
}

/// What a posting's result shows.
#[derive(Serialize)]
struct PostingCard<'a> {
    scope: &'static str,
    country: &'a str,
    school: SchoolRef<'a>,
    author: AuthorRef<'a>,
    summary: &'a str,
    languages: &'a [String],
    subjects: &'a [String],
    topics: &'a [String],
    key_competences: &'a [String],
    pupil_ages: &'a [String],
    #[serde(with = "iso_date")]
    visible_until: time::Date,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
}

#[derive(Serialize)]
struct SchoolRef<'a> {
    id: u64,
    name: &'a str,
    city: &'a str,
    country: &'a str,
}

#[derive(Serialize)]
struct AuthorRef<'a> {
    id: u64,
    display_name: &'a str,
}

#[derive(Serialize)]
struct GroupCard<'a> {
    policy: &'static str,
    member_count: u64,
    subjects: &'a [String],
    languages: &'a [String],
    picture_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
}

/// The document of an item as it is now in the store, or `None` when it is gone.
pub fn load(
    store: &dyn Store,
    f: &Fields,
    item: DocRef,
) -> Result<Option<TantivyDocument>, AppError> {
    Ok(match item {
        // As a rebuild reads members: only the public fields are decoded.
        DocRef::User(id) => match store.get(Tree::UseridUser, &id.key())? {
            Some(bytes) => Some(person(f, &crate::store::decode(&bytes)?)),
            None => None,
        },
        DocRef::Posting(id) => {
            match store.get_json::<Posting>(Tree::PostingidPosting, &id.key())? {
                Some(p) if !p.expired(OffsetDateTime::now_utc()) => {
                    Some(posting_doc(store, f, &p)?)
                }
                _ => None,
            }
        }
        DocRef::Group(id) => store
            .get_json::<Group>(Tree::GroupidGroup, &id.key())?
            .map(|g| group(f, &g)),
    })
}

fn base(f: &Fields, id: u64, kind: Kind, title: &str, body: &str) -> TantivyDocument {
    // Room for every value up front: growing the buffer value by value was a run of
    // reallocations per document in a rebuild.
    let mut doc = TantivyDocument::with_capacity(3 * title.len() + 2 * body.len() + 512);
    let text = f.text[kind.index()];
    doc.add_u64(f.id, id);
    doc.add_text(f.kind, kind.code());
    doc.add_text(f.title, title);
    doc.add_text(f.body, body);
    // The title twice: its words count double in BM25 (see `Fields::text`).
    doc.add_text(text, title);
    doc.add_text(text, title);
    doc.add_text(text, body);
    doc
}

/// Writes a result card (JSON) into the document, from a buffer sized for a card at once
/// (grown value by value it was a run of reallocations per document).
fn add_card(doc: &mut TantivyDocument, f: &Fields, card: &impl Serialize) {
    let mut json = Vec::with_capacity(CARD_BYTES);
    if serde_json::to_writer(&mut json, card).is_err() {
        json.clear(); // as before: an empty card rather than none
    }
    doc.add_text(f.card, std::str::from_utf8(&json).unwrap_or_default());
}

/// Room for a typical card: a person's is 150-250 bytes.
const CARD_BYTES: usize = 512;

/// The term of a filter value in `Fields::filters`: `people/country/FR`. The kind is part of
/// the term because dimensions are shared (people and postings both have a country), and a
/// value's document frequency must count one kind (`query::under_filters`).
pub fn filter_term(kind: Kind, dimension: &str, value: &str) -> String {
    let mut term = String::new();
    write_filter_term(&mut term, kind, dimension, value);
    term
}

/// Writes `filter_term` into `term` (cleared first).
fn write_filter_term(term: &mut String, kind: Kind, dimension: &str, value: &str) {
    term.clear();
    for part in [kind.code(), "/", dimension, "/", value] {
        term.push_str(part);
    }
}

/// An item's filter values, written to its document both ways: as terms (what browsing
/// walks) and as mask bits (what queries with words test, and what counts).
struct Filters<'a> {
    doc: &'a mut TantivyDocument,
    f: &'a Fields,
    kind: Kind,
    masks: facets::MaskBits,
    /// Each term is written here, then copied into the document: one allocation per
    /// document, not one per value (a rebuild writes some ten million).
    term: String,
}

impl<'a> Filters<'a> {
    fn new(doc: &'a mut TantivyDocument, f: &'a Fields, kind: Kind) -> Self {
        Filters {
            doc,
            f,
            kind,
            masks: facets::MaskBits::new(kind),
            term: String::with_capacity(64),
        }
    }

    fn one(&mut self, dimension: &str, value: &str) {
        write_filter_term(&mut self.term, self.kind, dimension, value);
        self.doc.add_text(self.f.filters, &self.term);
        self.masks.add(dimension, value);
    }

    fn all<S: AsRef<str>>(&mut self, dimension: &str, values: &[S]) {
        for v in values {
            self.one(dimension, v.as_ref());
        }
    }

    fn finish(self) {
        self.masks.write(self.doc, self.f);
    }
}

/// What the index reads of a member, borrowed from its stored bytes: a rebuild reads every
/// member, and decoding whole `User` records (with their e-mail, password hash and dates)
/// was a third of its time. Only public fields are here (R1): nothing else can reach the
/// index.
#[derive(Deserialize)]
pub struct PersonRecord<'a> {
    id: UserId,
    #[serde(borrow)]
    profile: ProfileRecord<'a>,
    /// Whether there is one: a validated member is an eTwinner (as `User::roles` says).
    validation: Option<IgnoredAny>,
    picture: Option<PictureStamp>,
}

#[derive(Deserialize)]
struct ProfileRecord<'a> {
    #[serde(borrow)]
    display_name: Text<'a>,
    #[serde(borrow)]
    country: Option<Text<'a>>,
    #[serde(borrow)]
    languages: Vec<Text<'a>>,
    #[serde(borrow)]
    subjects: Vec<Text<'a>>,
    member_type: MemberType,
    #[serde(borrow)]
    bio: Text<'a>,
    available_for_projects: bool,
}

/// A string borrowed from the stored bytes when it holds no escapes (as a newtype, so
/// serde borrows inside `Option` and `Vec` too).
#[derive(Deserialize, Serialize)]
#[serde(transparent)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl Text<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[derive(Deserialize)]
struct PictureStamp {
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

/// A member: name and bio are searchable (R5).
pub fn person(f: &Fields, user: &PersonRecord) -> TantivyDocument {
    let p = &user.profile;
    let mut doc = base(
        f,
        user.id.0,
        Kind::People,
        p.display_name.as_str(),
        p.bio.as_str(),
    );
    let mut filters = Filters::new(&mut doc, f, Kind::People);
    if let Some(c) = &p.country {
        filters.one("country", c.as_str());
    }
    filters.all("language", &p.languages);
    filters.all("subject", &p.subjects);
    filters.one("member_type", p.member_type.code());
    if p.available_for_projects {
        filters.one("available", "true");
    }
    filters.finish();
    let card = PersonCard {
        country: &p.country,
        member_type: p.member_type.code(),
        languages: &p.languages,
        subjects: &p.subjects,
        available_for_projects: p.available_for_projects,
        etwinner: user.validation.is_some(),
        picture_url: user
            .picture
            .as_ref()
            .map(|p| picture_url(user.id, p.updated_at)),
    };
    add_card(&mut doc, f, &card);
    doc
}

/// A posting: title, summary and description are searchable. Only postings still shown are
/// indexed: past its last day a posting leaves the index (`indexer::drop_expired` at each
/// midnight, UTC), so queries need no date clause.
pub fn posting_doc(
    store: &dyn Store,
    f: &Fields,
    p: &Posting,
) -> Result<TantivyDocument, AppError> {
    let school: Option<School> = store.get_json(Tree::SchoolidSchool, &p.school.key())?;
    let author_bytes = store.get(Tree::UseridUser, &p.author.key())?;
    let author: Option<PersonRecord> = author_bytes
        .as_deref()
        .map(crate::store::decode)
        .transpose()?;
    let body = format!("{}\n{}", p.summary, p.description);
    let mut doc = base(f, p.id.0, Kind::Postings, &p.title, &body);
    let (name, city, country) = school
        .as_ref()
        .map(|s| (s.name.as_str(), s.city.as_str(), s.country.as_str()))
        .unwrap_or(("", "", ""));
    let mut filters = Filters::new(&mut doc, f, Kind::Postings);
    filters.one("scope", p.scope.code());
    if !country.is_empty() {
        filters.one("country", country);
    }
    filters.all("language", &p.languages);
    filters.all("subject", &p.subjects);
    filters.all("age", &p.pupil_ages);
    filters.all("competence", &p.key_competences);
    filters.all("topic", &p.topics);
    filters.finish();
    let card = PostingCard {
        scope: p.scope.code(),
        country,
        school: SchoolRef {
            id: p.school.0,
            name,
            city,
            country,
        },
        author: AuthorRef {
            id: p.author.0,
            display_name: author
                .as_ref()
                .map(|u| u.profile.display_name.as_str())
                .unwrap_or_default(),
        },
        summary: &p.summary,
        languages: &p.languages,
        subjects: &p.subjects,
        topics: &p.topics,
        key_competences: &p.key_competences,
        pupil_ages: &p.pupil_ages,
        visible_until: p.visible_until,
        created_at: p.created_at,
    };
    add_card(&mut doc, f, &card);
    Ok(doc)
}

/// A group: its about (title and description), filterable by policy, language and
/// subject. Every group is found, invitation-only ones too (their about is public, R9 lets
/// members ask for an invitation); the chat is never indexed, so nothing said in a group
/// can surface in a search or its snippets.
pub fn group(f: &Fields, g: &Group) -> TantivyDocument {
    let mut doc = base(f, g.id.0, Kind::Groups, &g.title, &g.description);
    let mut filters = Filters::new(&mut doc, f, Kind::Groups);
    filters.one("policy", g.policy.code());
    filters.all("language", &g.languages);
    filters.all("subject", &g.subjects);
    filters.finish();
    let card = GroupCard {
        policy: g.policy.code(),
        member_count: g.member_count,
        subjects: &g.subjects,
        languages: &g.languages,
        picture_url: g.picture_url(),
        created_at: g.created_at,
    };
    add_card(&mut doc, f, &card);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::{PictureMeta, User, Validation};
    use tantivy::schema::Value;
    use tantivy::Document;

    /// A member's document is read from the stored bytes, not from a `User`: it must show
    /// what the `User`'s own public view shows, escapes and all, and nothing private.
    #[test]
    fn a_stored_member_gives_the_document_of_its_public_view() {
        let (schema, f) = super::super::schema::build();
        let mut user = User::new_member(
            UserId(42),
            "private@x.eu".into(),
            "$argon2id$secret".into(),
            "Ζωή \"Zoë\" O'Brien\\".into(),
            Some("EL".into()),
            OffsetDateTime::UNIX_EPOCH,
        );
        user.profile.bio = "Line one\nline \u{1F600} two".into();
        user.profile.languages = vec!["el".into(), "en".into()];
        user.profile.subjects = vec!["history".into()];
        user.profile.available_for_projects = true;
        user.validation = Some(Validation {
            by: UserId(7),
            at: OffsetDateTime::UNIX_EPOCH,
        });
        user.picture = Some(PictureMeta {
            content_type: "image/png".into(),
            bytes: 10,
            updated_at: OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(5),
        });
        let bytes = crate::store::encode(&user).unwrap();
        let doc = person(&f, &crate::store::decode(&bytes).unwrap());
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap();
        let view = user.public_view();
        assert_eq!(text(f.title), view.profile.display_name);
        assert_eq!(text(f.body), view.profile.bio);
        let card: serde_json::Value = serde_json::from_str(text(f.card)).unwrap();
        assert_eq!(
            card,
            serde_json::json!({
                "country": view.profile.country,
                "member_type": view.profile.member_type.code(),
                "languages": view.profile.languages,
                "subjects": view.profile.subjects,
                "available_for_projects": true,
                "etwinner": view.roles.etwinner,
                "picture_url": view.picture_url,
            })
        );
        let all = doc.to_json(&schema);
        assert!(all.contains("people/country/EL") && all.contains("people/language/en"));
        assert!(
            !all.contains("private@x.eu") && !all.contains("argon2"),
            "{all}"
        );
    }

    #[test]
    fn refs_round_trip_through_their_keys() {
        for r in [
            DocRef::User(UserId(1)),
            DocRef::Posting(PostingId(u64::MAX)),
            DocRef::Group(GroupId(300)),
        ] {
            assert_eq!(DocRef::from_key(&r.key()), Some(r));
        }
        assert_eq!(DocRef::from_key(b"x12345678"), None);
        assert_eq!(DocRef::from_key(b"u1"), None);
    }
}
