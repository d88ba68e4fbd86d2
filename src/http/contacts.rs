//! `/api/contacts/*` and `/api/blocks/*`: contact requests, contacts, and private blocks
//! (R1, R2). Every change is pushed to both sides' open tabs as a `contact` user event.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::domain::contact::ContactState;
use crate::domain::user::PublicProfile;
use crate::error::{AppError, ErrorBody};
use crate::ids::UserId;
use crate::service::contacts::{self, ContactEntry, ContactQuery, Relation, RequestEntry};
use crate::service::{Core, Page, PageQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(request)
        .service(list)
        .service(received)
        .service(sent)
        .service(relation)
        .service(accept)
        .service(decline)
        .service(cancel)
        .service(remove)
        .service(block)
        .service(unblock)
        .service(blocked);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    pub user_id: UserId,
}

#[derive(Serialize, ToSchema)]
pub struct StateAnswer {
    pub state: ContactState,
}

fn state(state: ContactState) -> HttpResponse {
    HttpResponse::Ok().json(StateAnswer { state })
}

/// "Add as contact": ask a validated eTwinner to become a contact. If they had already asked
/// me, this accepts their request (state `contact`); asking twice changes nothing.
#[utoipa::path(tag = "contacts", request_body = RequestInput,
    responses((status = 200, body = StateAnswer), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "one of us is not eTwinning validated"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/contacts/requests")]
async fn request(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<RequestInput>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, body.user_id);
    Ok(state(
        run(move || contacts::request(&core, me, them)).await?,
    ))
}

/// My contacts, optionally filtered by words of their names.
#[utoipa::path(tag = "contacts", params(ContactQuery),
    responses((status = 200, body = Page<ContactEntry>), (status = 401, body = ErrorBody)))]
#[get("/contacts")]
async fn list(
    core: web::Data<Core>,
    m: Member,
    query: web::Query<ContactQuery>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    Ok(HttpResponse::Ok().json(run(move || contacts::contacts(&core, me, &query)).await?))
}

/// Contact requests I received and have not answered.
#[utoipa::path(tag = "contacts", params(PageQuery), responses((status = 200, body = Page<RequestEntry>)))]
#[get("/contacts/requests/received")]
async fn received(
    core: web::Data<Core>,
    m: Member,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    Ok(HttpResponse::Ok().json(run(move || contacts::received(&core, me, &page)).await?))
}

/// Contact requests I sent that are still pending.
#[utoipa::path(tag = "contacts", params(PageQuery), responses((status = 200, body = Page<RequestEntry>)))]
#[get("/contacts/requests/sent")]
async fn sent(
    core: web::Data<Core>,
    m: Member,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    Ok(HttpResponse::Ok().json(run(move || contacts::sent(&core, me, &page)).await?))
}

/// Where I stand with a member (for their profile page), and whether I blocked them.
#[utoipa::path(tag = "contacts", params(("id" = u64, Path)),
    responses((status = 200, body = Relation), (status = 404, body = ErrorBody)))]
#[get("/contacts/{id}/state")]
async fn relation(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    Ok(HttpResponse::Ok().json(run(move || contacts::relation(&core, me, them)).await?))
}

/// Accept the contact request member `id` sent me; they are told.
#[utoipa::path(tag = "contacts", params(("id" = u64, Path)),
    responses((status = 200, body = StateAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/contacts/requests/{id}/accept")]
async fn accept(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    Ok(state(run(move || contacts::accept(&core, me, them)).await?))
}

/// Decline the contact request member `id` sent me (they are not notified).
#[utoipa::path(tag = "contacts", params(("id" = u64, Path)),
    responses((status = 200, body = StateAnswer), (status = 404, body = ErrorBody)))]
#[post("/contacts/requests/{id}/decline")]
async fn decline(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    run(move || contacts::end_request(&core, them, me, true)).await?;
    Ok(state(ContactState::None))
}

/// Cancel the contact request I sent to member `id`.
#[utoipa::path(tag = "contacts", params(("id" = u64, Path)),
    responses((status = 200, body = StateAnswer), (status = 404, body = ErrorBody)))]
#[delete("/contacts/requests/{id}")]
async fn cancel(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    run(move || contacts::end_request(&core, me, them, false)).await?;
    Ok(state(ContactState::None))
}

/// Remove member `id` from my contacts (and me from theirs: contacts are mutual).
#[utoipa::path(tag = "contacts", params(("id" = u64, Path)),
    responses((status = 200, body = StateAnswer), (status = 404, body = ErrorBody)))]
#[delete("/contacts/{id}")]
async fn remove(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    run(move || contacts::remove(&core, me, them)).await?;
    Ok(state(ContactState::None))
}

/// Block member `id`: no contact requests, messages or e-mails from them reach me. Ends a
/// contact or pending request between us. Private: they are not told.
#[utoipa::path(tag = "contacts", params(("id" = u64, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/blocks/{id}")]
async fn block(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    run(move || contacts::block(&core, me, them)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Unblock member `id`.
#[utoipa::path(tag = "contacts", params(("id" = u64, Path)), responses((status = 204)))]
#[delete("/blocks/{id}")]
async fn unblock(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    run(move || contacts::unblock(&core, me, them)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members I blocked.
#[utoipa::path(tag = "contacts", params(PageQuery), responses((status = 200, body = Page<PublicProfile>)))]
#[get("/blocks")]
async fn blocked(
    core: web::Data<Core>,
    m: Member,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    Ok(HttpResponse::Ok().json(run(move || contacts::blocked(&core, me, &page)).await?))
}
