//! WebSocket load generator for the live layer (needs `--features load`).
//!
//! `--mode twinhub` (default): logs in as a platform administrator (`--admin-email`,
//! `--admin-password`: create one with `twinhub admin create` before the server starts),
//! registers an NSO officer of France and has the administrator appoint them, registers and
//! logs in `--users` accounts of France (one login each; the sessions share their user's
//! token), has the officer validate the first `--groups` of them (only eTwinners create
//! groups), which then create one open group each, joins every other user to one, opens
//! `--sessions` sockets (authenticate with the token, subscribe to the group), then
//! `--senders` of them post messages at `--rate` messages/s in total for `--duration` s.
//! The server must allow that many chat messages per member (`groups.messages_per_window`).
//! `--mode floor` speaks the trivial protocol of `benches/ws_floor.rs` instead.
//!
//! Each message text is `LD@<ns>@<seq>@`: `<ns>` is the *scheduled* send time in
//! nanoseconds since the generator's start (so a server that falls behind cannot hide its
//! queue by slowing the sender down), `<seq>` a number unique in the run. Every socket
//! records send→receive latency in one HDR histogram and counts deliveries per message, so
//! lost = Σ (members of the message's group − deliveries), never below zero per message.
//!
//! It prints a report and one `RESULT key=value ...` line for `scripts/bench-live.sh`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Semaphore};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type Ws = WebSocketStream<TcpStream>;
type Sink = SplitSink<Ws, Message>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

const PASSWORD: &str = "load-test-password";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// The twinhub server: accounts, groups, `auth` and `subscribe` frames, `send` frames.
    Twinhub,
    /// `benches/ws_floor.rs`: first frame is the group name, every later frame is broadcast.
    Floor,
}

#[derive(Parser, Debug)]
#[command(about = "WebSocket fan-out load generator for twinhub's live layer")]
struct Args {
    /// Base URL of the server (http://host:port).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// WebSocket connections to open and hold.
    #[arg(long, default_value_t = 1000)]
    sessions: usize,
    /// Groups the sessions are spread over (round robin); every session listens to one.
    #[arg(long, default_value_t = 1)]
    groups: usize,
    /// Sessions that also send (spread over the groups); 0 for an idle run.
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Seconds of sending (or of holding the sockets, when idle).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    #[arg(long, value_enum, default_value_t = Mode::Twinhub)]
    mode: Mode,
    /// The server's pid, to read its resident memory from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Accounts the sessions are spread over (each costs an Argon2 registration and login).
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Sockets being opened at once.
    #[arg(long, default_value_t = 200)]
    connect_concurrency: usize,
    /// Seconds to wait after the last send for deliveries still in flight.
    #[arg(long, default_value_t = 5.0)]
    drain: f64,
    /// A platform administrator's e-mail (twinhub mode): appoints the NSO officer who
    /// validates the group creators.
    #[arg(long, env = "TWINHUB_LOAD_ADMIN_EMAIL")]
    admin_email: Option<String>,
    /// That administrator's password (better passed in the environment than on the command
    /// line, where process lists show it).
    #[arg(long, env = "TWINHUB_LOAD_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

/// What every socket reports into.
struct Shared {
    base: Instant,
    hist: Mutex<Histogram<u64>>,
    /// Deliveries per message sequence number.
    counts: Vec<AtomicU32>,
    /// Group index of each message.
    msg_group: Vec<AtomicU32>,
    received: AtomicU64,
    last_delivery_ns: AtomicU64,
    acks: AtomicU64,
    errors: AtomicU64,
    open: AtomicU64,
    closes: Mutex<HashMap<String, u64>>,
    error_samples: Mutex<Vec<String>>,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    fn note_error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut v) = self.error_samples.lock() {
            if v.len() < 5 {
                v.push(what);
            }
        }
    }

    fn note_close(&self, why: String) {
        if let Ok(mut m) = self.closes.lock() {
            *m.entry(why).or_default() += 1;
        }
    }

    fn on_text(&self, text: &str) {
        if text.contains(r#""type":"result""#) {
            if text.contains(r#""message""#) {
                self.acks.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
        if text.contains(r#""type":"error""#) {
            self.note_error(text.chars().take(300).collect());
            return;
        }
        let Some(at) = text.find("LD@") else { return };
        let mut parts = text[at + 3..].split('@');
        let (Some(Ok(sent)), Some(Ok(seq))) = (
            parts.next().map(str::parse::<u64>),
            parts.next().map(str::parse::<usize>),
        ) else {
            return;
        };
        let now = self.now_ns();
        if let Ok(mut h) = self.hist.lock() {
            h.saturating_record((now.saturating_sub(sent) / 1000).max(1));
        }
        if let Some(c) = self.counts.get(seq) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        self.received.fetch_add(1, Ordering::Relaxed);
        self.last_delivery_ns.fetch_max(now, Ordering::Relaxed);
    }
}

fn rss_kb(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system CPU time of a process, in clock ticks (100 per second on Linux).
fn cpu_ticks(pid: Option<u32>) -> Option<u64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".into(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may contain spaces): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn raise_nofile() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                eprintln!("could not raise RLIMIT_NOFILE to {}", lim.rlim_max);
            }
        }
    }
    lim.rlim_cur
}

