//! The HTTP layer: routes per area, the `Member` extractor, error mapping for everything
//! actix rejects before a handler runs, security headers, request metrics, and OpenAPI.
//!
//! Handlers are thin: they take JSON, call one service function on the blocking pool
//! (services do synchronous store I/O and may wait for a group commit), and return JSON.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod contacts;
pub mod groups;
pub mod idempotency;
pub mod live;
pub mod mailbox;
pub mod notifications;
pub mod nso;
pub mod openapi;
pub mod postings;
pub mod profiles;
pub mod schools;
pub mod search;
pub mod system;
pub mod ui;

use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::Addr;

use actix_http::{HttpService, KeepAlive};
use actix_service::{map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Server, Service};
use actix_web::error::JsonPayloadError;
use actix_web::http::{header, Method};
use actix_web::rt::net::TcpStream;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse};
use tracing_actix_web::TracingLogger;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{scope, AppExt};

use crate::error::AppError;
use crate::live::registry::Registry;
use crate::service::Core;

/// Runs a service call on the blocking thread pool, answering 503 `unavailable` if it has
/// not finished within `store.stall_timeout_secs` (set by [`server`]): a store that stops
/// answering must not leave clients waiting for ever. The call itself runs to its end.
pub async fn run<T, F>(f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
{
    let bound = Duration::from_secs(RUN_TIMEOUT_SECS.load(Ordering::Relaxed));
    // The request's Idempotency-Key record rides with its first committed transaction.
    // (The blocking call holds the key in flight until it ends, even if the request is dropped.)
    let keyed = idempotency::KEYED.try_with(Arc::clone).ok();
    let call = web::block(move || {
        let rider = keyed.as_ref().map(|k| Arc::clone(&k.rider));
        crate::store::rider::with(rider, f)
    });
    match actix_web::rt::time::timeout(bound, call).await {
        Ok(done) => done.map_err(AppError::internal)?,
        Err(_) => Err(AppError::StoreFailed(format!(
            "a request's work took longer than {} s",
            bound.as_secs()
        ))),
    }
}

/// The bound of [`run`]: `store.stall_timeout_secs` once a server is built (one value per
/// process: every server of a process shares the blocking pool anyway).
static RUN_TIMEOUT_SECS: AtomicU64 = AtomicU64::new(60);

#[derive(OpenApi)]
#[openapi(
    info(title = "Twinhub API", description = "School partnerships in the style of eTwinning. \
        Browsers authenticate with the session cookie from POST /api/auth/login and send the \
        CSRF token in the X-CSRF-Token header on every state-changing request; API clients \
        use the bearer token from POST /api/auth/token. Every error has the shape \
        {\"error\":{\"code\":\"...\",\"message\":\"...\"}}."),
    // utoipa registers the schemas of bodies and answers, not those of query parameters.
    components(schemas(crate::service::nso::ValidationFilter)),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session_cookie" = []))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(auth::SESSION_COOKIE))),
        );
    }
}

fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let app = match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => AppError::PayloadTooLarge { limit },
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)".into(),
        ),
        JsonPayloadError::Deserialize(e) => AppError::BadRequest(format!("invalid JSON: {e}")),
        other => AppError::BadRequest(other.to_string()),
    };
    app.into()
}

/// An uploaded picture's declared type, lower-cased (the service checks it against the
/// bytes).
pub fn content_type_of(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A stored picture (a member's or a group's), with its checked type. Even if a browser is
/// told to open it directly, nothing in it may run.
pub fn picture_response(content_type: String, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .body(bytes)
}

/// Reads a raw body up to `limit` bytes, refusing larger ones with our error shape.
pub async fn read_body(payload: web::Payload, limit: usize) -> Result<web::Bytes, AppError> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(AppError::BadRequest(format!(
            "could not read the body: {e}"
        ))),
        Err(_) => Err(AppError::PayloadTooLarge { limit }),
    }
}

/// A JSON body that may be left out: `None` for an empty body; otherwise it must be JSON
/// (`Content-Type: application/json`, like `web::Json` requires) of at most `limit` bytes, and
/// a malformed one is refused rather than taken as absent (as an `Option<web::Json>` would).
pub async fn optional_json<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Option<T>, AppError> {
    let bytes = read_body(payload, limit).await?;
    if bytes.is_empty() {
        return Ok(None);
    }
    let is_json = actix_web::HttpMessage::mime_type(req)
        .ok()
        .flatten()
        .is_some_and(|m| {
            m.type_() == "application"
                && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
        });
    if !is_json {
        return Err(AppError::UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)".into(),
        ));
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| AppError::BadRequest(format!("invalid JSON: {e}")))
}

