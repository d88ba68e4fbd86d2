//! `/api/schools` and `/api/users/{id}/schools`: schools and members' ties to them.

use actix_web::{delete, get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::domain::school::{School, Tie};
use crate::error::{AppError, ErrorBody};
use crate::ids::{SchoolId, UserId};
use crate::service::schools::{self, JoinInput, NewSchool, SchoolDetail, SchoolQuery};
use crate::service::{Core, Page};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(find)
        .service(detail)
        .service(member_schools)
        .service(join)
        .service(leave);
}

/// Register a new school; the platform sets its registration date. A school that already
/// exists (same country, city and name) is refused with 409, naming its id.
#[utoipa::path(tag = "schools", request_body = NewSchool,
    responses((status = 201, body = School), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/schools")]
async fn create(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<NewSchool>,
) -> Result<HttpResponse, AppError> {
    let school = run(move || schools::create(&core, &m.0.user, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(school))
}

/// Find schools by country and words of their name or city.
#[utoipa::path(tag = "schools", params(SchoolQuery),
    responses((status = 200, body = Page<School>), (status = 400, body = ErrorBody)))]
#[get("/schools")]
async fn find(
    core: web::Data<Core>,
    _m: Member,
    query: web::Query<SchoolQuery>,
) -> Result<HttpResponse, AppError> {
    let page = run(move || schools::find(&core, &query)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A school with its current teachers and the history of who worked there.
#[utoipa::path(tag = "schools", params(("id" = u64, Path)),
    responses((status = 200, body = SchoolDetail), (status = 404, body = ErrorBody)))]
#[get("/schools/{id}")]
async fn detail(
    core: web::Data<Core>,
    _m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = SchoolId(id.into_inner());
    let detail = run(move || schools::detail(&core, id)).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// A member's current schools.
#[utoipa::path(tag = "schools", params(("id" = u64, Path)),
    responses((status = 200, body = Vec<School>), (status = 404, body = ErrorBody)))]
#[get("/users/{id}/schools")]
async fn member_schools(
    core: web::Data<Core>,
    _m: Member,
    id: web::Path<u64>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let list = run(move || schools::of_member(&core, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// "Add organisation": put a school on my profile.
#[utoipa::path(tag = "schools", params(("id" = u64, Path)), request_body = JoinInput,
    responses((status = 201, body = Tie), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/users/{id}/schools")]
async fn join(
    core: web::Data<Core>,
    m: Member,
    id: web::Path<u64>,
    body: web::Json<JoinInput>,
) -> Result<HttpResponse, AppError> {
    let id = UserId(id.into_inner());
    let tie = run(move || schools::join(&core, &m.0.user, id, body.school_id)).await?;
    Ok(HttpResponse::Created().json(tie))
}

/// "Leave organisation": take a school off my profile; the school keeps the history.
#[utoipa::path(tag = "schools", params(("id" = u64, Path), ("school_id" = u64, Path)),
    responses((status = 200, body = Tie), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/users/{id}/schools/{school_id}")]
async fn leave(
    core: web::Data<Core>,
    m: Member,
    path: web::Path<(u64, u64)>,
) -> Result<HttpResponse, AppError> {
    let (id, school) = path.into_inner();
    let tie = run(move || schools::leave(&core, &m.0.user, UserId(id), SchoolId(school))).await?;
    Ok(HttpResponse::Ok().json(tie))
}
