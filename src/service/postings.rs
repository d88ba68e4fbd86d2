//! Partner finding (R6): "eTwinning project idea" postings and their post comments.
//!
//! Writing (a posting or a comment) takes a validated eTwinner, since only eTwinners found
//! projects (R1); every logged-in member may read. A posting names one of its author's
//! schools as its organisation. Past its visible-until day it leaves lists and search for
//! everyone but its author (see `domain::posting`).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};
use utoipa::ToSchema;

use super::mailbox::person;
use super::notifications::{self, Pending};
use super::{check_codes, check_text, Core, Page, PageQuery};
use crate::domain::catalog;
use crate::domain::event::NotificationKind;
use crate::domain::mailbox::Person;
use crate::domain::posting::{iso_date, Comment, Posting, Scope};
use crate::domain::school::School;
use crate::domain::user::{dedup_codes, User};
use crate::error::AppError;
use crate::ids::{CommentId, NotificationId, PostingId, SchoolId, UserId};
use crate::search::{self, DocRef};
use crate::store::{key, Tree, TxError, Txn};

/// A new posting, or (every field optional) the changes to one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostingInput {
    pub scope: Option<Scope>,
    /// One of the author's current schools: the organisation behind the idea.
    pub school_id: Option<SchoolId>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// ISO 639-1 codes, at least one.
    pub languages: Option<Vec<String>>,
    /// Subject codes, at least one.
    pub subjects: Option<Vec<String>>,
    /// Topic codes (`GET /api/catalog`).
    pub topics: Option<Vec<String>>,
    /// Key competence codes.
    pub key_competences: Option<Vec<String>>,
    /// Age band codes, at least one.
    pub pupil_ages: Option<Vec<String>>,
    /// The last day the posting is shown, `YYYY-MM-DD`: today at the earliest, at most
    /// `limits.posting_visible_days_max` days ahead.
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default, with = "iso_date::option")]
    pub visible_until: Option<Date>,
}

/// A posting as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostingView {
    pub id: PostingId,
    pub author: Person,
    pub school: SchoolRef,
    pub scope: Scope,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub languages: Vec<String>,
    pub subjects: Vec<String>,
    pub topics: Vec<String>,
    pub key_competences: Vec<String>,
    pub pupil_ages: Vec<String>,
    #[schema(value_type = String, format = Date)]
    #[serde(with = "iso_date")]
    pub visible_until: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Past its last day: only its author sees it.
    pub expired: bool,
    pub comment_count: u64,
    /// Written by the member asking.
    pub mine: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolRef {
    pub id: SchoolId,
    pub name: String,
    pub city: String,
    pub country: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    pub id: CommentId,
    pub posting_id: PostingId,
    pub author: Person,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub mine: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
}

const TREES: [Tree; 4] = [
    Tree::PostingidPosting,
    Tree::UseridPostingid,
    Tree::SearchPending,
    Tree::UseridSchoolidTie,
];

fn ensure_etwinner(actor: &User, what: &str) -> Result<(), AppError> {
    if actor.validation.is_some() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only eTwinning-validated members can {what}: your NSO has not validated you yet"
        )))
    }
}

/// Key of the author's list: newest first.
fn author_key(author: UserId, id: PostingId) -> Vec<u8> {
    key(&[&author.key(), &(u64::MAX - id.0).to_be_bytes()])
}

pub fn create(core: &Core, actor: &User, input: PostingInput) -> Result<PostingView, AppError> {
    ensure_etwinner(actor, "publish postings")?;
    let now = core.clock.now();
    let required = |name: &str| AppError::Validation(format!("{name}: required"));
    let posting = Posting {
        id: PostingId(core.store.next_id()?),
        author: actor.id,
        school: input.school_id.ok_or_else(|| required("school_id"))?,
        scope: input.scope.ok_or_else(|| required("scope"))?,
        title: String::new(),
        summary: String::new(),
        description: String::new(),
        languages: vec![],
        subjects: vec![],
        topics: vec![],
        key_competences: vec![],
        pupil_ages: vec![],
        visible_until: input
            .visible_until
            .ok_or_else(|| required("visible_until"))?,
        created_at: now,
        updated_at: now,
        comment_count: 0,
    };
    let posting = apply(core, posting, input, now)?;
    let who = actor.id.to_string();
    core.rate_limits.postings.acquire(&who, now)?;
    let written = core.store.transact(&TREES, |tx| {
        ensure_own_school(tx, actor.id, posting.school)?;
        tx.put_json(Tree::PostingidPosting, &posting.id.key(), &posting)?;
        tx.insert(
            Tree::UseridPostingid,
            &author_key(actor.id, posting.id),
            vec![],
        )?;
        search::mark(tx, DocRef::Posting(posting.id))
    });
    if written.is_err() {
        // A refused posting does not count against the author's allowance.
        core.rate_limits.postings.release_one(&who);
    }
    written?;
    core.search.changed();
    tracing::info!(author = %actor.id, posting = %posting.id, "posting published");
    view(core, actor.id, &posting)
}

