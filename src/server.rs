//! Wiring, in one place: open the store, build the services, load demo data on an empty
//! store, bind the listener and start the HTTP server.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::web;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::error::AppError;
use crate::live::bus::{Bus, LocalBus};
use crate::live::registry::Registry;
use crate::search::indexer::{Indexer, Stop};
use crate::search::Search;
use crate::service::Core;
use crate::store::space::Failure;
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
    /// The search indexer; stopped when the server stops.
    pub indexer: IndexerHandle,
    /// Set when the store fails; the server then stops.
    pub failure: Arc<Failure>,
}

/// Opens the sled store named in the config, the search index (rebuilt from the store when
/// missing or outdated) and the services over them.
pub fn open_core(config: Config, bus: Arc<dyn Bus>) -> Result<web::Data<Core>, AppError> {
    Ok(open_watched_core(config, bus)?.0)
}

/// [`open_core`], also handing back the store's failure record, which the server waits on.
fn open_watched_core(
    config: Config,
    bus: Arc<dyn Bus>,
) -> Result<(web::Data<Core>, Arc<Failure>), AppError> {
    let sled = SledStore::open(&config.store)?
        .watching(&[&config.search.index_dir, &config.mail.outbox_dir]);
    let failure = sled.failure();
    let store: Arc<dyn Store> = Arc::new(sled);
    let search = Arc::new(Search::open(&config.search, &*store)?);
    let core = web::Data::new(Core::new(
        store,
        Arc::new(config),
        Arc::new(SystemClock),
        bus,
        search,
    ));
    Ok((core, failure))
}

/// Starts serving; must be called inside the actix runtime. `handle_signals` makes Ctrl-C
/// and SIGTERM stop the server gracefully (off in tests, which stop it through the handle).
pub fn start(config: Config, handle_signals: bool) -> Result<Running, AppError> {
    telemetry::init_metrics();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let registry = Registry::new(threads, config.live.outbound_queue).start();
    let (core, failure) = open_watched_core(config, Arc::new(LocalBus::new(registry.clone())))?;
    if core.config.store.load_demo_on_empty && core.store.is_empty()? {
        demo::load(&core)?;
    }
    let bind = &core.config.server.bind;
    let listener = TcpListener::bind(bind)
        .map_err(|e| AppError::Config(format!("cannot listen on {bind}: {e}")))?;
    let addr = listener.local_addr().map_err(AppError::internal)?;
    let mail = mail::Sender::start(core.clone().into_inner())?;
    let indexer = start_indexer(&core)?;
    let server = http::server(core.clone(), registry.clone(), listener, handle_signals)
        .map_err(AppError::internal)?;
    stop_on_failure(&server, &failure);
    sweep_idempotency_keys(&core);
    Ok(Running {
        addr,
        server,
        core,
        registry,
        mail,
        indexer,
        failure,
    })
}

/// Removes expired `Idempotency-Key` records once a minute, a bounded batch at a time, so
/// they cost disk for `limits.idempotency_key_secs` and no longer. Holds the services only
/// weakly: a stopped server's store must close (and unlock) without waiting for this task.
fn sweep_idempotency_keys(core: &web::Data<Core>) {
    const EVERY: Duration = Duration::from_secs(60);
    const BATCH: usize = 1000;
    let weak = Arc::downgrade(&core.clone().into_inner());
    actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(EVERY).await;
            loop {
                let Some(core) = weak.upgrade() else { return };
                match http::run(move || crate::service::idempotency::sweep(&core, BATCH)).await {
                    Ok(n) if n == BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "sweeping idempotency keys failed");
                        break;
                    }
                }
            }
        }
    });
}

/// A failed store (an I/O error, a stalled flush) cannot take writes until sled is reopened:
/// stop gracefully, and `Running::wait` reports it so the process exits with
/// `EXIT_STORE_FAILED` for its supervisor to restart it.
fn stop_on_failure(server: &Server, failure: &Arc<Failure>) {
    let handle = server.handle();
    let failure = Arc::clone(failure);
    actix_web::rt::spawn(async move {
        failure.wait().await;
        handle.stop(true).await;
    });
}

/// Starts the indexer actor on its own arbiter (a thread with its own event loop), since
/// its commits block on the disk; it then takes the marks left by earlier runs.
fn start_indexer(core: &web::Data<Core>) -> Result<IndexerHandle, AppError> {
    let indexer = Indexer::new(core.search.clone(), core.store.clone(), &core.config.search)?;
    let arbiter = actix::Arbiter::new();
    let addr = Indexer::start_in_arbiter(&arbiter.handle(), move |_| indexer);
    core.search.set_indexer(addr.clone().recipient());
    Ok(IndexerHandle { addr, arbiter })
}

/// The running indexer; stopped with the server.
pub struct IndexerHandle {
    addr: Addr<Indexer>,
    arbiter: actix::Arbiter,
}

impl IndexerHandle {
    /// Commits what is marked, then stops the indexer's thread.
    pub async fn stop(self) {
        let _ = self.addr.send(Stop).await;
        self.arbiter.stop();
        let _ = self.arbiter.join();
    }
}

impl Running {
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped, stops the mail sender (after the mail in hand), then makes
    /// everything written durable before returning. After a store failure it returns
    /// `AppError::StoreFailed` instead; every step after the HTTP server's own graceful stop
    /// is bounded by `store.stall_timeout_secs`, so a wedged store cannot hold the exit.
    pub async fn wait(self) -> Result<(), AppError> {
        self.server.await.map_err(AppError::internal)?;
        let bound = Duration::from_secs(self.core.config.store.stall_timeout_secs);
        let core = self.core.clone();
        let sender = self.mail;
        let failure = self.failure;
        let finish = async move {
            self.indexer.stop().await;
            if failure.reason().is_some() {
                return;
            }
            let flushed = http::run(move || {
                drop(sender);
                core.store.wait_durable().map_err(AppError::from)
            })
            .await;
            if let Err(e) = flushed {
                tracing::error!(error = %e, "final store flush failed");
            }
        };
        if actix_web::rt::time::timeout(bound, finish).await.is_err() {
            return Err(AppError::StoreFailed(
                "the shutdown's last flush did not finish in time".into(),
            ));
        }
        if let Some(reason) = self.core.store.failure_reason() {
            return Err(AppError::StoreFailed(reason));
        }
        tracing::info!("store flushed; shut down cleanly");
        Ok(())
    }
}
