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
    let mut doc = TantivyDocument::default();
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

fn facet(doc: &mut TantivyDocument, f: &Fields, dimension: &str, value: &str) {
    doc.add_text(f.filters, filter_term(dimension, value));
}

fn facets(doc: &mut TantivyDocument, f: &Fields, dimension: &str, values: &[String]) {
    for v in values {
        facet(doc, f, dimension, v);
    }
}

/// A member: name and bio are searchable (R5); nothing private is in the document.
pub fn person(f: &Fields, user: &User) -> TantivyDocument {
    let view = user.public_view();
    let p = &view.profile;
    let mut doc = base(f, user.id.0, Kind::People, &p.display_name, &p.bio);
    if let Some(c) = &p.country {
        facet(&mut doc, f, "country", c);
    }
    facets(&mut doc, f, "language", &p.languages);
    facets(&mut doc, f, "subject", &p.subjects);
    facet(&mut doc, f, "member_type", p.member_type.code());
    let available: Vec<String> = if p.available_for_projects {
        facet(&mut doc, f, "available", "true");
        vec!["true".into()]
    } else {
        vec![]
    };
    let country: Vec<String> = p.country.iter().cloned().collect();
    let member_type = [p.member_type.code().to_string()];
    facets::add_masks(
        &mut doc,
        f,
        Kind::People,
        &[
            ("country", &country),
            ("member_type", &member_type),
            ("available", &available),
            ("language", &p.languages),
            ("subject", &p.subjects),
        ],
    );
    let card = PersonCard {
        country: &p.country,
        member_type: p.member_type.code(),
        languages: &p.languages,
        subjects: &p.subjects,
        available_for_projects: p.available_for_projects,
        etwinner: view.roles.etwinner,
        picture_url: view.picture_url.clone(),
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
    facet(&mut doc, f, "scope", p.scope.code());
    if !country.is_empty() {
        facet(&mut doc, f, "country", country);
    }
    facets(&mut doc, f, "language", &p.languages);
    facets(&mut doc, f, "subject", &p.subjects);
    facets(&mut doc, f, "age", &p.pupil_ages);
    facets(&mut doc, f, "competence", &p.key_competences);
    facets(&mut doc, f, "topic", &p.topics);
    let country_list: Vec<String> = school.iter().map(|s| s.country.clone()).collect();
    facets::add_masks(
        &mut doc,
        f,
        Kind::Postings,
        &[
            ("scope", &[p.scope.code().to_string()]),
            ("country", &country_list),
            ("age", &p.pupil_ages),
            ("language", &p.languages),
            ("competence", &p.key_competences),
            ("subject", &p.subjects),
            ("topic", &p.topics),
        ],
    );
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
    facets::add_masks(&mut doc, f, Kind::Groups, &[]);
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