pub fn update(
    core: &Core,
    actor: &User,
    id: PostingId,
    input: PostingInput,
) -> Result<PostingView, AppError> {
    ensure_etwinner(actor, "edit postings")?;
    let now = core.clock.now();
    let current = own(core, actor.id, id)?;
    let mut changed = apply(core, current.clone(), input, now)?;
    changed.updated_at = now;
    let posting = core.store.transact(&TREES, |tx| {
        // The comment count may have moved since it was read: keep the stored one.
        let stored: Posting = tx
            .get_json(Tree::PostingidPosting, &id.key())?
            .ok_or(TxError::Abort(AppError::NotFound("posting")))?;
        if changed.school != stored.school {
            ensure_own_school(tx, actor.id, changed.school)?;
        }
        let posting = Posting {
            comment_count: stored.comment_count,
            ..changed.clone()
        };
        tx.put_json(Tree::PostingidPosting, &id.key(), &posting)?;
        search::mark(tx, DocRef::Posting(id))?;
        Ok(posting)
    })?;
    core.search.changed();
    view(core, actor.id, &posting)
}

/// Deletes a posting with its comments.
pub fn delete(core: &Core, actor: &User, id: PostingId) -> Result<(), AppError> {
    own(core, actor.id, id)?;
    // Comments are listed before the transaction (which cannot scan); if one is added
    // meanwhile the count no longer matches and the deletion starts over.
    for _ in 0..5 {
        let comments =
            core.store
                .scan_prefix(Tree::PostingidComment, &id.key(), None, usize::MAX)?;
        let mut trees = TREES.to_vec();
        trees.push(Tree::PostingidComment);
        let done = core.store.transact(&trees, |tx| {
            let Some(stored) = tx.get_json::<Posting>(Tree::PostingidPosting, &id.key())? else {
                return Ok(true);
            };
            if stored.comment_count != comments.len() as u64 {
                return Ok(false);
            }
            for (k, _) in &comments {
                tx.remove(Tree::PostingidComment, k)?;
            }
            tx.remove(Tree::PostingidPosting, &id.key())?;
            tx.remove(Tree::UseridPostingid, &author_key(stored.author, id))?;
            search::mark(tx, DocRef::Posting(id))?;
            Ok(true)
        })?;
        if done {
            core.search.changed();
            return Ok(());
        }
    }
    Err(AppError::Conflict(
        "comments keep arriving on this posting; try again".into(),
    ))
}

/// A posting, if `viewer` may see it (expired ones: their author only; others get 404).
pub fn get(core: &Core, viewer: &User, id: PostingId) -> Result<PostingView, AppError> {
    let posting = visible(core, viewer.id, id)?;
    view(core, viewer.id, &posting)
}

