//! The floor for the live-layer benchmark: the least a WebSocket broadcast server on tokio
//! and tokio-tungstenite can do. No JSON, no auth, no store. A client's first text frame names
//! its group (the server answers `joined`); every later text frame is sent, unchanged, to
//! every connection of that group, the sender included. `twinhub-load --mode floor` speaks it.
//!
//! Run: `cargo run --release --features load --example ws_floor -- 127.0.0.1:9100`
//! (declared as an example so `cargo bench` never starts it; see Cargo.toml).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Frames queued per connection before it lags (twinhub's default `live.outbound_queue`).
const QUEUE: usize = 256;
type Groups = Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>;
static LAGGED: AtomicU64 = AtomicU64::new(0);

async fn serve(tcp: TcpStream, groups: Groups) -> Result<(), Box<dyn std::error::Error>> {
    tcp.set_nodelay(true)?;
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let mut ws = tokio_tungstenite::accept_async_with_config(tcp, Some(config)).await?;
    let group = loop {
        match ws.next().await {
            Some(Ok(Message::Text(name))) => break name.to_string(),
            Some(Ok(_)) => continue,
            _ => return Ok(()),
        }
    };
    let tx = {
        let mut map = groups.lock().map_err(|_| "poisoned")?;
        map.entry(group)
            .or_insert_with(|| broadcast::channel(QUEUE).0)
            .clone()
    };
    let mut rx = tx.subscribe();
    ws.send(Message::text("joined")).await?;
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => { let _ = tx.send(text); }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Ok(()),
                Some(Ok(_)) => {}
            },
            out = rx.recv() => {
                match out {
                    Ok(text) => ws.feed(Message::Text(text)).await?,
                    Err(RecvError::Lagged(n)) => { LAGGED.fetch_add(n, Ordering::Relaxed); }
                    Err(RecvError::Closed) => return Ok(()),
                }
                // Write everything already queued, then flush once.
                loop {
                    match rx.try_recv() {
                        Ok(text) => ws.feed(Message::Text(text)).await?,
                        Err(TryRecvError::Lagged(n)) => { LAGGED.fetch_add(n, Ordering::Relaxed); }
                        Err(_) => break,
                    }
                }
                ws.flush().await?;
            }
        }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .skip(1)
        .find(|a| a.contains(':'))
        .unwrap_or_else(|| "127.0.0.1:9100".into());
    let listener = TcpListener::bind(&bind).await?;
    println!("ws_floor listening on {}", listener.local_addr()?);
    tokio::spawn(async {
        let mut seen = 0;
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            let lagged = LAGGED.load(Ordering::Relaxed);
            if lagged != seen {
                eprintln!("ws_floor: {lagged} frames dropped for lagging connections");
                seen = lagged;
            }
        }
    });
    let groups = Groups::default();
    loop {
        match listener.accept().await {
            Ok((tcp, _)) => {
                let groups = groups.clone();
                tokio::spawn(async move {
                    let _ = serve(tcp, groups).await;
                });
            }
            Err(e) => {
                eprintln!("ws_floor: accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
