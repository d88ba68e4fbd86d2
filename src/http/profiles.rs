//! `/api/users/{id}`: public profiles, editing one's own, and profile pictures.

use actix_web::{delete, get, patch, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::openapi::PictureBytes;
use super::run;
use crate::domain::user::{OwnProfile, PublicProfile};
use crate::error::{AppError, ErrorBody};
use crate::ids::UserId;
use crate::service::profiles::{self, ProfilePatch};
use crate::service::Core;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_profile)
        .service(update_profile)
        .service(get_picture)
        .service(put_picture)
        .service(delete_picture);
}

/// A member's public profile (any logged-in member may look).
#[utoipa::path(tag = "profiles", params(("id" = u64, Path)),
    responses((status = 200, body = PublicProfile), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/users/{id}")]
async fn get_profile(
    core: web::Data<Core>,
    _m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let profile = run(move || profiles::public_profile(&core, id)).await?;
    Ok(HttpResponse::Ok().json(profile))
}

/// Edit my profile (only my own: anyone else's answers 403).
#[utoipa::path(tag = "profiles", params(("id" = u64, Path)), request_body = ProfilePatch,
    responses((status = 200, body = OwnProfile), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[patch("/users/{id}/profile")]
async fn update_profile(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<ProfilePatch>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let own =
        run(move || profiles::update_profile(&core, &m.0.user, id, body.into_inner())).await?;
    Ok(HttpResponse::Ok().json(own))
}

/// A member's profile picture, served with its checked content type.
#[utoipa::path(tag = "profiles", params(("id" = u64, Path)),
    responses((status = 200, content_type = "image/*", body = PictureBytes), (status = 404, body = ErrorBody)))]
#[get("/users/{id}/picture")]
async fn get_picture(
    core: web::Data<Core>,
    _m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let (content_type, bytes, _) = run(move || profiles::picture(&core, id)).await?;
    Ok(super::picture_response(content_type, bytes))
}

/// Upload my profile picture: the raw image as the body, with its `Content-Type`
/// (png, jpeg, gif or webp; size limit `limits.picture_bytes`).
#[utoipa::path(tag = "profiles", params(("id" = u64, Path)),
    request_body(content(
        (PictureBytes = "image/png"), (PictureBytes = "image/jpeg"), (PictureBytes = "image/gif"),
        (PictureBytes = "image/webp"))),
    responses((status = 200, body = OwnProfile), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
#[put("/users/{id}/picture")]
async fn put_picture(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let body = super::read_body(payload, core.config.limits.picture_bytes).await?;
    let id = UserId(id.into_inner());
    let content_type = super::content_type_of(&req);
    let own =
        run(move || profiles::set_picture(&core, &m.0.user, id, &content_type, body.to_vec()))
            .await?;
    Ok(HttpResponse::Ok().json(own))
}

/// Remove my profile picture.
#[utoipa::path(tag = "profiles", params(("id" = u64, Path)),
    responses((status = 200, body = OwnProfile), (status = 403, body = ErrorBody)))]
#[delete("/users/{id}/picture")]
async fn delete_picture(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let own = run(move || profiles::delete_picture(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::Ok().json(own))
}
