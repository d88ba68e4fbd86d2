//! `GET /api/search`: the query endpoint of the UI's Networking area and of search clients.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::domain::catalog::{self, MemberType};
use crate::domain::group::JoinPolicy;
use crate::error::{AppError, ErrorBody};
use crate::search::query::{Kind, Request, Results};
use crate::service::Core;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(search);
}

/// The search parameters. Filters apply to the kinds that have them (see each).
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// `people` (default), `postings`, `projects` or `groups`.
    pub kind: Option<Kind>,
    /// Words, every one of which must be in a result (the last also as a prefix). Plain
    /// text: quotes, colons and brackets have no meaning. At most `limits.query_chars`.
    pub q: Option<String>,
    /// People, postings: an eTwinning country code (a posting's is its school's).
    pub country: Option<String>,
    /// People, postings, groups: a language code.
    pub language: Option<String>,
    /// People, postings, groups: a subject code.
    pub subject: Option<String>,
    /// People: a member type.
    pub member_type: Option<String>,
    /// People: `true` for members available for eTwinning projects.
    pub available: Option<String>,
    /// Postings: `national` or `european`.
    pub scope: Option<String>,
    /// Postings: a pupils' age band code.
    pub age: Option<String>,
    /// Postings: a key competence code.
    pub competence: Option<String>,
    /// Postings: a topic code.
    pub topic: Option<String>,
    /// Groups: who may join, `all`, `etwinners` or `invited`.
    pub policy: Option<String>,
    /// Results per page (default and maximum in config.toml).
    pub limit: Option<usize>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// Search people, partner-finding postings, projects or groups. Every word of `q` must be
/// in a result (R5), case and accents ignored; results come by relevance, then newest
/// first, with per-filter counts (`facets`). Expired postings are left out. Only public
/// fields are searched.
#[utoipa::path(tag = "search", params(SearchQuery),
    responses((status = 200, body = Results), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[get("/search")]
async fn search(
    core: web::Data<Core>,
    m: Member,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    let results = run(move || {
        core.rate_limits
            .searches
            .acquire(&me.to_string(), core.clock.now())?;
        let request = request(&core, query.into_inner())?;
        core.search.search(&core.config.search, &request)
    })
    .await?;
    Ok(HttpResponse::Ok().json(results))
}

/// A filter dimension, the value asked for, and the check of its values.
type Filter = (&'static str, Option<String>, fn(&str) -> bool);

/// Checks the parameters and turns them into a search request.
fn request(core: &Core, q: SearchQuery) -> Result<Request, AppError> {
    let cfg = &core.config;
    let text = q.q.unwrap_or_default();
    if text.chars().count() > cfg.limits.query_chars {
        return Err(AppError::Validation(format!(
            "q: at most {} characters",
            cfg.limits.query_chars
        )));
    }
    crate::service::text::single_line("q", &text)?;
    let kind = q.kind.unwrap_or(Kind::People);
    let given: [Filter; 10] = [
        ("country", q.country, catalog::is_country),
        ("language", q.language, catalog::is_language),
        ("subject", q.subject, catalog::is_subject),
        ("member_type", q.member_type, |v| {
            MemberType::ALL.iter().any(|t| t.code() == v)
        }),
        ("available", q.available, |v| v == "true"),
        ("scope", q.scope, |v| v == "national" || v == "european"),
        ("age", q.age, catalog::is_pupil_age),
        ("competence", q.competence, catalog::is_key_competence),
        ("topic", q.topic, catalog::is_topic),
        ("policy", q.policy, |v| {
            JoinPolicy::ALL.iter().any(|p| p.code() == v)
        }),
    ];
    let mut filters = Vec::new();
    for (dimension, value, known) in given {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        if kind.filter(dimension).is_none() {
            return Err(AppError::Validation(format!(
                "{dimension}: not a filter of {}",
                kind.code()
            )));
        }
        if !known(&value) {
            return Err(AppError::Validation(format!(
                "{dimension}: '{value}' is not a known value (see GET /api/catalog)"
            )));
        }
        filters.push((dimension, value));
    }
    let limit = q
        .limit
        .unwrap_or(cfg.limits.page_size_default)
        .clamp(1, cfg.limits.page_size_max);
    let offset = match q.after.as_deref() {
        None | Some("") => 0,
        Some(a) => a
            .parse::<usize>()
            .map_err(|_| AppError::Validation("after: not a cursor of this search".into()))?,
    };
    if offset >= cfg.search.max_results {
        return Err(AppError::Validation(format!(
            "after: results stop at {}; add words or filters instead",
            cfg.search.max_results
        )));
    }
    Ok(Request {
        kind,
        text,
        filters,
        offset,
        limit: limit.min(cfg.search.max_results - offset),
    })
}
