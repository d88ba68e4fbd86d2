//! `/api/nso/*` for NSO officers and `/api/admin/*` for platform administrators.

use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::{optional_json, run};
use crate::domain::user::PublicProfile;
use crate::error::{AppError, ErrorBody};
use crate::ids::UserId;
use crate::service::nso::{self, MembersQuery, RefusalInput};
use crate::service::{Core, Page};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(members)
        .service(validate)
        .service(unvalidate)
        .service(refuse)
        .service(appoint)
        .service(dismiss);
}

/// Members of my NSO's country, by validation state (default: pending).
#[utoipa::path(tag = "nso", params(MembersQuery),
    responses((status = 200, body = Page<PublicProfile>), (status = 403, body = ErrorBody)))]
#[get("/nso/members")]
async fn members(
    core: web::Data<Core>,
    m: Member,
    query: web::Query<MembersQuery>,
) -> Result<HttpResponse, AppError> {
    let page = run(move || nso::members(&core, &m.0.user, &query)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Validate a member of my country as an eTwinner.
#[utoipa::path(tag = "nso", params(("id" = u64, Path)),
    responses((status = 200, body = PublicProfile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/nso/members/{id}/validation")]
async fn validate(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let p = run(move || nso::set_validation(&core, &m.0.user, id, true)).await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Withdraw the validation of a member of my country.
#[utoipa::path(tag = "nso", params(("id" = u64, Path)),
    responses((status = 200, body = PublicProfile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/nso/members/{id}/validation")]
async fn unvalidate(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let p = run(move || nso::set_validation(&core, &m.0.user, id, false)).await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Refuse to validate a member of my country; the optional reason is told to the member.
/// A validated member cannot be refused (409: withdraw the validation first); validating
/// the member later clears the refusal.
#[utoipa::path(tag = "nso", params(("id" = u64, Path)),
    request_body(content = Option<RefusalInput>, description = "optional; `{}` or no body at all means no reason"),
    responses((status = 200, body = PublicProfile), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/nso/members/{id}/refusal")]
async fn refuse(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let limit = core.config.limits.json_body_bytes;
    let input: RefusalInput = optional_json(&req, body, limit).await?.unwrap_or_default();
    let p = run(move || nso::refuse(&core, &m.0.user, id, input)).await?;
    Ok(HttpResponse::Ok().json(p))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficerInput {
    /// eTwinning country code of the NSO.
    pub country: String,
}

/// Appoint a member as NSO officer of a country (administrators only).
#[utoipa::path(tag = "admin", params(("id" = u64, Path)), request_body = OfficerInput,
    responses((status = 200, body = PublicProfile), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/admin/nso-officers/{id}")]
async fn appoint(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<OfficerInput>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let p = run(move || nso::set_officer(&core, &m.0.user, id, Some(body.into_inner().country)))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Remove a member's NSO officer role (administrators only).
#[utoipa::path(tag = "admin", params(("id" = u64, Path)),
    responses((status = 200, body = PublicProfile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/admin/nso-officers/{id}")]
async fn dismiss(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let p = run(move || nso::set_officer(&core, &m.0.user, id, None)).await?;
    Ok(HttpResponse::Ok().json(p))
}
