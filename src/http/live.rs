//! `GET /ws`: the WebSocket handshake. Checks the Origin (a browser on another site must not
//! ride on the session cookie): the page's own origin, or one on the allow-list. Takes the
//! cookie session when the Origin is accepted, and hands the socket to a `WsSession` actor.
//!
//! Upgrade requests never reach the actix-web app: actix-http hands them, with the raw
//! connection, to the upgrade service built by [`upgrade_service`]. There the handshake is
//! answered and the `WsSession`'s `WebsocketContext` is driven straight on the socket. Had the
//! socket stayed under actix-http's HTTP/1 dispatcher (as `actix-web-actors`' usual
//! `ws::start` leaves it), every connection would keep the dispatcher's two 8 KiB buffers
//! for its whole life: more than the whole per-socket memory goal (BENCHMARKS.md). The
//! route below stays for the API description and answers requests that are not upgrades.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use actix::{Addr, AsyncContext};
use actix_codec::{Framed, FramedParts};
use actix_http::body::{BodySize, MessageBody};
use actix_http::header::{HeaderMap, COOKIE, HOST, ORIGIN};
use actix_http::{h1, ws as http_ws, HttpMessage, Request};
use actix_service::{fn_factory, fn_service, ServiceFactory};
use actix_web::rt::net::TcpStream;
use actix_web::web::{self, Bytes};
use actix_web::{get, HttpRequest, HttpResponse, ResponseError};
use actix_web_actors::ws::WebsocketContext;
use futures_util::{SinkExt, Stream, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::SESSION_COOKIE;
use crate::error::{AppError, ErrorBody};
use crate::live::frames::{self, FrameLimit};
use crate::live::registry::Registry;
use crate::live::session::WsSession;
use crate::service::Core;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(websocket);
}

/// Open the live WebSocket (protocol in docs/protocol.md). Browsers are authenticated by
/// their session cookie when their Origin is this server's own (`http(s)://<Host>`) or
/// allowed; other clients send an `auth` frame.
#[utoipa::path(tag = "live", security(()), responses((status = 101, description = "switching to the WebSocket protocol"),
    (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/ws")]
async fn websocket(core: web::Data<Core>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    // Only requests that are not upgrades come here (see the module documentation).
    admit(&core, req.headers())?;
    let why = http_ws::handshake(req.head())
        .err()
        .map_or("not an upgrade request".to_string(), |e| e.to_string());
    Err(not_a_handshake(why))
}

fn not_a_handshake(why: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("not a WebSocket handshake: {why}"))
}

