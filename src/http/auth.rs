//! Who is calling: the `Member` extractor resolves the bearer token or the session cookie on
//! every request, and enforces the CSRF token on state-changing requests made with the cookie.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::header::X_FORWARDED_FOR;
use actix_web::http::Method;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use super::run;
use crate::error::AppError;
use crate::service::accounts::{self, Authenticated, SessionKind};
use crate::service::Core;

pub const SESSION_COOKIE: &str = "twinhub_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// An authenticated member (plus their session), for handlers that require login.
pub struct Member(pub Authenticated);

enum Credential {
    Bearer(String),
    Cookie(String),
}

fn credential(req: &HttpRequest) -> Option<Credential> {
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| Credential::Bearer(t.trim().to_string()));
    bearer.or_else(|| {
        req.cookie(SESSION_COOKIE)
            .map(|c| Credential::Cookie(c.value().to_string()))
    })
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequest for Member {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Member, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Already resolved, CSRF included, by a middleware of this request (Idempotency-Key).
        if let Some(who) = req.extensions().get::<Authenticated>().cloned() {
            return Box::pin(async move { Ok(Member(who)) });
        }
        let core = req.app_data::<web::Data<Core>>().cloned();
        let credential = credential(req);
        let csrf_sent = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let needs_csrf = !is_safe(req.method());
        Box::pin(async move {
            let core = core.ok_or_else(|| AppError::internal("core not configured"))?;
            let (token, via_cookie) = match credential {
                Some(Credential::Bearer(t)) => (t, false),
                Some(Credential::Cookie(t)) => (t, true),
                None => return Err(AppError::Unauthenticated),
            };
            let who = run(move || accounts::authenticate(&core, &token)).await?;
            // A bearer token is only usable by code that holds it; a cookie rides along with
            // any cross-site request, so cookie-authenticated writes must prove same-origin.
            let kind_matches = (who.session.kind == SessionKind::Browser) == via_cookie;
            if !kind_matches {
                return Err(AppError::Unauthenticated);
            }
            if via_cookie && needs_csrf {
                let expected = who.session.csrf.as_deref().unwrap_or_default();
                let ok = csrf_sent.is_some_and(|sent| accounts::same_secret(&sent, expected));
                if !ok || expected.is_empty() {
                    return Err(AppError::Csrf);
                }
            }
            Ok(Member(who))
        })
    }
}

/// The client's address, for per-address throttles and the `/metrics` allow-list: the socket
/// peer, or behind a proxy listed in `server.trusted_proxies` the address that proxy (and
/// only a trusted one) wrote in `X-Forwarded-For`, so a client cannot pick its own address.
pub fn client_addr(req: &HttpRequest) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let Some(core) = req.app_data::<web::Data<Core>>() else {
        return peer;
    };
    let forwarded_for = req
        .headers()
        .get_all(X_FORWARDED_FOR)
        .filter_map(|v| v.to_str().ok());
    crate::net::client_addr(peer, forwarded_for, &core.config.server.trusted_proxies)
}

pub fn session_cookie(token: String, secure: bool, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

pub fn expired_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), secure, 0);
    c.make_removal();
    c
}
