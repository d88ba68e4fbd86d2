//! `/api/groups`, `/api/me/groups`, `/api/me/group-invitations`: groups (R9), their
//! members, administrators and invitations, and their chat over HTTP (the WebSocket carries
//! the same chat live: docs/protocol.md).

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::openapi::PictureBytes;
use super::run;
use crate::domain::code_of_conduct::CodeOfConduct;
use crate::domain::event::GroupMessage;
use crate::error::{AppError, ErrorBody};
use crate::ids::{GroupId, UserId};
use crate::service::groups::chat::{
    self, Changes, ChangesQuery, EditMessage, NewMessage, ReadUpTo, Unread,
};
use crate::service::groups::members::{self, InvitationView, MemberView, MyGroup, MyInvitation};
use crate::service::groups::{self, GroupInput, GroupView};
use crate::service::{Core, Page, PageQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    // Fixed paths before the ones with a parameter in their place.
    cfg.service(code_of_conduct)
        .service(create)
        .service(get_group)
        .service(update)
        .service(get_picture)
        .service(put_picture)
        .service(delete_picture)
        .service(list_members)
        .service(join)
        .service(leave)
        .service(remove_member)
        .service(appoint)
        .service(dismiss)
        .service(invite)
        .service(list_invitations)
        .service(decline)
        .service(withdraw)
        .service(my_groups)
        .service(my_invitations)
        .service(post_message)
        .service(messages)
        .service(changes)
        .service(edit_message)
        .service(delete_message)
        .service(mark_read);
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LangQuery {
    /// ISO 639-1; English when the text has no version in it.
    pub lang: Option<String>,
}

/// The groups' Code of Conduct, which a member accepts (by its version) to create a group.
#[utoipa::path(tag = "groups", params(LangQuery), responses((status = 200, body = CodeOfConduct)))]
#[get("/groups/code-of-conduct")]
async fn code_of_conduct(_m: Member, q: web::Query<LangQuery>) -> HttpResponse {
    HttpResponse::Ok().json(groups::code_of_conduct(q.lang.as_deref().unwrap_or("en")))
}

/// Create a group (validated eTwinners, accepting the current Code of Conduct); I become
/// its first member and administrator.
#[utoipa::path(tag = "groups", request_body = GroupInput,
    responses((status = 201, body = GroupView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/groups")]
async fn create(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<GroupInput>,
) -> Result<HttpResponse, AppError> {
    let g = run(move || groups::create(&core, &m.0.user, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(g))
}

/// A group's about and where I stand with it.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), responses((status = 200, body = GroupView), (status = 404, body = ErrorBody)))]
#[get("/groups/{id}")]
async fn get_group(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let g = run(move || groups::get(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::Ok().json(g))
}

/// Change the group's title, description, subjects, languages or policy (administrators).
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), request_body = GroupInput,
    responses((status = 200, body = GroupView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[patch("/groups/{id}")]
async fn update(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<GroupInput>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let g = run(move || groups::update(&core, &m.0.user, id, body.into_inner())).await?;
    Ok(HttpResponse::Ok().json(g))
}

/// The group's picture.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)),
    responses((status = 200, content_type = "image/*", body = PictureBytes), (status = 404, body = ErrorBody)))]
#[get("/groups/{id}/picture")]
async fn get_picture(
    core: web::Data<Core>,
    _m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let (content_type, bytes, _) = run(move || groups::picture(&core, id)).await?;
    Ok(super::picture_response(content_type, bytes))
}

/// Upload the group's picture (administrators): the raw image as the body, with its
/// `Content-Type` (png, jpeg, gif or webp; size limit `limits.picture_bytes`).
#[utoipa::path(tag = "groups", params(("id" = u64, Path)),
    request_body(content(
        (PictureBytes = "image/png"), (PictureBytes = "image/jpeg"), (PictureBytes = "image/gif"),
        (PictureBytes = "image/webp"))),
    responses((status = 200, body = GroupView), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
#[put("/groups/{id}/picture")]
async fn put_picture(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let body = super::read_body(payload, core.config.limits.picture_bytes).await?;
    let id = GroupId(id.into_inner());
    let content_type = super::content_type_of(&req);
    let g = run(move || {
        groups::set_picture(&core, &m.0.user, id, Some((&content_type, body.to_vec())))
    })
    .await?;
    Ok(HttpResponse::Ok().json(g))
}

/// Remove the group's picture (administrators).
#[utoipa::path(tag = "groups", params(("id" = u64, Path)),
    responses((status = 200, body = GroupView), (status = 403, body = ErrorBody)))]
#[delete("/groups/{id}/picture")]
async fn delete_picture(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let g = run(move || groups::set_picture(&core, &m.0.user, id, None)).await?;
    Ok(HttpResponse::Ok().json(g))
}

/// The group's members (an invitation-only group's: members only).
#[utoipa::path(tag = "groups", params(("id" = u64, Path), PageQuery),
    responses((status = 200, body = Page<MemberView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/groups/{id}/members")]
async fn list_members(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let page = run(move || members::members(&core, &m.0.user, id, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Join a group, as its policy allows (403 with the reason otherwise). Joining twice
/// changes nothing.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)),
    responses((status = 200, body = GroupView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/groups/{id}/members")]
async fn join(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let g = run(move || members::join(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::Ok().json(g))
}

/// Leave a group; my open sockets stop receiving its events at once. The last
/// administrator must appoint another first (409).
#[utoipa::path(tag = "groups", params(("id" = u64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/groups/{id}/members/me")]
async fn leave(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    run(move || members::leave(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove a member (administrators): their sockets stop receiving at once, and only a new
/// invitation lets them back.
#[utoipa::path(tag = "groups", params(("id" = u64, Path), ("user" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/groups/{id}/members/{user}")]
async fn remove_member(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user) = path.into_inner();
    run(move || members::remove(&core, &m.0.user, GroupId(id), UserId(user))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Appoint a member administrator (administrators).
#[utoipa::path(tag = "groups", params(("id" = u64, Path), ("user" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/groups/{id}/admins/{user}")]
async fn appoint(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user) = path.into_inner();
    run(move || members::set_admin(&core, &m.0.user, GroupId(id), UserId(user), true)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take an administrator's role back, or step down (administrators; 409 for the last one).
#[utoipa::path(tag = "groups", params(("id" = u64, Path), ("user" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/groups/{id}/admins/{user}")]
async fn dismiss(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user) = path.into_inner();
    run(move || members::set_admin(&core, &m.0.user, GroupId(id), UserId(user), false)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    pub user: UserId,
}

/// Invite a member (administrators); they are notified.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), request_body = InviteInput,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/groups/{id}/invitations")]
async fn invite(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<InviteInput>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let user = body.user;
    run(move || members::invite(&core, &m.0.user, id, user)).await?;
    Ok(HttpResponse::Created().finish())
}

/// The group's waiting invitations (administrators).
#[utoipa::path(tag = "groups", params(("id" = u64, Path)),
    responses((status = 200, body = Vec<InvitationView>), (status = 403, body = ErrorBody)))]
#[get("/groups/{id}/invitations")]
async fn list_invitations(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let list = run(move || members::invitations(&core, &m.0.user, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Decline an invitation to me.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/groups/{id}/invitations/me")]
async fn decline(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let me = m.0.user.id;
    run(move || members::cancel_invitation(&core, &m.0.user, id, me)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Withdraw an invitation (administrators).
#[utoipa::path(tag = "groups", params(("id" = u64, Path), ("user" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/groups/{id}/invitations/{user}")]
async fn withdraw(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user) = path.into_inner();
    run(move || members::cancel_invitation(&core, &m.0.user, GroupId(id), UserId(user))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// My groups, with the unread count of each one's chat.
#[utoipa::path(tag = "groups", responses((status = 200, body = Vec<MyGroup>)))]
#[get("/me/groups")]
async fn my_groups(core: web::Data<Core>, m: Member) -> Result<HttpResponse, AppError> {
    let list = run(move || members::mine(&core, &m.0.user)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Invitations waiting for me.
#[utoipa::path(tag = "groups", responses((status = 200, body = Vec<MyInvitation>)))]
#[get("/me/group-invitations")]
async fn my_invitations(core: web::Data<Core>, m: Member) -> Result<HttpResponse, AppError> {
    let list = run(move || members::my_invitations(&core, &m.0.user)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Post a message (members only; idempotent by `client_id`; rate-limited).
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), request_body = NewMessage,
    responses((status = 201, body = GroupMessage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/groups/{id}/messages")]
async fn post_message(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<NewMessage>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let user = m.0.user.id;
    let msg = run(move || chat::post(&core, user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(msg))
}

/// The group's messages, newest first (members only); `next` pages back in time.
#[utoipa::path(tag = "groups", params(("id" = u64, Path), PageQuery),
    responses((status = 200, body = Page<GroupMessage>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/groups/{id}/messages")]
async fn messages(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let user = m.0.user.id;
    let page = run(move || chat::messages(&core, user, id, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Messages sent, edited or deleted after `after_rev`, oldest change first (members only):
/// how a client catches up after a disconnect.
#[utoipa::path(tag = "groups", params(("id" = u64, Path), ChangesQuery),
    responses((status = 200, body = Changes), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/groups/{id}/changes")]
async fn changes(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let user = m.0.user.id;
    let changes = run(move || chat::changes(&core, user, id, &query)).await?;
    Ok(HttpResponse::Ok().json(changes))
}

/// Edit my message.
#[utoipa::path(tag = "groups", params(("id" = u64, Path), ("message" = u64, Path)), request_body = EditMessage,
    responses((status = 200, body = GroupMessage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[patch("/groups/{id}/messages/{message}")]
async fn edit_message(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
    body: web::Json<EditMessage>,
) -> Result<HttpResponse, AppError> {
    let (id, message) = path.into_inner();
    let user = m.0.user.id;
    let msg = run(move || chat::edit(&core, user, GroupId(id), message, body.into_inner())).await?;
    Ok(HttpResponse::Ok().json(msg))
}

/// Delete a message: mine, or any as an administrator. It keeps its place without its text.
#[utoipa::path(tag = "groups", params(("id" = u64, Path), ("message" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/groups/{id}/messages/{message}")]
async fn delete_message(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
) -> Result<HttpResponse, AppError> {
    let (id, message) = path.into_inner();
    let user = m.0.user.id;
    run(move || chat::delete(&core, user, GroupId(id), message)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Move my last-read pointer forward; answers my unread count in the group.
#[utoipa::path(tag = "groups", params(("id" = u64, Path)), request_body = ReadUpTo,
    responses((status = 200, body = Unread), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/groups/{id}/read")]
async fn mark_read(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<ReadUpTo>,
) -> Result<HttpResponse, AppError> {
    let id = GroupId(id.into_inner());
    let user = m.0.user.id;
    let unread = run(move || chat::mark_read(&core, user, id, body.into_inner())).await?;
    Ok(HttpResponse::Ok().json(unread))
}
