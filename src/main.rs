//! The `twinhub` command: `serve` (the default) and administration tasks.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use twinhub::config::Config;
use twinhub::domain::user::User;
use twinhub::error::AppError;
use twinhub::search::Search;
use twinhub::service::{accounts, nso};
use twinhub::store::{SledStore, Store};

/// jemalloc rather than glibc's malloc: see ARCHITECTURE.md, "Memory allocator". Built with
/// its background threads on (the crate's `background_threads` feature): they return freed
/// memory to the system on time instead of at the next allocation in the same arena. Argon2id
/// frees a 19 MiB buffer per password check; glibc kept those in its heap (a hundred logins
/// left the server at about 1 GB resident until `mallopt` fixed its mmap threshold).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "twinhub",
    version,
    about = "School partnerships server in the style of eTwinning"
)]
struct Cli {
    /// Configuration file (values can also be set with TWINHUB_<SECTION>__<KEY>).
    #[arg(long, default_value = "config.toml", global = true)]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the web UI (the default).
    Serve,
    /// Rebuild the search index from the store, with a progress bar (run while the server is
    /// stopped: the store is locked). The server also rebuilds it at start when it is
    /// missing or outdated.
    Reindex,
    /// Ask the running server for a backup into `store.backup_dir`/NAME (it answers once
    /// the backup is on disk). Needs an administrator's bearer token in TWINHUB_ADMIN_TOKEN
    /// (from `POST /api/auth/token`); plain http only, so run it on the server's machine.
    Backup {
        /// The backup's name: a directory name under `store.backup_dir`.
        name: String,
        /// The server's address; default: http:// and `server.bind`.
        #[arg(long)]
        url: Option<String>,
    },
    /// Replace the store with a backup (run while the server is stopped: the store is locked).
    /// The store in place is moved aside (`<store.path>.before-restore-<time>`), never
    /// deleted; the next start rebuilds the search index.
    Restore {
        /// The backup's directory (`store.backup_dir`/NAME).
        dir: PathBuf,
    },
    /// Platform administration (run while the server is stopped: the store is locked).
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create a platform administrator, or make an existing member one. The password is read
    /// from the first line of standard input (never from the command line, where it would
    /// land in shell history and process lists).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// eTwinning country code of the administrator's profile.
        #[arg(long)]
        country: Option<String>,
    },
}

fn main() {
    let cli = Cli::parse();
    let result = Config::load(Some(&cli.config)).and_then(|cfg| {
        twinhub::telemetry::init_logging(&cfg.log.filter);
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(cfg),
            Command::Reindex => reindex(cfg),
            Command::Backup { name, url } => backup(&cfg, &name, url),
            Command::Restore { dir } => restore(&cfg, &dir),
            Command::Admin {
                action:
                    AdminAction::Create {
                        email,
                        name,
                        country,
                    },
            } => create_admin(cfg, email, name, country),
        }
    });
    if let Err(e) = result {
        // A command's store error says what happened (e.g. "in use by another twinhub
        // process"), not the generic answer an HTTP client gets.
        let detail = match &e {
            AppError::Internal(d) | AppError::Config(d) | AppError::StoreFailed(d) => d.clone(),
            other => other.to_string(),
        };
        eprintln!("twinhub: {detail}");
        std::process::exit(1);
    }
}

fn serve(cfg: Config) -> Result<(), AppError> {
    let demo = cfg.store.load_demo_on_empty;
    actix_web::rt::System::new().block_on(async move {
        let running = twinhub::server::start(cfg, true)?;
        let addr = running.addr;
        let serving = actix_web::rt::spawn(running.wait());
        // The server starts its workers and installs its Ctrl-C/SIGTERM handlers when first
        // polled: let it run once, so a stop signal sent as soon as "listening" shows is
        // handled gracefully rather than killing the process.
        actix_web::rt::task::yield_now().await;
        println!("Twinhub listening on http://{addr}");
        if demo {
            println!("{}", twinhub::demo::login_hint());
        }
        println!(
            "API description: http://{}/api/openapi.json — Ctrl-C stops the server.",
            addr
        );
        match serving.await.map_err(AppError::internal)? {
            // Exit now, without running destructors: a failed sled may hang in its own.
            Err(AppError::StoreFailed(reason)) => {
                eprintln!("twinhub: the store failed ({reason}); exiting for a restart");
                std::process::exit(twinhub::store::space::EXIT_STORE_FAILED);
            }
            other => other,
        }
    })
}

fn reindex(cfg: Config) -> Result<(), AppError> {
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(SledStore::open(&cfg.store)?);
    // The index being replaced tells how many items to expect; without one (or with an empty
    // one, as a fresh install or an interrupted rebuild leaves), the bar only counts.
    let expected = Search::documents_in(&cfg.search.index_dir).filter(|&n| n > 0);
    let search = Search::create_in_dir(&cfg.search.index_dir)?;
    let bar = reindex_bar(expected)?;
    let started = std::time::Instant::now();
    let n = search.rebuild(&*store, &cfg.search, &|done| {
        if bar.length().is_some_and(|len| done > len) {
            bar.set_length(done);
        }
        bar.set_position(done);
    })?;
    bar.set_length(n);
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Indexed {n} items in {secs:.1} s ({:.0} per second) into {}.",
        n as f64 / secs.max(1e-9),
        cfg.search.index_dir.display()
    );
    store.wait_durable().map_err(AppError::from)
}

