//! `GET /ws`: the WebSocket handshake. Checks the Origin against the allow-list (a browser
//! on another site must not ride on the session cookie), takes the cookie session when the
//! Origin is allowed, and hands the socket to a `WsSession` actor.

use actix::Addr;
use actix_web::http::header::ORIGIN;
use actix_web::{get, web, HttpRequest, HttpResponse};
use actix_web_actors::ws;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::SESSION_COOKIE;
use crate::error::{AppError, ErrorBody};
use crate::live::registry::Registry;
use crate::live::session::WsSession;
use crate::service::Core;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(websocket);
}

/// Open the live WebSocket (protocol in docs/protocol.md). Browsers are authenticated by
/// their session cookie when their Origin is allowed; other clients send an `auth` frame.
#[utoipa::path(tag = "live", responses((status = 101, description = "switching to the WebSocket protocol"),
    (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/ws")]
async fn websocket(
    core: web::Data<Core>,
    registry: web::Data<Addr<Registry>>,
    req: HttpRequest,
    stream: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let origin = req
        .headers()
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let cookie_token = match &origin {
        Some(o) if !core.config.live.allowed_origins.iter().any(|a| a == o) => {
            return Err(
                AppError::Forbidden(format!("origin {o} may not open a socket here")).into(),
            );
        }
        // Without an Origin (not a browser) the cookie is ignored: such clients use a token.
        Some(_) => req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()),
        None => None,
    };
    let session = WsSession::new(core.clone(), registry.get_ref().clone(), cookie_token);
    ws::WsResponseBuilder::new(session, &req, stream)
        .frame_size(core.config.live.max_frame_bytes)
        .start()
        .map_err(|e| AppError::BadRequest(format!("not a WebSocket handshake: {e}")).into())
}
