//! The browser UI: `GET /` answers `index.html` with the page's Content-Security-Policy, and
//! every other UI file (`app.css`, `js/*.js` modules, `i18n/*.json`, `img/*`) is served from
//! `server.web_dir` by actix-files, mounted after every other route.
//!
//! Why it is set up this way:
//! - The page's CSP allows only this origin's scripts, styles, images and connections (no
//!   inline script, no framing, no `<base>`), so an injected string in a profile cannot
//!   run. Static files keep the app-wide `default-src 'none'`: CSP governs documents, not
//!   the scripts and styles they load.
//! - UI files answer `Cache-Control: no-cache` with an ETag: the browser revalidates each
//!   file (a cheap 304) and so picks up a new deploy without a rename scheme.
//! - Anything that is not a file under `web_dir` answers our JSON 404, like an unknown API
//!   path: directories are never listed, dotfiles are never served, and a path that
//!   actix-files' traversal guard would refuse (`.`, dotfile, `*`, `%2F` segments) does not
//!   even reach it (its own refusal would be a plain-text 400). `..` segments never climb
//!   above `web_dir`: the guard drops them, as actix-files itself does.
//! - Only GET and HEAD reach the files, so a `POST /anything` still gets the JSON 404
//!   rather than actix-files' plain-text 405.

use std::path::{Path, PathBuf};

use actix_files::{Files, PathBufWrap};
use actix_web::dev::{fn_service, HttpServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::guard::{self, GuardContext};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, middleware, web, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use super::accounts::MeResponse;
use super::auth::Member;
use crate::config::{GroupsConfig, Limits};
use crate::domain::user::OwnProfile;
use crate::error::AppError;
use crate::service::Core;

/// The Content-Security-Policy of the UI's HTML page.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `index.html`, read once at start from `server.web_dir` (the embedded copy when the file
/// is missing), so serving the page costs no file I/O.
pub struct IndexPage(String);

pub fn load_index_page(web_dir: &Path) -> IndexPage {
    IndexPage(
        std::fs::read_to_string(web_dir.join("index.html"))
            .unwrap_or_else(|_| include_str!("../../web/index.html").to_string()),
    )
}

/// The UI's page, for `/` and `/index.html` alike (the latter would otherwise be served as a
/// static file under the strict CSP, where it cannot run its scripts).
pub async fn index(page: web::Data<IndexPage>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ))
        // Read once at start: a deploy means a restart, and the browser must then see it.
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .body(page.0.clone())
}

/// Whether a request may be looked up among the UI files: GET or HEAD, and a path that
/// actix-files' traversal guard accepts with dotfiles refused.
fn ui_file_request(ctx: &GuardContext<'_>) -> bool {
    let method = &ctx.head().method;
    (method == actix_web::http::Method::GET || method == actix_web::http::Method::HEAD)
        && PathBufWrap::parse_path(ctx.head().uri.path(), false).is_ok()
}

async fn not_found(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let (req, _) = req.into_parts();
    let res = AppError::NotFound("file").error_response();
    Ok(ServiceResponse::new(req, res))
}

/// The UI's static files under `web_dir`, to mount after every other route.
pub fn files(web_dir: &Path) -> impl HttpServiceFactory {
    let root: PathBuf = web_dir.canonicalize().unwrap_or_else(|_| {
        tracing::warn!(web_dir = %web_dir.display(), "the UI directory is missing; UI files answer 404");
        web_dir.to_path_buf()
    });
    let dir = root.clone();
    let files = Files::new("/", &root)
        // Directories answer 404 (no listing, no index page): only files are served.
        .path_filter(move |path, _| !path.as_os_str().is_empty() && !dir.join(path).is_dir())
        .default_handler(fn_service(not_found))
        .prefer_utf8(true)
        .use_etag(true)
        .use_last_modified(true)
        // `inline; filename=…` on every script and image says nothing a browser needs.
        .disable_content_disposition();
    web::scope("")
        .guard(guard::fn_guard(ui_file_request))
        .wrap(middleware::DefaultHeaders::new().add((header::CACHE_CONTROL, "no-cache")))
        .service(files)
}

/// A language the UI has a message catalogue for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UiLanguage {
    /// The catalogue's file name: `web/i18n/<code>.json`.
    pub code: String,
    /// The language's name in itself (the catalogue's `_language_name`).
    pub name: String,
}

/// The UI languages found in `web_dir/i18n` at start: adding a language is adding a file.
pub struct UiLanguages(Vec<UiLanguage>);

fn is_language_code(code: &str) -> bool {
    let (base, region) = code.split_once('-').unwrap_or((code, ""));
    (2..=3).contains(&base.len())
        && base.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty()
            || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase())))
}

/// Reads the catalogues' names once; a file that is not a JSON object is skipped with a
/// warning rather than offered to users.
pub fn load_languages(web_dir: &Path) -> UiLanguages {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(web_dir.join("i18n"))
        .into_iter()
        .flatten();
    for path in entries.flatten().map(|e| e.path()) {
        let Some(code) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
            .filter(|c| is_language_code(c))
            .map(str::to_string)
        else {
            continue;
        };
        let parsed = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .filter(serde_json::Value::is_object);
        match parsed {
            Some(catalogue) => {
                let name = catalogue["_language_name"]
                    .as_str()
                    .unwrap_or(&code)
                    .to_string();
                found.push(UiLanguage { code, name });
            }
            None => {
                tracing::warn!(file = %path.display(), "UI catalogue is not a JSON object; skipped")
            }
        }
    }
    found.sort_by(|a, b| a.code.cmp(&b.code));
    UiLanguages(found)
}

/// What the browser UI needs to start.
#[derive(Serialize, ToSchema)]
pub struct UiStart {
    /// The languages with a message catalogue, by code.
    pub languages: Vec<UiLanguage>,
    /// Size limits from config.toml, for form hints.
    pub limits: Limits,
    /// Groups' limits from config.toml (`[groups]`), for form hints.
    pub groups: GroupsConfig,
    /// The caller's session when the request carries a valid one (as from `GET /api/me`),
    /// else null: a visitor's page does not start with a 401.
    pub session: Option<MeResponse>,
    /// True while the server refuses changes (disk space below the watermark, or a failed
    /// store): the UI says so on every page instead of letting each form fail.
    pub writes_refused: bool,
}

/// Everything the UI needs at start in one answer: its languages, the limits, and who is
/// logged in (if anyone).
#[utoipa::path(tag = "system", security(()), responses((status = 200, body = UiStart)))]
#[get("/ui")]
pub async fn start(
    core: web::Data<Core>,
    languages: web::Data<UiLanguages>,
    member: Option<Member>,
) -> HttpResponse {
    HttpResponse::Ok().json(UiStart {
        languages: languages.0.clone(),
        limits: core.config.limits.clone(),
        groups: core.config.groups.clone(),
        session: member.map(|Member(who)| MeResponse {
            user: OwnProfile::from(&who.user),
            csrf_token: who.session.csrf,
        }),
        writes_refused: core.store.health().writes_refused(),
    })
}
