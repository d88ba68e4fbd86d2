//! From stored items to index documents: what of each item is searchable, what it is
//! filtered and counted by, and the card a result shows.

use serde::Serialize;
use tantivy::TantivyDocument;
use time::OffsetDateTime;

use super::facets;
use super::query::Kind;
use super::schema::Fields;
use crate::domain::posting::{iso_date, Posting};
use crate::domain::school::School;
use crate::domain::user::User;
use crate::error::AppError;
use crate::ids::{GroupId, PostingId, UserId};
use crate::service::groups::Group;
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
    country: &'a Option<String>,
    member_type: &'static str,
    languages: &'a [String],
    subjects: &'a [String],
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
struct GroupCard {
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
        DocRef::User(id) => store
            .get_json::<User>(Tree::UseridUser, &id.key())?
            .map(|u| person(f, &u)),
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

/// The term of a filter value in `Fields::filters`.
pub fn filter_term(dimension: &str, value: &str) -> String {
    format!("{dimension}/{value}")
}

/// An item's filter values, written to its document both ways: as terms (what browsing
/// walks) and as mask bits (what queries with words test, and what counts).
struct Filters<'a> {
    doc: &'a mut TantivyDocument,
    f: &'a Fields,
    masks: facets::MaskBits,
}

impl<'a> Filters<'a> {
    fn new(doc: &'a mut TantivyDocument, f: &'a Fields, kind: Kind) -> Self {
        Filters {
            doc,
            f,
            masks: facets::MaskBits::new(kind),
        }
    }

    fn one(&mut self, dimension: &str, value: &str) {
        self.doc
            .add_text(self.f.filters, filter_term(dimension, value));
        self.masks.add(dimension, value);
    }

    fn all(&mut self, dimension: &str, values: &[String]) {
        for v in values {
            self.one(dimension, v);
        }
    }

    fn finish(self) {
        self.masks.write(self.doc, self.f);
    }
}

/// A member: name and bio are searchable (R5); nothing private is in the document (the
/// profile is the public part of a member, as `User::public_view` shows it).
pub fn person(f: &Fields, user: &User) -> TantivyDocument {
    let p = &user.profile;
    let mut doc = base(f, user.id.0, Kind::People, &p.display_name, &p.bio);
    let mut filters = Filters::new(&mut doc, f, Kind::People);
    if let Some(c) = &p.country {
        filters.one("country", c);
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
        etwinner: user.roles().etwinner,
        picture_url: user.picture_url(),
    };
    doc.add_text(f.card, serde_json::to_string(&card).unwrap_or_default());
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
    let author: Option<User> = store.get_json(Tree::UseridUser, &p.author.key())?;
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
                .unwrap_or(""),
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
    doc.add_text(f.card, serde_json::to_string(&card).unwrap_or_default());
    Ok(doc)
}

/// A group: title and description. Join policies (and with them who may find a group)
/// arrive with the groups issue; today every group is open.
pub fn group(f: &Fields, g: &Group) -> TantivyDocument {
    let mut doc = base(f, g.id.0, Kind::Groups, &g.title, &g.description);
    Filters::new(&mut doc, f, Kind::Groups).finish();
    let card = GroupCard {
        created_at: g.created_at,
    };
    doc.add_text(f.card, serde_json::to_string(&card).unwrap_or_default());
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

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