/// Counts and times each request by method, route pattern (not raw path: bounded label
/// values) and status.
pub(crate) fn record_request(method: &str, pattern: Option<String>, status: u16, started: Instant) {
    let labels = [
        ("method", method.to_string()),
        ("route", pattern.unwrap_or_else(|| "unmatched".into())),
        ("status", status.to_string()),
    ];
    metrics::counter!("twinhub_http_requests_total", &labels).increment(1);
    metrics::histogram!("twinhub_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
}

/// Whatever no route took: a known path with another method (405, with the methods it
/// takes), or an unknown path (404).
async fn no_such_endpoint(
    req: HttpRequest,
    routes: web::Data<openapi::KnownRoutes>,
) -> Result<HttpResponse, AppError> {
    let allowed = routes.allowed(req.path());
    if allowed.is_empty() || allowed.contains(req.method()) {
        return Err(AppError::NotFound("endpoint"));
    }
    let allow: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
    Err(AppError::MethodNotAllowed {
        allow: allow.join(", "),
    })
}

/// Security headers for every answer; the UI's page sets a looser CSP of its own (see `ui`).
fn security_headers() -> middleware::DefaultHeaders {
    middleware::DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
}

/// The OpenAPI document, rendered once per worker from the registered handlers.
struct OpenApiJson(String);

async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// Asks the kernel to drop a connection whose peer stops acknowledging (or reading) data
/// for `after` (TCP_USER_TIMEOUT). A stalled WebSocket reader cannot be closed from its
/// actor, which actix stops polling once the socket buffers are full; this cut works below it.
fn cut_stalled_peers(tcp: &TcpStream, after: Duration) {
    if let Err(e) = socket2::SockRef::from(tcp).set_tcp_user_timeout(Some(after)) {
        tracing::warn!(error = %e, "TCP_USER_TIMEOUT not set");
    }
}

/// Builds the HTTP server over `listener`; the caller awaits it.
pub fn server(
    core: web::Data<Core>,
    registry: Addr<Registry>,
    listener: TcpListener,
    handle_signals: bool,
) -> std::io::Result<Server> {
    RUN_TIMEOUT_SECS.store(core.config.store.stall_timeout_secs, Ordering::Relaxed);
    let ws_registry = registry.clone();
    let ws_sockets = live::SocketCount::default();
    let in_flight = web::Data::new(idempotency::InFlight::default());
    let registry = web::Data::new(registry);
    let cfg = core.config.clone();
    let app_core = core.clone();
    let web_dir = core.config.server.web_dir.clone();
    let index_page = web::Data::new(ui::load_index_page(&web_dir));
    let ui_languages = web::Data::new(ui::load_languages(&web_dir));
    let factory = move || {
        let core = app_core.clone();
        let limits = &cfg.limits;
        let (app, api) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .app_data(core.clone())
            .app_data(registry.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(limits.json_body_bytes)
                    .error_handler(json_error),
            )
            .app_data(
                web::PathConfig::default()
                    .error_handler(|e, _| AppError::BadRequest(e.to_string()).into()),
            )
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| AppError::BadRequest(e.to_string()).into()),
            )
            .configure(system::routes)
            .configure(live::routes)
            // Registered before the /api scope, which would otherwise answer 404 for it.
            .route("/api/openapi.json", web::get().to(openapi_json))
            .service(
                scope::scope("/api")
                    .configure(accounts::routes)
                    .configure(profiles::routes)
                    .configure(schools::routes)
                    .configure(contacts::routes)
                    .configure(mailbox::routes)
                    .configure(nso::routes)
                    .configure(admin::routes)
                    .configure(notifications::routes)
                    .configure(groups::routes)
                    .configure(search::routes)
                    .configure(postings::routes)
                    .configure(system::api_routes)
                    .service(ui::start),
            )
            .split_for_parts();
        let mut api = api;
        openapi::add_shared_responses(&mut api);
        let known_routes = openapi::KnownRoutes::new(
            &api,
            &[
                ("/", Method::GET),
                ("/index.html", Method::GET),
                ("/api/openapi.json", Method::GET),
            ],
        );
        app.app_data(web::Data::new(OpenApiJson(
            api.to_pretty_json().unwrap_or_default(),
        )))
        .app_data(web::Data::new(known_routes))
        .app_data(index_page.clone())
        .app_data(ui_languages.clone())
        .app_data(in_flight.clone())
        .route("/", web::get().to(ui::index))
        .route("/index.html", web::get().to(ui::index))
        // Last: a prefix service at "/" would shadow any route registered after it.
        .service(ui::files(&web_dir))
        .default_service(web::to(no_such_endpoint))
        .wrap(middleware::from_fn(idempotency::middleware))
        .wrap_fn(|req, srv| {
            let started = Instant::now();
            let method = req.method().to_string();
            let fut = srv.call(req);
            async move {
                let res = fut.await;
                let (pattern, status) = match &res {
                    Ok(r) => (r.request().match_pattern(), r.status()),
                    Err(e) => (None, e.as_response_error().status_code()),
                };
                record_request(&method, pattern, status.as_u16(), started);
                res
            }
        })
        .wrap(security_headers())
        .wrap(TracingLogger::default())
    };
    let stall = Duration::from_secs(core.config.live.stall_timeout_secs);
    let ws_core = core.clone();
    // actix-web's `HttpServer` cannot take an upgrade service, so the server is assembled
    // from its parts (what `HttpServer` does inside), plus the WebSocket upgrade service
    // (see `live`).
    let server_cfg = core.config.server.clone();
    let http = move || {
        let app = factory()
            .into_factory()
            .map_err(|e: actix_web::Error| e.error_response());
        HttpService::build()
            .keep_alive(KeepAlive::Timeout(Duration::from_secs(
                server_cfg.keep_alive_secs,
            )))
            .client_request_timeout(Duration::from_secs(server_cfg.request_head_timeout_secs))
            .client_disconnect_timeout(Duration::from_secs(server_cfg.disconnect_timeout_secs))
            // Small frames (events, acks) go out at once rather than waiting for the peer's
            // delayed ACK (Nagle's algorithm); measured in BENCHMARKS.md.
            .tcp_nodelay(true)
            .on_connect_ext(move |tcp: &TcpStream, _| cut_stalled_peers(tcp, stall))
            .upgrade(live::upgrade_service(
                ws_core.clone(),
                ws_registry.clone(),
                ws_sockets.clone(),
            ))
            .finish(map_config(app, |_| AppConfig::default()))
            .tcp()
    };
    let mut server = actix_server::Server::build()
        .shutdown_timeout(core.config.server.shutdown_timeout_secs)
        .listen("twinhub", listener, http)?;
    if core.config.server.workers > 0 {
        server = server.workers(core.config.server.workers);
    }
    if !handle_signals {
        server = server.disable_signals();
    }
    Ok(server.run())
}
