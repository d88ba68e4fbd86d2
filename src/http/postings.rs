//! `/api/postings/*`: partner finding (R6), "eTwinning project idea" postings and their
//! post comments. Lists and search go through `GET /api/search?kind=postings`.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::error::{AppError, ErrorBody};
use crate::ids::{CommentId, PostingId};
use crate::service::postings::{self, CommentInput, CommentView, PostingInput, PostingView};
use crate::service::{Core, Page, PageQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(mine)
        .service(read)
        .service(update)
        .service(remove)
        .service(comments)
        .service(add_comment)
        .service(remove_comment);
}

/// Publish a posting (validated eTwinners). `school_id` must be one of my schools; every
/// field is required except `topics` and `key_competences`.
#[utoipa::path(tag = "postings", request_body = PostingInput,
    responses((status = 201, body = PostingView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/postings")]
async fn create(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<PostingInput>,
) -> Result<HttpResponse, AppError> {
    let view = run(move || postings::create(&core, &m.0.user, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(view))
}

/// My postings, expired ones included, newest first.
#[utoipa::path(tag = "postings", params(PageQuery), responses((status = 200, body = Page<PostingView>)))]
#[get("/me/postings")]
async fn mine(
    core: web::Data<Core>,
    m: Member,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(run(move || postings::mine(&core, &m.0.user, &page)).await?))
}

/// A posting. Past its last day it answers 404 to everyone but its author.
#[utoipa::path(tag = "postings", params(("id" = u64, Path)),
    responses((status = 200, body = PostingView), (status = 404, body = ErrorBody)))]
#[get("/postings/{id}")]
async fn read(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = PostingId(id.into_inner());
    Ok(HttpResponse::Ok().json(run(move || postings::get(&core, &m.0.user, id)).await?))
}

/// Change my posting (the fields given; the others stay).
#[utoipa::path(tag = "postings", params(("id" = u64, Path)), request_body = PostingInput,
    responses((status = 200, body = PostingView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[patch("/postings/{id}")]
async fn update(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<PostingInput>,
) -> Result<HttpResponse, AppError> {
    let id = PostingId(id.into_inner());
    let view = run(move || postings::update(&core, &m.0.user, id, body.into_inner())).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Delete my posting and its comments.
#[utoipa::path(tag = "postings", params(("id" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/postings/{id}")]
async fn remove(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = PostingId(id.into_inner());
    run(move || postings::delete(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A posting's comments, oldest first.
#[utoipa::path(tag = "postings", params(("id" = u64, Path), PageQuery),
    responses((status = 200, body = Page<CommentView>), (status = 404, body = ErrorBody)))]
#[get("/postings/{id}/comments")]
async fn comments(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = PostingId(id.into_inner());
    Ok(
        HttpResponse::Ok()
            .json(run(move || postings::comments(&core, &m.0.user, id, &page)).await?),
    )
}

/// Add a post comment (validated eTwinners); the posting's author is notified live.
#[utoipa::path(tag = "postings", params(("id" = u64, Path)), request_body = CommentInput,
    responses((status = 201, body = CommentView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/postings/{id}/comments")]
async fn add_comment(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<CommentInput>,
) -> Result<HttpResponse, AppError> {
    let id = PostingId(id.into_inner());
    let view = run(move || postings::add_comment(&core, &m.0.user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Delete a comment: mine, or any on my posting.
#[utoipa::path(tag = "postings", params(("id" = u64, Path), ("comment_id" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/postings/{id}/comments/{comment_id}")]
async fn remove_comment(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
) -> Result<HttpResponse, AppError> {
    let (id, comment) = path.into_inner();
    let (id, comment) = (PostingId(id), CommentId(comment));
    run(move || postings::delete_comment(&core, &m.0.user, id, comment)).await?;
    Ok(HttpResponse::NoContent().finish())
}