fn backup(cfg: &Config, name: &str, url: Option<String>) -> Result<(), AppError> {
    let token = std::env::var("TWINHUB_ADMIN_TOKEN").map_err(|_| {
        AppError::BadRequest(
            "set TWINHUB_ADMIN_TOKEN to an administrator's bearer token (POST /api/auth/token)"
                .into(),
        )
    })?;
    let url = url.unwrap_or_else(|| format!("http://{}", local_address(&cfg.server.bind)));
    let body = serde_json::json!({ "name": name }).to_string();
    let (status, answer) = http_post(&url, "/api/admin/backups", &token, &body)?;
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
    if status != 201 {
        let message = answer["error"]["message"].as_str().unwrap_or("no answer");
        return Err(AppError::BadRequest(format!(
            "the server refused the backup ({status}): {message}"
        )));
    }
    println!(
        "Backup {} written to {}: {} records, {} bytes (writes paused {} ms).",
        answer["name"].as_str().unwrap_or(name),
        answer["path"].as_str().unwrap_or("?"),
        answer["records"],
        answer["bytes"],
        answer["paused_ms"]
    );
    Ok(())
}

/// Where to reach a server bound to `bind` from this machine.
fn local_address(bind: &str) -> String {
    if let Some(port) = bind.strip_prefix("0.0.0.0:") {
        format!("127.0.0.1:{port}")
    } else if let Some(port) = bind.strip_prefix("[::]:") {
        format!("[::1]:{port}")
    } else {
        bind.to_string()
    }
}

/// One HTTP/1.1 POST of a JSON body with a bearer token, read to the end (`Connection:
/// close`): the CLI's only request, not worth an HTTP client dependency. Returns the status
/// and the body.
fn http_post(url: &str, path: &str, token: &str, body: &str) -> Result<(u16, String), AppError> {
    use std::io::{Read, Write};
    let host = url
        .strip_prefix("http://")
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|h| !h.is_empty() && !h.contains('/'))
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "--url {url}: give http://host:port (plain http: run this on the server's machine)"
            ))
        })?;
    let addr = if host.contains(':') && !host.ends_with(']') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let unreachable = |e: std::io::Error| AppError::BadRequest(format!("{url}: {e}"));
    let mut stream = std::net::TcpStream::connect(&addr).map_err(unreachable)?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(unreachable)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(unreachable)?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| AppError::BadRequest(format!("{url}: not an HTTP answer")))?;
    Ok((status, body.to_string()))
}

fn restore(cfg: &Config, dir: &std::path::Path) -> Result<(), AppError> {
    let restored = twinhub::service::backup::restore(&cfg.store, dir)?;
    let b = &restored.backup;
    println!(
        "Restored backup {} ({}, {} records) into {}.",
        b.name,
        b.created_at,
        b.records,
        cfg.store.path.display()
    );
    if let Some(previous) = &restored.previous_store {
        println!(
            "The store that was there is kept in {}.",
            previous.display()
        );
    }
    println!("The search index is rebuilt at the next start.");
    Ok(())
}

/// A bar towards the expected number of items, or a counter when nothing is expected.
fn reindex_bar(expected: Option<u64>) -> Result<indicatif::ProgressBar, AppError> {
    use indicatif::{ProgressBar, ProgressStyle};
    let (bar, template) = match expected {
        Some(n) => (
            ProgressBar::new(n),
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} items ({per_sec}, {eta} left)",
        ),
        None => (
            ProgressBar::no_length(),
            "{spinner} [{elapsed_precise}] {pos} items ({per_sec})",
        ),
    };
    let style = ProgressStyle::with_template(template).map_err(AppError::internal)?;
    Ok(bar.with_style(style))
}

fn create_admin(
    cfg: Config,
    email: String,
    name: String,
    country: Option<String>,
) -> Result<(), AppError> {
    let core = twinhub::server::open_core(cfg, std::sync::Arc::new(twinhub::live::bus::NullBus))?;
    let existing = accounts::user_by_email(&core, &email)?;
    let user: User = match existing {
        Some(u) => u,
        None => {
            eprintln!("Password for {email} (one line on standard input):");
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .map_err(AppError::internal)?;
            let input = accounts::RegisterInput {
                display_name: name,
                email: email.clone(),
                password: password.trim_end_matches(['\r', '\n']).to_string(),
                country,
            };
            accounts::register(&core, input, std::net::Ipv4Addr::LOCALHOST.into())?;
            accounts::user_by_email(&core, &email)?
                .ok_or_else(|| AppError::internal("account not created"))?
        }
    };
    nso::make_admin(&core, user.id)?;
    println!(
        "{} (user {}) is a platform administrator.",
        user.email, user.id
    );
    Ok(())
}