/// `host:port` of an `http://host:port[/...]` URL.
fn authority(url: &str) -> String {
    let rest = url
        .trim_start_matches("http://")
        .trim_start_matches("ws://");
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// A minimal HTTP/1.1 client (one request per connection) for the setup calls.
async fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<(u16, Value), BoxError> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n{auth}Connection: close\r\n\r\n{body}",
        body.len()
    );
    let mut tcp = TcpStream::connect(addr).await?;
    tcp.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, mut payload) = text.split_once("\r\n\r\n").ok_or("no HTTP header end")?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    let mut decoded = String::new();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        while let Some((size, rest)) = payload.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16)?;
            if n == 0 || rest.len() < n {
                break;
            }
            decoded.push_str(&rest[..n]);
            payload = rest[n..].trim_start_matches("\r\n");
        }
    } else {
        decoded = payload.to_string();
    }
    let value = serde_json::from_str(&decoded).unwrap_or(Value::Null);
    Ok((status, value))
}

async fn expect(
    what: &str,
    want: u16,
    call: impl std::future::Future<Output = Result<(u16, Value), BoxError>>,
) -> Result<Value, BoxError> {
    let (status, body) = call.await.map_err(|e| format!("{what}: {e}"))?;
    if status != want {
        return Err(format!("{what}: HTTP {status} {body}").into());
    }
    Ok(body)
}

/// Registers `email` (country FR) and logs it in; returns its bearer token and user id.
async fn register_and_login(
    addr: &str,
    email: &str,
    name: &str,
) -> Result<(String, u64), BoxError> {
    let reg = json!({"display_name": name, "email": email, "password": PASSWORD,
        "country": "FR"});
    expect(
        &format!("register {email}"),
        202,
        http(addr, "POST", "/api/auth/register", None, Some(&reg)),
    )
    .await?;
    login(addr, email, PASSWORD).await
}

/// Logs in for a bearer token; returns it and the user id.
async fn login(addr: &str, email: &str, password: &str) -> Result<(String, u64), BoxError> {
    let body = json!({"email": email, "password": password});
    let answer = expect(
        &format!("log in as {email}"),
        200,
        http(addr, "POST", "/api/auth/token", None, Some(&body)),
    )
    .await?;
    let token = answer["token"]
        .as_str()
        .ok_or_else(|| format!("log in as {email}: no token in {answer}"))?;
    let id = answer["user"]["id"]
        .as_u64()
        .ok_or_else(|| format!("log in as {email}: no user id in {answer}"))?;
    Ok((token.to_string(), id))
}

/// Logs in as the administrator, registers an NSO officer of France and has the
/// administrator appoint them; returns the officer's token.
async fn appoint_officer(
    addr: &str,
    run: u128,
    admin_email: &str,
    admin_password: &str,
) -> Result<String, BoxError> {
    let (admin, _) = login(addr, admin_email, admin_password).await.map_err(|e| {
        let hint = if e.to_string().contains("HTTP 401") {
            format!(
                "\n(the administrator must exist before the server starts: \
                 `echo PASSWORD | twinhub admin create --email {admin_email} --name Admin --country FR`)"
            )
        } else {
            String::new()
        };
        format!("{e}{hint}")
    })?;
    let (officer, officer_id) =
        register_and_login(addr, &format!("load-{run}-nso@example.org"), "Load NSO").await?;
    expect(
        "appoint the NSO officer of FR (is the account a platform administrator?)",
        200,
        http(
            addr,
            "PUT",
            &format!("/api/admin/nso-officers/{officer_id}"),
            Some(&admin),
            Some(&json!({"country": "FR"})),
        ),
    )
    .await?;
    Ok(officer)
}

