//! The `Idempotency-Key` request header on every POST a member sends under `/api` (all but
//! `/api/auth/*`): a retry after a lost answer gets the first answer back, with
//! `Idempotent-Replayed: true`, instead of sending a mail or creating a group twice.
//!
//! - Keys are per member; the same key with another method, path or body answers 422
//!   `idempotency_key_reused`; a retry while the first is still running answers 409.
//! - The key's record is written in the same transaction as the request's work (the store's
//!   rider, carried to the blocking thread by [`super::run`] through [`KEYED`]), then the
//!   answer is added. A crash between the two leaves the work done and recorded: the retry
//!   is answered 409 ("carried out, but its answer was lost"), never done again.
//! - Answers kept: 2xx and 4xx but 429 (a definitive answer); 5xx and 429 are not, so a
//!   retry of those runs again (nothing was committed for them, or the record says so).
//! - Without the header, or for a request that is not a member's, nothing changes.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpResponse};

use super::auth::Member;
use super::run;
use crate::error::AppError;
use crate::ids::UserId;
use crate::service::idempotency::{self, StoredAnswer};
use crate::service::Core;
use crate::store::rider::Slot;

pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
pub const REPLAYED: &str = "Idempotent-Replayed";

tokio::task_local! {
    /// The keyed request being handled, for [`super::run`] to hand to its thread.
    pub static KEYED: Arc<Keyed>;
}

/// A request under an `Idempotency-Key`: its rider, and its place among the keys in flight.
/// Shared by the request's task and every blocking call it starts, so the key stays in
/// flight until the last of them ends: a client that gives up (dropping the request's task)
/// and retries at once must get 409, not a second run beside a first one still working.
pub struct Keyed {
    pub rider: Slot,
    _running: Running,
}

/// Keys whose first request is still running, across all workers.
#[derive(Default)]
pub struct InFlight(Mutex<HashSet<(UserId, String)>>);

/// Takes a key out of [`InFlight`] when the request ends, however it ends.
struct Running {
    set: web::Data<InFlight>,
    entry: (UserId, String),
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.0.lock() {
            set.remove(&self.entry);
        }
    }
}

impl InFlight {
    fn start(this: &web::Data<InFlight>, user: UserId, key: &str) -> Option<Running> {
        let entry = (user, key.to_string());
        let mut set = this.0.lock().ok()?;
        // Not `then_some`: it would build (and drop, locking again) a `Running` when refused.
        set.insert(entry.clone()).then(|| Running {
            set: this.clone(),
            entry,
        })
    }
}

fn applies_to(req: &ServiceRequest) -> bool {
    req.method() == Method::POST
        && req.path().starts_with("/api/")
        && !req.path().starts_with("/api/auth/")
}

/// The header's value: 1 to `limit` visible ASCII characters.
fn valid_key(value: &header::HeaderValue, limit: usize) -> Result<String, AppError> {
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > limit || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::BadRequest(format!(
            "{IDEMPOTENCY_KEY} must be 1 to {limit} visible ASCII characters"
        )));
    }
    Ok(key.to_string())
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let header_value = req.headers().get(IDEMPOTENCY_KEY).cloned();
    let (Some(value), true) = (header_value, applies_to(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let core = req
        .app_data::<web::Data<Core>>()
        .cloned()
        .ok_or_else(|| AppError::internal("core not configured"))?;
    let limits = &core.config.limits;
    let key = valid_key(&value, limits.idempotency_key_chars)?;
    let Ok(Member(who)) = Member::from_request(req.request(), &mut Payload::None).await else {
        // Not a member's request: the handler refuses it as it would without a key.
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let user = who.user.id;
    // The handler's `Member` takes it from here instead of reading the session again.
    req.extensions_mut().insert(who);
    let body_limit = limits.json_body_bytes.max(limits.picture_bytes);
    let payload = req.extract::<web::Payload>().await?;
    let body = super::read_body(payload, body_limit).await?;
    let print = idempotency::fingerprint(req.method().as_str(), &req.uri().to_string(), &body);
    req.set_payload(bytes_payload(body));

    let in_flight = req
        .app_data::<web::Data<InFlight>>()
        .cloned()
        .ok_or_else(|| AppError::internal("idempotency keys not configured"))?;
    let Some(running) = InFlight::start(&in_flight, user, &key) else {
        return Err(AppError::Conflict(format!(
            "a request with this {IDEMPOTENCY_KEY} is still being processed; retry after it has been answered"
        ))
        .into());
    };
    let (c, k) = (core.clone(), key.clone());
    if let Some(record) = run(move || idempotency::lookup(&c, user, &k)).await? {
        return replay(req, record, &print);
    }
    let rider = idempotency::rider(&core, user, &key, &print)?;
    let keyed = Arc::new(Keyed {
        rider: Arc::new(Mutex::new(Some(rider))),
        _running: running,
    });
    let res = KEYED.scope(keyed, next.call(req)).await?;
    keep_answer(core, user, key, print, res).await
}

/// The answer to a key seen before: the first answer, or why there is none.
fn replay(
    req: ServiceRequest,
    record: idempotency::IdempotencyRecord,
    print: &str,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if record.fingerprint != print {
        return Err(AppError::IdempotencyKeyReused.into());
    }
    let Some(answer) = record.answer else {
        return Err(AppError::Conflict(format!(
            "the request with this {IDEMPOTENCY_KEY} was carried out, but its answer was not kept (lost in a restart, or larger than limits.idempotency_answer_bytes); it was not done again"
        ))
        .into());
    };
    let status = StatusCode::from_u16(answer.status).map_err(AppError::internal)?;
    let mut res = HttpResponse::build(status);
    res.insert_header((REPLAYED, "true"));
    if let Some(ct) = answer.content_type {
        res.insert_header((header::CONTENT_TYPE, ct));
    }
    Ok(req.into_response(res.body(answer.body)))
}

/// Keeps a definitive answer with the key, and hands it on.
async fn keep_answer(
    core: web::Data<Core>,
    user: UserId,
    key: String,
    print: String,
    res: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let status = res.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let bytes = to_bytes(body).await.map_err(|e| {
        let e: Box<dyn std::error::Error> = e.into();
        AppError::internal(e)
    })?;
    let text = std::str::from_utf8(&bytes).ok().map(str::to_string);
    if let Some(text) = text.filter(|t| t.len() <= core.config.limits.idempotency_answer_bytes) {
        let answer = StoredAnswer {
            status: status.as_u16(),
            content_type: res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: text,
        };
        let kept = run(move || idempotency::answer(&core, user, &key, &print, answer)).await;
        if let Err(e) = kept {
            // The work is done and answered; a retry is then told the answer was lost.
            tracing::warn!(error = %e, "an idempotency key's answer was not kept");
        }
    }
    let res = res.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, res))
}

/// A buffered body handed back to the request for its handler.
fn bytes_payload(bytes: web::Bytes) -> Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    Payload::from(payload)
}
