//! `/api/auth/*` and `/api/me`: registration, login (cookie or bearer token), logout.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{client_addr, expired_cookie, session_cookie, Member};
use super::run;
use crate::domain::user::OwnProfile;
use crate::error::{AppError, ErrorBody};
use crate::service::accounts::{self, LoginInput, RegisterInput, SessionKind};
use crate::service::{profiles, Core};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(register)
        .service(login)
        .service(token)
        .service(logout)
        .service(me)
        .service(set_language);
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub status: &'static str,
    pub message: &'static str,
}

/// A logged-in member as seen by themself, with the CSRF token a browser must send back in
/// the `X-CSRF-Token` header on every state-changing request.
#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: OwnProfile,
    pub csrf_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub user: OwnProfile,
}

/// Register. The answer is the same whether or not the e-mail was already registered.
#[utoipa::path(tag = "accounts", security(()), request_body = RegisterInput,
    responses((status = 202, body = Accepted), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/auth/register")]
async fn register(
    core: web::Data<Core>,
    req: HttpRequest,
    body: web::Json<RegisterInput>,
) -> Result<HttpResponse, AppError> {
    let addr = client_addr(&req);
    run(move || accounts::register(&core, body.into_inner(), addr)).await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        status: "accepted",
        message: "If this e-mail address was not registered yet, the account now exists: log in to continue.",
    }))
}

/// Log in from a browser: sets the HttpOnly session cookie and returns the CSRF token.
#[utoipa::path(tag = "accounts", security(()), request_body = LoginInput,
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/auth/login")]
async fn login(
    core: web::Data<Core>,
    req: HttpRequest,
    body: web::Json<LoginInput>,
) -> Result<HttpResponse, AppError> {
    let addr = client_addr(&req);
    let c = core.clone();
    let s = run(move || accounts::login(&c, body.into_inner(), addr, SessionKind::Browser)).await?;
    let auth = &core.config.auth;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(
            s.token,
            auth.cookie_secure,
            auth.session_absolute_secs,
        ))
        .json(MeResponse {
            user: OwnProfile::from(&s.user),
            csrf_token: s.session.csrf,
        }))
}

/// Log in as an API client: returns a bearer token (no cookie, no CSRF token needed).
#[utoipa::path(tag = "accounts", security(()), request_body = LoginInput,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/auth/token")]
async fn token(
    core: web::Data<Core>,
    req: HttpRequest,
    body: web::Json<LoginInput>,
) -> Result<HttpResponse, AppError> {
    let addr = client_addr(&req);
    let s =
        run(move || accounts::login(&core, body.into_inner(), addr, SessionKind::Bearer)).await?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        token: s.token,
        user: OwnProfile::from(&s.user),
    }))
}

/// End the current session (cookie or bearer token).
#[utoipa::path(tag = "accounts", responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/auth/logout")]
async fn logout(core: web::Data<Core>, member: Member) -> Result<HttpResponse, AppError> {
    let secure = core.config.auth.cookie_secure;
    run(move || accounts::logout(&core, &member.0)).await?;
    Ok(HttpResponse::NoContent()
        .cookie(expired_cookie(secure))
        .finish())
}

/// Who am I: my profile with private fields, and my CSRF token for browser sessions.
#[utoipa::path(tag = "accounts", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
#[get("/me")]
async fn me(member: Member) -> HttpResponse {
    HttpResponse::Ok().json(MeResponse {
        user: OwnProfile::from(&member.0.user),
        csrf_token: member.0.session.csrf,
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageInput {
    /// ISO 639-1 code from `GET /api/catalog` (`languages`); null forgets the choice.
    #[schema(example = "fr")]
    pub language: Option<String>,
}

/// Remember my UI language, so the UI starts in it on any browser I log in from. Private:
/// shown in my own profile (`ui_language`), never to other members.
#[utoipa::path(tag = "accounts", request_body = LanguageInput,
    responses((status = 200, body = MeResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[put("/me/language")]
async fn set_language(
    core: web::Data<Core>,
    member: Member,
    body: web::Json<LanguageInput>,
) -> Result<HttpResponse, AppError> {
    let Member(who) = member;
    let (user, csrf_token) = (who.user, who.session.csrf);
    let language = body.into_inner().language;
    let user = run(move || profiles::set_ui_language(&core, &user, language)).await?;
    Ok(HttpResponse::Ok().json(MeResponse { user, csrf_token }))
}