/// What creating a group takes: subjects, languages, the join policy and the accepted
/// version of the Code of Conduct.
fn group_body(g: usize) -> Value {
    json!({
        "title": format!("Load group {g}"),
        "description": "Load test group",
        "subjects": ["biology"],
        "languages": ["en"],
        "policy": "all",
        "accept_code_of_conduct": 1,
    })
}

/// Registers and logs in the accounts (all of France), has an NSO officer validate the first
/// `groups` of them, which create one group each, and joins every other user to its group
/// (user `u` belongs to group `u % groups`). Returns the tokens and the group ids.
async fn setup_accounts(
    addr: &str,
    users: usize,
    groups: usize,
    admin_email: &str,
    admin_password: &str,
) -> Result<(Vec<String>, Vec<u64>), BoxError> {
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    // First, so that wrong administrator credentials fail before minutes of registrations.
    let officer = appoint_officer(addr, run, admin_email, admin_password).await?;
    let started = Instant::now();
    let done = AtomicU64::new(0);
    let done = &done;
    // The server hashes with Argon2id: a few requests in flight keep its core busy.
    let accounts: Vec<Result<(String, u64), BoxError>> = futures_util::stream::iter(0..users)
        .map(|u| async move {
            let email = format!("load-{run}-{u}@example.org");
            let account = register_and_login(addr, &email, &format!("Load {u}")).await;
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_multiple_of(500) && (n as usize) < users {
                println!(
                    "  {n} of {users} users registered and logged in ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
            account
        })
        .buffered(8)
        .collect()
        .await;
    let accounts: Vec<(String, u64)> = accounts.into_iter().collect::<Result<_, _>>()?;
    println!(
        "registered and logged in {users} users in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let officer = officer.as_str();
    let created: Vec<Result<u64, BoxError>> = futures_util::stream::iter(0..groups)
        .map(|g| {
            let (token, id) = &accounts[g];
            async move {
                expect(
                    &format!("validate group creator {id}"),
                    200,
                    http(
                        addr,
                        "PUT",
                        &format!("/api/nso/members/{id}/validation"),
                        Some(officer),
                        None,
                    ),
                )
                .await?;
                let group = expect(
                    &format!("create group {g}"),
                    201,
                    http(
                        addr,
                        "POST",
                        "/api/groups",
                        Some(token),
                        Some(&group_body(g)),
                    ),
                )
                .await?;
                group["id"]
                    .as_u64()
                    .ok_or_else(|| format!("create group {g}: no id in {group}").into())
            }
        })
        .buffered(8)
        .collect()
        .await;
    let ids: Vec<u64> = created.into_iter().collect::<Result<_, _>>()?;
    let ids = &ids;
    let joins: Vec<Result<Value, BoxError>> = futures_util::stream::iter(groups..users)
        .map(|u| {
            let group = ids[u % groups];
            let token = &accounts[u].0;
            async move {
                let path = format!("/api/groups/{group}/members");
                let what = format!("user {u} joins group {group}");
                expect(&what, 200, http(addr, "POST", &path, Some(token), None)).await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    joins.into_iter().collect::<Result<Vec<_>, _>>()?;
    println!(
        "validated {groups} creators, created {groups} groups and joined {} users in {:.1} s",
        users - groups,
        started.elapsed().as_secs_f64()
    );
    let tokens = accounts.into_iter().map(|(t, _)| t).collect();
    Ok((tokens, ids.clone()))
}

/// Reads frames until the answer to `id` (twinhub) or `joined` (floor).
async fn wait_answer(ws: &mut Ws, id: Option<&str>) -> Result<(), BoxError> {
    let wait = async {
        while let Some(msg) = ws.next().await {
            let Message::Text(t) = msg? else { continue };
            let t = t.as_str();
            match id {
                None if t == "joined" => return Ok(()),
                None => {}
                Some(id) if t.contains(&format!(r#""id":"{id}""#)) => {
                    if t.contains(r#""type":"result""#) {
                        return Ok(());
                    }
                    return Err(format!("answer to {id}: {t}").into());
                }
                Some(_) => {}
            }
        }
        Err::<(), BoxError>("socket closed during setup".into())
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .map_err(|_| "no answer within 60 s")?
}

async fn open_session(
    addr: &str,
    mode: Mode,
    token: Option<&str>,
    group: &str,
) -> Result<Ws, BoxError> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let path = if mode == Mode::Twinhub { "/ws" } else { "/" };
    let url = format!("ws://{addr}{path}");
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(config)).await?;
    match mode {
        Mode::Twinhub => {
            let auth = json!({"v": 1, "type": "auth", "id": "a1", "token": token.unwrap_or("")});
            ws.send(Message::text(auth.to_string())).await?;
            wait_answer(&mut ws, Some("a1")).await?;
            let sub = json!({"v": 1, "type": "subscribe", "id": "s1", "topic": group});
            ws.send(Message::text(sub.to_string())).await?;
            wait_answer(&mut ws, Some("s1")).await?;
        }
        Mode::Floor => {
            ws.send(Message::text(group.to_string())).await?;
            wait_answer(&mut ws, None).await?;
        }
    }
    Ok(ws)
}

async fn read_loop(shared: Arc<Shared>, mut stream: SplitStream<Ws>) {
    while let Some(msg) = stream.next().await {
        match msg {
            Ok(Message::Text(t)) => shared.on_text(t.as_str()),
            Ok(Message::Close(frame)) => {
                let why = frame
                    .map(|f| format!("close {} {}", u16::from(f.code), f.reason))
                    .unwrap_or_else(|| "close without code".into());
                shared.note_close(why);
                break;
            }
            Ok(_) => {}
            Err(e) => {
                shared.note_close(format!("error: {e}"));
                break;
            }
        }
    }
    shared.open.fetch_sub(1, Ordering::Relaxed);
}

/// One sender: `rate` messages/s from `offset` seconds after `start`, until `end`.
#[allow(clippy::too_many_arguments)]
async fn send_loop(
    shared: Arc<Shared>,
    mut sink: Sink,
    mode: Mode,
    topic: String,
    group: u32,
    next_seq: Arc<AtomicU64>,
    start: tokio::time::Instant,
    end: tokio::time::Instant,
    interval: Duration,
    offset: Duration,
) -> u64 {
    let mut sent = 0;
    let mut at = start + offset;
    while at < end {
        tokio::time::sleep_until(at).await;
        let seq = next_seq.fetch_add(1, Ordering::Relaxed) as usize;
        if seq >= shared.counts.len() {
            break;
        }
        shared.msg_group[seq].store(group, Ordering::Relaxed);
        let scheduled = (at.into_std() - shared.base).as_nanos();
        let text = format!("LD@{scheduled}@{seq}@");
        let frame = match mode {
            Mode::Twinhub => json!({"v": 1, "type": "send", "id": format!("m{seq}"),
                "topic": topic, "text": text})
            .to_string(),
            Mode::Floor => text,
        };
        if let Err(e) = sink.send(Message::text(frame)).await {
            shared.note_error(format!("send: {e}"));
            break;
        }
        sent += 1;
        at += interval;
    }
    sent
}

fn pct(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run(Args::parse()).await {
        eprintln!("twinhub-load: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), BoxError> {
    let nofile = raise_nofile();
    let addr = authority(&args.url);
    let groups = args.groups.max(1);
    let senders = args.senders.min(args.sessions);
    println!(
        "mode={:?} sessions={} groups={groups} senders={senders} rate={} duration={} s \
         (open-file limit {nofile})",
        args.mode, args.sessions, args.rate, args.duration
    );
    if args.sessions as u64 + 16 > nofile {
        eprintln!(
            "warning: {} sessions need more than the open-file limit {nofile}",
            args.sessions
        );
    }

    // Accounts and groups (twinhub) or group names (floor).
    let (tokens, topics): (Vec<String>, Vec<String>) = match args.mode {
        Mode::Twinhub => {
            let (Some(email), Some(password)) = (&args.admin_email, &args.admin_password) else {
                return Err(
                    "twinhub mode needs a platform administrator to appoint the NSO \
                    officer who validates the group creators: --admin-email and \
                    --admin-password (or TWINHUB_LOAD_ADMIN_EMAIL / TWINHUB_LOAD_ADMIN_PASSWORD); \
                    create one with `twinhub admin create` before the server starts"
                        .into(),
                );
            };
            let users = args.users.clamp(groups, args.sessions.max(groups));
            let (tokens, ids) = setup_accounts(&addr, users, groups, email, password).await?;
            (tokens, ids.iter().map(|id| format!("group:{id}")).collect())
        }
        Mode::Floor => (vec![], (0..groups).map(|g| format!("group:{g}")).collect()),
    };
    let users_in = |g: usize| (tokens.len() + groups - 1 - g) / groups;

    let capacity = (args.rate * args.duration * 1.05) as usize + senders + 16;
    let shared = Arc::new(Shared {
        base: Instant::now(),
        hist: Mutex::new(Histogram::new_with_bounds(1, 3_600_000_000, 3)?),
        counts: (0..capacity).map(|_| AtomicU32::new(0)).collect(),
        msg_group: (0..capacity).map(|_| AtomicU32::new(0)).collect(),
        received: AtomicU64::new(0),
        last_delivery_ns: AtomicU64::new(0),
        acks: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        open: AtomicU64::new(0),
        closes: Mutex::new(HashMap::new()),
        error_samples: Mutex::new(Vec::new()),
    });

    // Open the sockets. Session i listens to group i % groups; sessions 0..senders send.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kb(args.server_pid);
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let (ready_tx, mut ready_rx) =
        mpsc::unbounded_channel::<(usize, Result<Option<Sink>, String>)>();
    for i in 0..args.sessions {
        let g = i % groups;
        let token = match args.mode {
            Mode::Twinhub => Some(tokens[g + groups * ((i / groups) % users_in(g))].clone()),
            Mode::Floor => None,
        };
        let (topic, addr, mode) = (topics[g].clone(), addr.clone(), args.mode);
        let (gate, shared, ready_tx) = (gate.clone(), shared.clone(), ready_tx.clone());
        tokio::spawn(async move {
            let opened = {
                let _permit = gate.acquire().await;
                open_session(&addr, mode, token.as_deref(), &topic).await
            };
            match opened {
                Ok(ws) => {
                    shared.open.fetch_add(1, Ordering::Relaxed);
                    let (sink, stream) = ws.split();
                    let _ = ready_tx.send((i, Ok((i < senders).then_some(sink))));
                    read_loop(shared, stream).await;
                }
                Err(e) => {
                    let _ = ready_tx.send((i, Err(e.to_string())));
                }
            }
        });
    }
    drop(ready_tx);
    let mut sinks: Vec<(usize, Sink)> = Vec::new();
    let mut members = vec![0u64; groups];
    let mut failed = 0;
    let mut failures: HashMap<String, u64> = HashMap::new();
    for _ in 0..args.sessions {
        let Some((i, res)) = ready_rx.recv().await else {
            break;
        };
        match res {
            Ok(sink) => {
                members[i % groups] += 1;
                if let Some(sink) = sink {
                    sinks.push((i, sink));
                }
            }
            Err(e) => {
                failed += 1;
                *failures.entry(e).or_default() += 1;
            }
        }
    }
    let connected: u64 = members.iter().sum();
    let connect_secs = started.elapsed().as_secs_f64();
    println!("connected {connected} sockets ({failed} failed) in {connect_secs:.1} s");
    for (e, n) in &failures {
        println!("  connect failure x{n}: {e}");
    }
    // Let presence and subscription traffic settle before measuring memory and latency.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_connected = rss_kb(args.server_pid);

    // Send.
    let next_seq = Arc::new(AtomicU64::new(0));
    let duration = Duration::from_secs_f64(args.duration);
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let end = start + duration;
    let send_started_ns = (start.into_std() - shared.base).as_nanos() as u64;
    let cpu_at_start = (cpu_ticks(args.server_pid), cpu_ticks(None), Instant::now());
    let mut tasks = Vec::new();
    if args.rate > 0.0 && !sinks.is_empty() {
        let n = sinks.len() as f64;
        let interval = Duration::from_secs_f64(n / args.rate);
        for (k, (i, sink)) in sinks.into_iter().enumerate() {
            let offset = Duration::from_secs_f64(k as f64 / args.rate);
            let g = i % groups;
            tasks.push(tokio::spawn(send_loop(
                shared.clone(),
                sink,
                args.mode,
                topics[g].clone(),
                g as u32,
                next_seq.clone(),
                start,
                end,
                interval,
                offset,
            )));
        }
    } else {
        tokio::time::sleep_until(end).await;
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await.unwrap_or(0);
    }
    let expected: u64 = (0..sent as usize)
        .map(|s| members[shared.msg_group[s].load(Ordering::Relaxed) as usize])
        .sum();
    let drain_until = Instant::now() + Duration::from_secs_f64(args.drain);
    while shared.received.load(Ordering::Relaxed) < expected && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss_end = rss_kb(args.server_pid);
    let cpu_secs = cpu_at_start.2.elapsed().as_secs_f64();
    let cpu_pct = |from: Option<u64>, to: Option<u64>| match (from, to) {
        (Some(a), Some(b)) => format!("{:.0}", (b - a) as f64 / cpu_secs),
        _ => "n/a".into(),
    };
    let server_cpu = cpu_pct(cpu_at_start.0, cpu_ticks(args.server_pid));
    let own_cpu = cpu_pct(cpu_at_start.1, cpu_ticks(None));

    // Report.
    let received = shared.received.load(Ordering::Relaxed);
    let (mut lost, mut dup) = (0u64, 0u64);
    for s in 0..sent as usize {
        let want = members[shared.msg_group[s].load(Ordering::Relaxed) as usize];
        let got = shared.counts[s].load(Ordering::Relaxed) as u64;
        lost += want.saturating_sub(got);
        dup += got.saturating_sub(want);
    }
    let last = shared.last_delivery_ns.load(Ordering::Relaxed);
    let window = if last > send_started_ns {
        (last - send_started_ns) as f64 / 1e9
    } else {
        args.duration
    }
    .max(args.duration);
    let events_per_s = received as f64 / window;
    let hist = shared.hist.lock().map_err(|_| "poisoned")?.clone();
    let (p50, p99, max) = if hist.is_empty() {
        (0.0, 0.0, 0.0)
    } else {
        (
            pct(&hist, 0.5),
            pct(&hist, 0.99),
            hist.max() as f64 / 1000.0,
        )
    };
    let open = shared.open.load(Ordering::Relaxed);
    let per_conn = match (rss_before, rss_connected) {
        (Some(b), Some(c)) if connected > 0 => {
            format!("{:.1}", (c as f64 - b as f64) / connected as f64)
        }
        _ => "n/a".into(),
    };
    let kb = |v: Option<u64>| v.map_or("n/a".into(), |v| v.to_string());
    println!(
        "connections held: {open} of {} ({connected} opened)",
        args.sessions
    );
    println!(
        "messages sent: {sent} (acknowledged {}), deliveries {received} of {expected} expected, \
         lost {lost}, duplicates {dup}",
        shared.acks.load(Ordering::Relaxed)
    );
    println!("events delivered per second: {events_per_s:.0} (over {window:.1} s)");
    println!("latency send→receive: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms");
    println!(
        "server RSS: {} kB before, {} kB connected, {} kB at end; {per_conn} kB per connection",
        kb(rss_before),
        kb(rss_connected),
        kb(rss_end)
    );
    println!(
        "CPU while sending and draining ({cpu_secs:.1} s): server {server_cpu}%, generator {own_cpu}%"
    );
    println!("errors: {}", shared.errors.load(Ordering::Relaxed));
    for e in shared.error_samples.lock().map_err(|_| "poisoned")?.iter() {
        println!("  {e}");
    }
    for (why, n) in shared.closes.lock().map_err(|_| "poisoned")?.iter() {
        println!("  closed by server x{n}: {why}");
    }
    println!(
        "RESULT mode={:?} sessions={} connected={connected} held={open} connect_s={connect_secs:.1} \
         sent={sent} expected={expected} delivered={received} lost={lost} dup={dup} \
         events_per_s={events_per_s:.0} p50_ms={p50:.2} p99_ms={p99:.2} max_ms={max:.2} \
         rss_before_kb={} rss_connected_kb={} rss_end_kb={} rss_per_conn_kb={per_conn} server_cpu_pct={server_cpu} gen_cpu_pct={own_cpu} errors={}",
        args.mode,
        args.sessions,
        kb(rss_before),
        kb(rss_connected),
        kb(rss_end),
        shared.errors.load(Ordering::Relaxed)
    );
    // Exit without closing every socket politely; the kernel closes them.
    std::process::exit(0);
}
