//! Wiring, in one place: open the store, build the services, load demo data on an empty
//! store, bind the listener and start the HTTP server.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::web;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::error::AppError;
use crate::live::bus::{Bus, LocalBus};
use crate::live::registry::Registry;
use crate::service::Core;
use crate::store::{SledStore, Store};
use crate::{demo, http, mail, telemetry};
use actix::{Actor, Addr};

/// A started server: its address, a handle to stop it, and the future that runs it.
pub struct Running {
    pub addr: SocketAddr,
    pub server: Server,
    pub core: web::Data<Core>,
    pub registry: Addr<Registry>,
    /// The mail sender; stopped when the server stops (or when this is dropped).
    pub mail: mail::Sender,
}

/// Opens the sled store named in the config and the services over it.
pub fn open_core(config: Config, bus: Arc<dyn Bus>) -> Result<web::Data<Core>, AppError> {
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&config.store)?);
    Ok(web::Data::new(Core::new(
        store,
        Arc::new(config),
        Arc::new(SystemClock),
        bus,
    )))
}

/// Starts serving; must be called inside the actix runtime. `handle_signals` makes Ctrl-C
/// and SIGTERM stop the server gracefully (off in tests, which stop it through the handle).
pub fn start(config: Config, handle_signals: bool) -> Result<Running, AppError> {
    telemetry::init_metrics();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let registry = Registry::new(threads, config.live.outbound_queue).start();
    let core = open_core(config, Arc::new(LocalBus::new(registry.clone())))?;
    if core.config.store.load_demo_on_empty && core.store.is_empty()? {
        demo::load(&core)?;
    }
    let bind = &core.config.server.bind;
    let listener = TcpListener::bind(bind)
        .map_err(|e| AppError::Config(format!("cannot listen on {bind}: {e}")))?;
    let addr = listener.local_addr().map_err(AppError::internal)?;
    let mail = mail::Sender::start(core.clone().into_inner())?;
    let server = http::server(core.clone(), registry.clone(), listener, handle_signals)
        .map_err(AppError::internal)?;
    Ok(Running {
        addr,
        server,
        core,
        registry,
        mail,
    })
}

impl Running {
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped, stops the mail sender (after the mail in hand), then makes
    /// everything written durable before returning.
    pub async fn wait(self) -> Result<(), AppError> {
        self.server.await.map_err(AppError::internal)?;
        let core = self.core.clone();
        let sender = self.mail;
        http::run(move || {
            drop(sender);
            core.store.wait_durable().map_err(AppError::from)
        })
        .await?;
        tracing::info!("store flushed; shut down cleanly");
        Ok(())
    }
}
