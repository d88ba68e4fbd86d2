//! One error type for the whole server. Each variant has a stable machine code that clients
//! (and the UI's translations) can rely on, and maps to an HTTP status in exactly one place.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request could not be parsed (malformed JSON, wrong types, bad path or query).
    #[error("{0}")]
    BadRequest(String),
    /// The request parsed but a field broke a rule (length, format, unknown code, ...).
    #[error("{0}")]
    Validation(String),
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong e-mail or password; deliberately does not say which.
    #[error("the e-mail address or the password is wrong")]
    InvalidCredentials,
    #[error("the CSRF token is missing or wrong")]
    Csrf,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A known path asked with a method it does not take; `allow` lists those it takes
    /// (sent as the `Allow` header too).
    #[error("this path does not take that method; it takes {allow}")]
    MethodNotAllowed { allow: String },
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The server is at a configured capacity; the client may retry later.
    #[error("{0}")]
    Unavailable(String),
    /// Free disk space is below `store.min_free_bytes`: writes are refused until it is back
    /// above `store.resume_free_bytes`; reads go on (`crate::store::space`).
    #[error(
        "the server's disk is nearly full: changes cannot be saved for now, reading still works"
    )]
    InsufficientStorage,
    /// An `Idempotency-Key` sent again with another request (method, path or body).
    #[error("this Idempotency-Key was used for another request; use a new key for a new request")]
    IdempotencyKeyReused,
    /// The store hit an I/O error (or stalled): the server answers, then restarts on a
    /// reopened store. The detail goes to the log, not to the client.
    #[error("the store is failing; try again in a moment")]
    StoreFailed(String),
    /// Startup configuration error; never produced by a request.
    #[error("configuration: {0}")]
    Config(String),
    /// Storage or other server-side failure; details go to the log, not to the client.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// Stable code carried in every error body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Validation(_) => "validation_failed",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Csrf => "csrf_failed",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::Conflict(_) => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Unavailable(_) | AppError::StoreFailed(_) => "unavailable",
            AppError::InsufficientStorage => "insufficient_storage",
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::Config(_) | AppError::Internal(_) => "internal",
        }
    }

    pub fn internal(err: impl std::fmt::Display) -> AppError {
        AppError::Internal(err.to_string())
    }
}

/// The one error shape: `{"error":{"code":"...","message":"..."}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `validation_failed`.
    pub code: &'static str,
    /// Human-readable explanation in English.
    pub message: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::Validation(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Csrf | AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) | AppError::StoreFailed(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            AppError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Config(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(detail) | AppError::Config(detail) => {
                tracing::error!(%detail, "internal error")
            }
            AppError::StoreFailed(detail) => tracing::error!(%detail, "store failure"),
            _ => {}
        }
        let mut resp = HttpResponse::build(self.status_code());
        if let AppError::RateLimited { retry_after_secs } = self {
            resp.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        if let AppError::MethodNotAllowed { allow } = self {
            resp.insert_header((actix_web::http::header::ALLOW, allow.clone()));
        }
        resp.json(ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
            },
        })
    }
}

impl From<garde::Report> for AppError {
    fn from(report: garde::Report) -> Self {
        AppError::Validation(report.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_are_not_sent_to_clients() {
        let err = AppError::Internal("sled: disk on fire".into());
        assert_eq!(err.to_string(), "internal error");
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(AppError::Csrf.code(), "csrf_failed");
        assert_eq!(
            AppError::NotFound("user").status_code(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: 3
            }
            .status_code(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
