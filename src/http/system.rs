//! Operational endpoints: health, Prometheus metrics, and the vocabularies the UI needs.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

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
    pub status: &'static str,
}

/// Liveness and storage check: answers 200 once the store answers a read.
#[utoipa::path(tag = "system", security(()), responses((status = 200, body = Health), (status = 500, body = ErrorBody)))]
#[get("/healthz")]
async fn healthz(core: web::Data<Core>) -> Result<HttpResponse, AppError> {
    run(move || {
        core.store
            .get(Tree::Meta, b"schema")
            .map_err(AppError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus text exposition of the server's metrics.
#[utoipa::path(tag = "system", security(()), responses((status = 200, content_type = "text/plain", body = String)))]
#[get("/metrics")]
async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::telemetry::render_metrics())
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
