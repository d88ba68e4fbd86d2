//! `/api/mail/*`: the mailbox between contacts (R3, R4). Changes reach every open tab as
//! `mail` user events; the unread count comes with its event number like notifications'.

use actix_web::{delete, get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::domain::mailbox::{Folder, MailSummary};
use crate::error::{AppError, ErrorBody};
use crate::ids::MessageId;
use crate::ids::UserId;
use crate::service::mailbox::{self, Delivered, DirectMessage, MessageView, NewMessage};
use crate::service::notifications::Unread;
use crate::service::{Core, Page, PageQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    // The fixed paths before `/mail/{id}`, which would otherwise take them.
    cfg.service(send)
        .service(inbox)
        .service(sent)
        .service(unread)
        .service(read)
        .service(thread)
        .service(mark_unread)
        .service(delete_mine)
        .service(message_member);
}

/// Send a message to contacts (`to`, `cc`). Refused as a whole, naming the recipient, when
/// anyone in it is not a validated eTwinner among my contacts.
#[utoipa::path(tag = "mail", request_body = NewMessage,
    responses((status = 201, body = MessageView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/mail")]
async fn send(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<NewMessage>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    let view = run(move || mailbox::send(&core, me, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(view))
}

/// My inbox, newest first.
#[utoipa::path(tag = "mail", params(PageQuery), responses((status = 200, body = Page<MailSummary>)))]
#[get("/mail/inbox")]
async fn inbox(
    core: web::Data<Core>,
    m: Member,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    Ok(HttpResponse::Ok().json(run(move || mailbox::list(&core, me, Folder::Inbox, &page)).await?))
}

/// The messages I sent, newest first.
#[utoipa::path(tag = "mail", params(PageQuery), responses((status = 200, body = Page<MailSummary>)))]
#[get("/mail/sent")]
async fn sent(
    core: web::Data<Core>,
    m: Member,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    Ok(HttpResponse::Ok().json(run(move || mailbox::list(&core, me, Folder::Sent, &page)).await?))
}

/// My unread message count, with the event number it is current as of.
#[utoipa::path(tag = "mail", responses((status = 200, body = Unread)))]
#[get("/mail/unread")]
async fn unread(core: web::Data<Core>, m: Member) -> Result<HttpResponse, AppError> {
    let me = m.0.user.id;
    Ok(HttpResponse::Ok().json(run(move || mailbox::unread(&core, me)).await?))
}

/// Read one of my messages (it is marked read).
#[utoipa::path(tag = "mail", params(("id" = u64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = ErrorBody)))]
#[get("/mail/{id}")]
async fn read(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, id) = (m.0.user.id, MessageId(id.into_inner()));
    Ok(HttpResponse::Ok().json(run(move || mailbox::read(&core, me, id)).await?))
}

/// The conversation of one of my messages, oldest first (read marks unchanged).
#[utoipa::path(tag = "mail", params(("id" = u64, Path)),
    responses((status = 200, body = Vec<MessageView>), (status = 404, body = ErrorBody)))]
#[get("/mail/{id}/thread")]
async fn thread(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, id) = (m.0.user.id, MessageId(id.into_inner()));
    Ok(HttpResponse::Ok().json(run(move || mailbox::thread(&core, me, id)).await?))
}

/// Mark a message of my inbox unread again.
#[utoipa::path(tag = "mail", params(("id" = u64, Path)),
    responses((status = 200, body = Unread), (status = 404, body = ErrorBody)))]
#[post("/mail/{id}/unread")]
async fn mark_unread(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, id) = (m.0.user.id, MessageId(id.into_inner()));
    Ok(HttpResponse::Ok().json(run(move || mailbox::mark_unread(&core, me, id)).await?))
}

/// Delete a message from my folders; the other participants keep theirs.
#[utoipa::path(tag = "mail", params(("id" = u64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/mail/{id}")]
async fn delete_mine(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let (me, id) = (m.0.user.id, MessageId(id.into_inner()));
    run(move || mailbox::delete(&core, me, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// "Send a message" from a member's profile (R3): to the mailbox when we are validated
/// contacts, otherwise to their private e-mail with my name and e-mail address (their address
/// is never shown to me). Answers where it went.
#[utoipa::path(tag = "mail", params(("id" = u64, Path)), request_body = DirectMessage,
    responses((status = 200, body = Delivered), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/users/{id}/message")]
async fn message_member(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<DirectMessage>,
) -> Result<HttpResponse, AppError> {
    let (me, them) = (m.0.user.id, UserId(id.into_inner()));
    let delivered =
        run(move || mailbox::message_member(&core, me, them, body.into_inner())).await?;
    Ok(HttpResponse::Ok().json(delivered))
}
