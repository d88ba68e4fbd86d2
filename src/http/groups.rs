//! `/api/groups`: the group basics the live layer needs (create, join, leave, messages).

use actix_web::{delete, get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::domain::event::GroupMessage;
use crate::error::{AppError, ErrorBody};
use crate::ids::GroupId;
use crate::service::groups::{self, Group, NewGroup, NewMessage};
use crate::service::{Core, Page, PageQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(get_group)
        .service(join)
        .service(leave)
        .service(post_message)
        .service(messages);
}

/// Create a group; I become its first member.
#[utoipa::path(tag = "groups", request_body = NewGroup, responses((status = 201, body = Group), (status = 400, body = ErrorBody)))]
#[post("/groups")]
async fn create(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<NewGroup>,
) -> Result<HttpResponse, AppError> {
    let g = run(move || groups::create(&core, &m.0.user, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(g))
}

#[utoipa::path(tag = "groups", params(("id" = u64, Path)), responses((status = 200, body = Group), (status = 404, body = ErrorBody)))]
#[get("/groups/{id}")]
async fn get_group(
    core: web::Data<Core>,
    _m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let g = run(move || groups::group(&core, id)).await?;
    Ok(HttpResponse::Ok().json(g))
}

/// Join a group.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
#[post("/groups/{id}/members")]
async fn join(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    run(move || groups::join(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Leave a group; my open sockets stop receiving its events at once.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/groups/{id}/members/me")]
async fn leave(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    run(move || groups::leave(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Post a message (members only; idempotent by `client_id`).
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), request_body = NewMessage,
    responses((status = 201, body = GroupMessage), (status = 403, body = ErrorBody)))]
#[post("/groups/{id}/messages")]
async fn post_message(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<NewMessage>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let user = m.0.user.id;
    let msg = run(move || groups::post(&core, user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(msg))
}

/// The group's messages, newest first (members only).
#[utoipa::path(tag = "groups", params(("id" = u64, Path), PageQuery),
    responses((status = 200, body = Page<GroupMessage>), (status = 403, body = ErrorBody)))]
#[get("/groups/{id}/messages")]
async fn messages(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let user = m.0.user.id;
    let page = run(move || groups::messages(&core, user, id, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}
