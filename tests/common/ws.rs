//! A real WebSocket client for the live-layer tests (awc), speaking docs/protocol.md.

use std::time::Duration;

use actix_codec::Framed;
use awc::ws::{Codec, Frame, Message};
use awc::BoxedSocket;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};

use super::{Client, TestServer};

pub struct Ws {
    pub framed: Framed<BoxedSocket, Codec>,
    next_id: u64,
}

/// How long a test waits for an expected frame before failing.
pub const WAIT: Duration = Duration::from_secs(5);

impl TestServer {
    /// Opens /ws with an optional Origin header and the client's cookie (if any).
    pub async fn ws_raw(
        &self,
        client: &Client,
        origin: Option<&str>,
    ) -> Result<Ws, awc::error::WsClientError> {
        self.ws_raw_as(client, origin, None).await
    }

    /// Like `ws_raw`, with the Host header a browser would send had it reached this server
    /// under another name or port (by default the client sends the address it connects to).
    pub async fn ws_raw_as(
        &self,
        client: &Client,
        origin: Option<&str>,
        host: Option<&str>,
    ) -> Result<Ws, awc::error::WsClientError> {
        let mut req = client.http.ws(format!("{}/ws", self.base));
        if let Some(o) = origin {
            req = req.origin(o);
        }
        if let Some(h) = host {
            req = req.set_header("Host", h);
        }
        if let Some(c) = &client.cookie {
            req = req.header("Cookie", format!("twinhub_session={c}"));
        }
        let (_, framed) = req.max_frame_size(1 << 20).connect().await?;
        Ok(Ws { framed, next_id: 0 })
    }

    /// The HTTP status of a handshake at `path` that the server must refuse; fails the test
    /// if a socket opens instead.
    pub async fn ws_refused(
        &self,
        client: &Client,
        path: &str,
        origin: Option<&str>,
    ) -> awc::http::StatusCode {
        self.ws_refused_as(client, path, origin, None).await
    }

    /// Like `ws_refused`, with a Host header of the test's choosing.
    pub async fn ws_refused_as(
        &self,
        client: &Client,
        path: &str,
        origin: Option<&str>,
        host: Option<&str>,
    ) -> awc::http::StatusCode {
        let mut req = client.http.ws(format!("{}{path}", self.base));
        if let Some(o) = origin {
            req = req.origin(o);
        }
        if let Some(h) = host {
            req = req.set_header("Host", h);
        }
        match req.connect().await {
            Err(awc::error::WsClientError::InvalidResponseStatus(s)) => s,
            Err(e) => panic!("{path} {origin:?}: unexpected handshake error {e}"),
            Ok(_) => panic!("{path} {origin:?}: a socket opened where it must not"),
        }
    }

    /// A socket authenticated with a bearer client's token (no Origin, like a native client),
    /// after the welcome frame.
    pub async fn ws_token(&self, client: &Client) -> Ws {
        let mut ws = self.ws_raw(client, None).await.expect("handshake");
        let token = client.bearer.clone().expect("bearer client");
        let answer = ws.call(json!({"type": "auth", "token": token})).await;
        assert_eq!(answer["type"], "result", "{answer}");
        ws
    }
}

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        self.framed
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send frame");
    }

    /// Sends a frame with a fresh id (unless it has one) and waits for its answer, skipping
    /// (and keeping nothing of) other frames in between.
    pub async fn call(&mut self, mut frame: Value) -> Value {
        if frame.get("v").is_none() {
            frame["v"] = json!(1);
        }
        if frame.get("id").is_none() {
            self.next_id += 1;
            frame["id"] = json!(format!("t{}", self.next_id));
        }
        let id = frame["id"].clone();
        self.send(frame).await;
        self.recv_until(|f| f["id"] == id && (f["type"] == "result" || f["type"] == "error"))
            .await
    }

    /// The next JSON frame (pings answered, other control frames skipped).
    pub async fn recv(&mut self) -> Option<Value> {
        loop {
            let next = tokio::time::timeout(WAIT, self.framed.next())
                .await
                .ok()??;
            match next.ok()? {
                Frame::Text(t) => return serde_json::from_slice(&t).ok(),
                Frame::Ping(p) => {
                    let _ = self.framed.send(Message::Pong(p)).await;
                }
                Frame::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// Waits for the first frame matching `pred`, failing the test after `WAIT`.
    pub async fn recv_until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let next = tokio::time::timeout_at(deadline, self.recv())
                .await
                .unwrap_or(None);
            match next {
                Some(f) if pred(&f) => return f,
                Some(_) => continue,
                None => panic!("socket closed or silent before the expected frame"),
            }
        }
    }

    /// Collects frames until nothing arrives for `quiet`.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(Some(Ok(f))) = tokio::time::timeout(quiet, self.framed.next()).await {
            if let Frame::Text(t) = f {
                if let Ok(v) = serde_json::from_slice(&t) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// Waits for the server to close the socket; returns the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.framed.next()).await {
                Ok(Some(Ok(Frame::Close(reason)))) => return reason.map(|r| u16::from(r.code)),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_))) | Ok(None) => return None,
                Err(_) => panic!("the server did not close the socket"),
            }
        }
    }
}

/// A raw client frame (FIN set), masked with a zero key: valid, and the payload stays
/// readable; for tests that drive a socket byte by byte.
pub fn masked_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(payload);
    out
}