/// The Origin check. Returns the session cookie's token when the request may use it.
fn admit(core: &Core, headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let origin = headers.get(ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let accepted =
        |o: &str| same_origin(o, host) || core.config.live.allowed_origins.iter().any(|a| a == o);
    match origin {
        Some(o) if !accepted(o) => Err(AppError::Forbidden(format!(
            "origin {o} may not open a socket here"
        ))),
        // Without an Origin (not a browser) the cookie is ignored: such clients use a token.
        Some(_) => Ok(session_cookie(headers)),
        None => Ok(None),
    }
}

/// Whether `origin` is exactly `http://<host>` or `https://<host>`, `host` being the request's
/// Host header (`host[:port]`, compared ignoring ASCII case), as gorilla/websocket's default
/// CheckOrigin does. A browser sets both from the page it runs and the URL it connects to,
/// and a page cannot forge either: so the UI served by this server connects from whatever
/// address or port it is reached at, with no `live.allowed_origins` to configure, while a
/// page on another site (its own Origin), a sandboxed one (`null`) or a look-alike such as
/// `http://127.0.0.1:8080.evil.example` is still refused.
fn same_origin(origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host.filter(|h| !h.is_empty()) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| actix_web::cookie::Cookie::parse(pair.trim()).ok())
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

type Upgrade = (Request, Framed<TcpStream, h1::Codec>);

/// Open WebSockets, shared by all workers: they have left actix-server's connection count.
#[derive(Clone, Default)]
pub struct SocketCount(Arc<AtomicUsize>);

/// One place in the count, given back when the socket ends.
struct SocketSlot(Arc<AtomicUsize>);

impl SocketCount {
    fn take(&self, max: usize) -> Option<SocketSlot> {
        let taken = self.0.fetch_add(1, Ordering::AcqRel);
        if taken >= max {
            self.0.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(SocketSlot(self.0.clone()))
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The service actix-http calls with every upgrade request and its connection. Each worker
/// builds one; `sockets` is shared by all of them.
pub fn upgrade_service(
    core: web::Data<Core>,
    registry: Addr<Registry>,
    sockets: SocketCount,
) -> impl ServiceFactory<Upgrade, Config = (), Response = (), Error = actix_web::Error, InitError = ()>
{
    fn_factory(move || {
        let (core, registry, sockets) = (core.clone(), registry.clone(), sockets.clone());
        async move {
            Ok(fn_service(move |(req, framed): Upgrade| {
                let (core, registry, sockets) = (core.clone(), registry.clone(), sockets.clone());
                async move {
                    let started = Instant::now();
                    let (method, path) = (req.method().to_string(), req.path().to_string());
                    // These requests bypass the app's middleware: logged and counted here.
                    let status = match serve(core, registry, sockets, req, framed).await {
                        Ok(status) => status,
                        // A connection ending badly is ordinary; actix-http would log an
                        // error for every one.
                        Err(e) => {
                            tracing::debug!(error = %e, "WebSocket handshake cut");
                            return Ok(());
                        }
                    };
                    tracing::info!(%path, status, "WebSocket upgrade");
                    let route = (path == "/ws").then(|| path.clone());
                    super::record_request(&method, route, status, started);
                    Ok(())
                }
            }))
        }
    })
}

async fn serve(
    core: web::Data<Core>,
    registry: Addr<Registry>,
    sockets: SocketCount,
    req: Request,
    mut framed: Framed<TcpStream, h1::Codec>,
) -> io::Result<u16> {
    if req.path() != "/ws" {
        let err = AppError::NotFound("WebSocket endpoint (only /ws is one)");
        return refuse(framed, &err).await;
    }
    let cookie_token = match admit(&core, req.headers()) {
        Ok(token) => token,
        Err(err) => return refuse(framed, &err).await,
    };
    let Some(slot) = sockets.take(core.config.live.max_sockets) else {
        let err = AppError::Unavailable("the server holds as many sockets as it may".into());
        return refuse(framed, &err).await;
    };
    let accept = http_ws::handshake(req.head()).map_err(|e| e.to_string());
    let response = match accept.and_then(|mut b| b.message_body(()).map_err(|e| e.to_string())) {
        Ok(response) => response,
        Err(why) => return refuse(framed, &not_a_handshake(why)).await,
    };
    framed
        .send((response, BodySize::None).into())
        .await
        .map_err(io::Error::other)?;

    // From here on the connection is ours: actix-http's buffers and the request go now, and
    // whatever the client sent after its handshake is kept as the first input.
    drop(req);
    let FramedParts { io, read_buf, .. } = framed.into_parts();
    let (reader, writer) = io.into_split();
    let live = &core.config.live;
    let codec = http_ws::Codec::new().max_size(live.max_frame_bytes);
    let limit = FrameLimit::new(live.max_unauthenticated_frame_bytes);
    let input = frames::incoming(&read_buf, reader, codec, limit.clone());
    drop(read_buf);
    let session = WsSession::new(core, registry, cookie_token, limit);
    // The session reads `input` (our decoder, see `live::frames`), not the byte stream
    // actix-web-actors would decode itself: that one is left empty and never ends.
    let output = WebsocketContext::with_factory(never_bytes(), |ctx| {
        ctx.add_stream(input);
        session
    });
    // A task of its own, so that actix-http's dispatcher (and this future) end now rather
    // than living as long as the socket.
    actix_web::rt::spawn(async move {
        if let Err(e) = drive(output, writer).await {
            tracing::debug!(error = %e, "WebSocket connection ended");
        }
        drop(slot);
    });
    Ok(101)
}

/// The byte stream handed to actix-web-actors in place of the socket's: it never yields,
/// so its decoder never runs, and never ends, so it never stops the session.
fn never_bytes() -> impl Stream<Item = Result<Bytes, actix_http::error::PayloadError>> {
    futures_util::stream::pending()
}

/// Writes what the session's context produces until it ends or the peer is gone. While a
/// write waits for the peer, the actor is not polled: the same stall as under actix-http,
/// handled the same way (TCP_USER_TIMEOUT; see ARCHITECTURE.md).
async fn drive(
    output: impl Stream<Item = Result<Bytes, actix_web::Error>>,
    mut writer: OwnedWriteHalf,
) -> io::Result<()> {
    let mut output = std::pin::pin!(output);
    while let Some(Ok(chunk)) = output.next().await {
        writer.write_all(&chunk).await?;
    }
    writer.shutdown().await
}

/// Answers a refused upgrade with the usual JSON error and closes the connection; returns
/// the status sent.
async fn refuse(mut framed: Framed<TcpStream, h1::Codec>, err: &AppError) -> io::Result<u16> {
    let response: actix_http::Response<_> = err.error_response().into();
    let (head, body) = response.into_parts();
    let body = body.try_into_bytes().unwrap_or_default();
    let mut response = head.set_body(());
    response
        .head_mut()
        .set_connection_type(actix_http::ConnectionType::Close);
    let send = async {
        framed
            .send((response, BodySize::Sized(body.len() as u64)).into())
            .await?;
        framed.send(h1::Message::Chunk(Some(body))).await?;
        framed.send(h1::Message::Chunk(None)).await
    };
    send.await.map_err(io::Error::other)?;
    Ok(err.status_code().as_u16())
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn same_origin_is_the_host_exactly_under_http_or_https() {
        let host = Some("Twinhub.example:8443");
        assert!(same_origin("https://twinhub.example:8443", host));
        assert!(same_origin("http://TWINHUB.EXAMPLE:8443", host));
        for refused in [
            "https://twinhub.example",
            "https://twinhub.example:8443.evil.example",
            "https://evil.twinhub.example:8443",
            "ws://twinhub.example:8443",
            "https://twinhub.example:8443/",
            "https://user@twinhub.example:8443",
            "twinhub.example:8443",
            "null",
            "",
        ] {
            assert!(!same_origin(refused, host), "{refused}");
        }
        assert!(!same_origin("http://", Some("")));
        assert!(!same_origin("http://x", None));
    }
}