/// The member's own postings, expired ones included, newest first.
pub fn mine(core: &Core, actor: &User, page: &PageQuery) -> Result<Page<PostingView>, AppError> {
    let limit = page.limit(&core.config);
    let rows = core.store.scan_prefix(
        Tree::UseridPostingid,
        &actor.id.key(),
        page.after_key()?.as_deref(),
        limit + 1,
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (k, _) in rows {
        let id = PostingId(u64::MAX - crate::store::be_u64(&k[8..]));
        if let Some(p) = core
            .store
            .get_json::<Posting>(Tree::PostingidPosting, &id.key())?
        {
            out.push((k, view(core, actor.id, &p)?));
        }
    }
    Ok(Page::from_rows(out, limit))
}

/// Ids of every posting `author` wrote.
pub fn ids_by_author(core: &Core, author: UserId) -> Result<Vec<PostingId>, AppError> {
    Ok(core
        .store
        .scan_prefix(Tree::UseridPostingid, &author.key(), None, usize::MAX)?
        .iter()
        .map(|(k, _)| PostingId(u64::MAX - crate::store::be_u64(&k[8..])))
        .collect())
}

/// A posting's comments, oldest first.
pub fn comments(
    core: &Core,
    viewer: &User,
    id: PostingId,
    page: &PageQuery,
) -> Result<Page<CommentView>, AppError> {
    visible(core, viewer.id, id)?;
    let limit = page.limit(&core.config);
    let rows = core.store.scan_json::<Comment>(
        Tree::PostingidComment,
        &id.key(),
        page.after_key()?.as_deref(),
        limit + 1,
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (k, c) in rows {
        out.push((k, comment_view(core, viewer.id, &c)?));
    }
    Ok(Page::from_rows(out, limit))
}

/// Adds a post comment; the posting's author is notified (live), unless it is their own.
pub fn add_comment(
    core: &Core,
    actor: &User,
    id: PostingId,
    input: CommentInput,
) -> Result<CommentView, AppError> {
    ensure_etwinner(actor, "comment on postings")?;
    let body = input.body.trim().to_string();
    check_text("body", &body, 1, core.config.limits.comment_chars, true)?;
    let now = core.clock.now();
    visible(core, actor.id, id)?;
    core.rate_limits
        .comments
        .acquire(&actor.id.to_string(), now)?;
    let comment = Comment {
        id: CommentId(core.store.next_id()?),
        posting: id,
        author: actor.id,
        body,
        created_at: now,
    };
    let notification = NotificationId(core.store.next_id()?);
    let mut trees = vec![Tree::PostingidPosting, Tree::PostingidComment];
    trees.extend(notifications::TREES);
    let out = core.store.transact(&trees, |tx| {
        let mut posting: Posting = tx
            .get_json(Tree::PostingidPosting, &id.key())?
            .ok_or(TxError::Abort(AppError::NotFound("posting")))?;
        posting.comment_count += 1;
        tx.put_json(Tree::PostingidPosting, &id.key(), &posting)?;
        tx.put_json(
            Tree::PostingidComment,
            &key(&[&id.key(), &comment.id.key()]),
            &comment,
        )?;
        let mut out = Pending::default();
        if posting.author != actor.id {
            let what = NotificationKind::PostingComment {
                posting: id,
                title: posting.title.clone(),
                by: actor.id,
                name: actor.profile.display_name.clone(),
            };
            out.notify(core, tx, posting.author, notification, what)?;
        }
        Ok(out)
    })?;
    out.publish(core);
    comment_view(core, actor.id, &comment)
}

/// Deletes a comment: its author, or the posting's author (moderating their own posting).
pub fn delete_comment(
    core: &Core,
    actor: &User,
    id: PostingId,
    comment: CommentId,
) -> Result<(), AppError> {
    let ck = key(&[&id.key(), &comment.key()]);
    core.store
        .transact(&[Tree::PostingidPosting, Tree::PostingidComment], |tx| {
            let mut posting: Posting = tx
                .get_json(Tree::PostingidPosting, &id.key())?
                .ok_or(TxError::Abort(AppError::NotFound("comment")))?;
            let c: Comment = tx
                .get_json(Tree::PostingidComment, &ck)?
                .ok_or(TxError::Abort(AppError::NotFound("comment")))?;
            if c.author != actor.id && posting.author != actor.id {
                return Err(TxError::Abort(AppError::Forbidden(
                    "only the comment's author or the posting's author can delete it".into(),
                )));
            }
            tx.remove(Tree::PostingidComment, &ck)?;
            posting.comment_count = posting.comment_count.saturating_sub(1);
            tx.put_json(Tree::PostingidPosting, &id.key(), &posting)
        })
}

fn load(core: &Core, id: PostingId) -> Result<Posting, AppError> {
    core.store
        .get_json(Tree::PostingidPosting, &id.key())?
        .ok_or(AppError::NotFound("posting"))
}

/// The posting if `viewer` may see it; an expired one answers 404 to others, as if gone.
fn visible(core: &Core, viewer: UserId, id: PostingId) -> Result<Posting, AppError> {
    let p = load(core, id)?;
    if p.visible_to(viewer, core.clock.now()) {
        Ok(p)
    } else {
        Err(AppError::NotFound("posting"))
    }
}

/// The posting if `actor` wrote it: others may not change it (403 if they can see it).
fn own(core: &Core, actor: UserId, id: PostingId) -> Result<Posting, AppError> {
    let p = visible(core, actor, id)?;
    if p.author == actor {
        Ok(p)
    } else {
        Err(AppError::Forbidden(
            "only the posting's author can change it".into(),
        ))
    }
}

fn ensure_own_school(tx: &dyn Txn, author: UserId, school: SchoolId) -> Result<(), TxError> {
    let current = key(&[&author.key(), &school.key()]);
    if tx.get(Tree::UseridSchoolidTie, &current)?.is_none() {
        return Err(TxError::Abort(AppError::Validation(
            "school_id: the organisation must be one of your schools (add it to your profile first)"
                .into(),
        )));
    }
    Ok(())
}

/// Applies the given fields to `p` and checks the result as a whole.
fn apply(
    core: &Core,
    mut p: Posting,
    input: PostingInput,
    now: OffsetDateTime,
) -> Result<Posting, AppError> {
    let l = &core.config.limits;
    let text = |v: Option<String>, old: String| v.map(|s| s.trim().to_string()).unwrap_or(old);
    p.scope = input.scope.unwrap_or(p.scope);
    p.school = input.school_id.unwrap_or(p.school);
    p.title = text(input.title, p.title);
    p.summary = text(input.summary, p.summary);
    p.description = text(input.description, p.description);
    check_text("title", &p.title, 1, l.posting_title_chars, false)?;
    check_text("summary", &p.summary, 1, l.posting_summary_chars, true)?;
    check_text(
        "description",
        &p.description,
        1,
        l.posting_description_chars,
        true,
    )?;
    let max = l.posting_list_items_max;
    let codes =
        |v: Option<Vec<String>>, old: Vec<String>| v.map(|c| dedup_codes(&c)).unwrap_or(old);
    p.languages = codes(input.languages, p.languages);
    p.subjects = codes(input.subjects, p.subjects);
    p.topics = codes(input.topics, p.topics);
    p.key_competences = codes(input.key_competences, p.key_competences);
    p.pupil_ages = codes(input.pupil_ages, p.pupil_ages);
    check_codes("languages", &p.languages, 1, max, catalog::is_language)?;
    check_codes("subjects", &p.subjects, 1, max, catalog::is_subject)?;
    check_codes("topics", &p.topics, 0, max, catalog::is_topic)?;
    check_codes(
        "key_competences",
        &p.key_competences,
        0,
        max,
        catalog::is_key_competence,
    )?;
    check_codes("pupil_ages", &p.pupil_ages, 1, max, catalog::is_pupil_age)?;
    if let Some(d) = input.visible_until {
        let today = now.date();
        let last = today + Duration::days(l.posting_visible_days_max);
        if d < today || d > last {
            return Err(AppError::Validation(format!(
                "visible_until: between today ({today}) and {last}"
            )));
        }
        p.visible_until = d;
    }
    Ok(p)
}

fn view(core: &Core, viewer: UserId, p: &Posting) -> Result<PostingView, AppError> {
    let author = core.user(p.author)?;
    let school: Option<School> = core.store.get_json(Tree::SchoolidSchool, &p.school.key())?;
    let school = school
        .map(|s| SchoolRef {
            id: s.id,
            name: s.name,
            city: s.city,
            country: s.country,
        })
        .ok_or_else(|| AppError::internal("a posting's school is missing"))?;
    Ok(PostingView {
        id: p.id,
        author: person(&author),
        school,
        scope: p.scope,
        title: p.title.clone(),
        summary: p.summary.clone(),
        description: p.description.clone(),
        languages: p.languages.clone(),
        subjects: p.subjects.clone(),
        topics: p.topics.clone(),
        key_competences: p.key_competences.clone(),
        pupil_ages: p.pupil_ages.clone(),
        visible_until: p.visible_until,
        created_at: p.created_at,
        updated_at: p.updated_at,
        expired: p.expired(core.clock.now()),
        comment_count: p.comment_count,
        mine: p.author == viewer,
    })
}

fn comment_view(core: &Core, viewer: UserId, c: &Comment) -> Result<CommentView, AppError> {
    let author = core.user(c.author)?;
    Ok(CommentView {
        id: c.id,
        posting_id: c.posting,
        author: person(&author),
        body: c.body.clone(),
        created_at: c.created_at,
        mine: c.author == viewer,
    })
}
