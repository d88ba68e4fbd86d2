//! `/api/notifications`: the member's notifications and unread count.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::domain::event::Notification;
use crate::error::{AppError, ErrorBody};
use crate::ids::NotificationId;
use crate::service::notifications::Unread;
use crate::service::{notifications, Core, Page, PageQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(unread_count)
        .service(read)
        .service(read_all);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    pub ids: Vec<NotificationId>,
}

/// My notifications, newest first.
#[utoipa::path(tag = "notifications", params(PageQuery),
    responses((status = 200, body = Page<Notification>), (status = 401, body = ErrorBody)))]
#[get("/notifications")]
async fn list(
    core: web::Data<Core>,
    m: Member,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let user = m.0.user.id;
    let page = run(move || notifications::list(&core, user, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// My unread notification count, computed by the server, with the sequence number of my
/// last event as of that count: a client that applied a later event keeps its own count.
#[utoipa::path(tag = "notifications", responses((status = 200, body = Unread), (status = 401, body = ErrorBody)))]
#[get("/notifications/unread")]
async fn unread_count(core: web::Data<Core>, m: Member) -> Result<HttpResponse, AppError> {
    let user = m.0.user.id;
    let count = run(move || notifications::unread(&core, user)).await?;
    Ok(HttpResponse::Ok().json(count))
}

/// Mark some of my notifications read; every open tab is told. Answers the new count with
/// the seq of the `notifications_read` event this appended (the current last seq when
/// nothing changed).
#[utoipa::path(tag = "notifications", request_body = ReadInput,
    responses((status = 200, body = Unread), (status = 400, body = ErrorBody)))]
#[post("/notifications/read")]
async fn read(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<ReadInput>,
) -> Result<HttpResponse, AppError> {
    let user = m.0.user.id;
    if body.ids.len() > core.config.limits.page_size_max {
        return Err(AppError::Validation(format!(
            "ids: at most {} at once",
            core.config.limits.page_size_max
        )));
    }
    let count = run(move || notifications::mark_read(&core, user, &body.ids)).await?;
    Ok(HttpResponse::Ok().json(count))
}

/// Mark all my notifications read; answers like `POST /api/notifications/read`.
#[utoipa::path(tag = "notifications", responses((status = 200, body = Unread)))]
#[post("/notifications/read-all")]
async fn read_all(core: web::Data<Core>, m: Member) -> Result<HttpResponse, AppError> {
    let user = m.0.user.id;
    let count = run(move || notifications::mark_all_read(&core, user)).await?;
    Ok(HttpResponse::Ok().json(count))
}
