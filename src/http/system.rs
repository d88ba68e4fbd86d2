//! Operational endpoints: health, Prometheus metrics, and the vocabularies the UI needs.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::client_addr;
use super::run;
use crate::domain::catalog::{self, Entry};
use crate::error::{AppError, ErrorBody};
use crate::service::Core;
use crate::store::Tree;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(metrics);
}

pub fn api_routes(cfg: &mut ServiceConfig) {
    cfg.service(catalog_lists);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `degraded` while writes are refused for lack of disk space (reads work);
    /// `failing` once the store has failed (the server is stopping to restart).
    pub status: &'static str,
    /// Whether members' writes are refused now (507 `insufficient_storage` or 503).
    pub writes_refused: bool,
    /// The least free space, in bytes, among the file systems the server writes to.
    pub free_bytes: Option<u64>,
}

/// Liveness and storage check: 200 once the store answers a read, with `degraded` while
/// disk space is below the watermark; 503 `failing` once the store has failed.
#[utoipa::path(tag = "system", security(()), responses(
    (status = 200, body = Health),
    (status = 503, body = Health, description = "the store failed or does not answer")
))]
#[get("/healthz")]
async fn healthz(core: web::Data<Core>) -> HttpResponse {
    let store = core.clone();
    let read = run(move || {
        store
            .store
            .get(Tree::Meta, b"schema")
            .map_err(AppError::from)
    })
    .await;
    let health = core.store.health();
    let status = match (&read, &health.failed, health.writes_refused()) {
        (Err(_), _, _) | (_, Some(_), _) => "failing",
        (_, _, true) => "degraded",
        _ => "ok",
    };
    let body = Health {
        status,
        writes_refused: health.writes_refused(),
        free_bytes: health.space.map(|s| s.free_bytes),
    };
    if status == "failing" {
        HttpResponse::ServiceUnavailable().json(body)
    } else {
        HttpResponse::Ok().json(body)
    }
}

/// Prometheus text exposition of the server's metrics, for the client addresses in
/// `server.metrics_allowed` only; anyone else gets the 404 of a path that does not exist.
#[utoipa::path(tag = "system", security(()), responses(
    (status = 200, content_type = "text/plain", body = String),
    (status = 404, body = ErrorBody, description = "the caller is not in server.metrics_allowed")
))]
#[get("/metrics")]
async fn metrics(core: web::Data<Core>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let allowed = &core.config.server.metrics_allowed;
    if !crate::net::in_any(allowed, client_addr(&req)) {
        return Err(AppError::NotFound("endpoint"));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::telemetry::render_metrics()))
}

#[derive(Serialize, ToSchema)]
pub struct Catalog {
    pub countries: Vec<Entry>,
    pub languages: Vec<Entry>,
    pub subjects: Vec<Entry>,
    /// Topics of partner-finding postings.
    pub topics: Vec<Entry>,
    pub key_competences: Vec<Entry>,
    /// Pupils' age bands, youngest first.
    pub pupil_ages: Vec<Entry>,
}

/// The codes profiles and postings use: eTwinning countries, languages, subjects, topics,
/// key competences and pupils' age bands.
#[utoipa::path(tag = "system", security(()), responses((status = 200, body = Catalog)))]
#[get("/catalog")]
async fn catalog_lists() -> HttpResponse {
    HttpResponse::Ok().json(Catalog {
        countries: catalog::entries(catalog::COUNTRIES),
        languages: catalog::entries(catalog::LANGUAGES),
        subjects: catalog::entries(catalog::SUBJECTS),
        topics: catalog::entries(catalog::TOPICS),
        key_competences: catalog::entries(catalog::KEY_COMPETENCES),
        pupil_ages: catalog::entries(catalog::PUPIL_AGES),
    })
}
