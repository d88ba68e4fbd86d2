//! Configuration: `config.toml` (embedded as defaults, then read from disk) plus
//! `TWINHUB_<SECTION>__<KEY>` environment overrides, validated once at start.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::net::AddrRange;

/// The repository's `config.toml`, compiled in so a binary run anywhere has every default.
const EMBEDDED_DEFAULTS: &str = include_str!("../config.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub server: ServerConfig,
    pub store: StoreConfig,
    pub search: SearchConfig,
    pub auth: AuthConfig,
    pub limits: Limits,
    pub live: LiveConfig,
    pub groups: GroupsConfig,
    pub mail: MailConfig,
    pub log: LogConfig,
}

/// Outbound e-mail: the sender, the transport (file outbox or SMTP), retries and limits.
#[derive(Debug, Clone, Deserialize)]
pub struct MailConfig {
    pub from: String,
    pub outbox_dir: PathBuf,
    /// Empty: the file outbox. May hold a password, so its `Debug` is redacted.
    pub smtp_url: Secret,
    pub smtp_timeout_secs: u64,
    pub retry_initial_secs: u64,
    pub retry_max_secs: u64,
    pub max_attempts: u32,
    pub poll_interval_ms: u64,
    pub subject_chars: usize,
    pub body_chars: usize,
}

/// A setting that may hold a password (the SMTP URL): printed as `[redacted]` by `Debug`, so
/// a logged config never shows it. Read it with [`Secret::expose`].
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "[redacted]"
        })
    }
}

/// The WebSocket layer's limits and timings.
#[derive(Debug, Clone, Deserialize)]
pub struct LiveConfig {
    pub allowed_origins: Vec<String>,
    pub auth_timeout_secs: u64,
    pub session_recheck_secs: u64,
    pub max_frame_bytes: usize,
    pub max_unauthenticated_frame_bytes: usize,
    pub outbound_queue: usize,
    pub max_sockets: usize,
    pub stall_timeout_secs: u64,
    pub frames_per_second: u32,
    pub frames_burst: u32,
    pub answers_remembered: usize,
    pub subscriptions_per_socket: usize,
    pub events_kept_per_user: u64,
}

/// Groups' limits (`[groups]`). Public (`GET /api/ui`): the browser UI shows them as form
/// hints.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct GroupsConfig {
    pub title_chars: usize,
    pub description_chars: usize,
    pub message_chars: usize,
    pub subjects_max: usize,
    pub languages_max: usize,
    pub mentions_per_message: usize,
    pub messages_per_window: u32,
    pub message_window_secs: u64,
    pub unread_count_max: usize,
    pub invitations_per_window: u32,
    pub invitation_window_secs: u64,
    pub groups_per_window: u32,
    pub group_window_secs: u64,
    pub groups_per_member: u64,
    pub joins_per_window: u32,
    pub join_window_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerConfig {
    pub bind: String,
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
    pub keep_alive_secs: u64,
    pub request_head_timeout_secs: u64,
    pub disconnect_timeout_secs: u64,
    pub web_dir: PathBuf,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see [`crate::net::client_addr`]).
    pub trusted_proxies: Vec<AddrRange>,
    /// Client addresses `/metrics` answers; everyone else gets 404.
    pub metrics_allowed: Vec<AddrRange>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// sled flush plus `fdatasync` of the data file: survives power loss.
    Fsync,
    /// sled flush only (`sync_file_range`): survives a process crash.
    Flush,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoreConfig {
    pub path: PathBuf,
    /// Where backups are written: `POST /api/admin/backups` takes a name under it, never a
    /// path, so the API cannot write anywhere else on disk.
    pub backup_dir: PathBuf,
    pub durability: Durability,
    pub cache_capacity_bytes: u64,
    pub load_demo_on_empty: bool,
    /// Below this much free space (on the store's, the index's or the outbox's file system)
    /// members' writes are refused with 507 (`crate::store::space`)...
    pub min_free_bytes: u64,
    /// ...until the space is back above this much.
    pub resume_free_bytes: u64,
    /// How often free space is read again, at most (it is read when a write asks).
    pub space_check_interval_ms: u64,
    /// A flush, or a request's work on the store, that takes longer than this fails.
    pub stall_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchConfig {
    pub index_dir: PathBuf,
    /// The indexer commits this long after the first change it has not committed yet.
    pub commit_delay_ms: u64,
    /// ... or as soon as this many changes wait, whichever comes first.
    pub commit_batch: usize,
    /// Memory the server's index writer may buffer before it must flush a segment.
    pub writer_memory_bytes: usize,
    /// Memory and threads of a full rebuild (`twinhub reindex`, or an outdated index at start).
    pub rebuild_memory_bytes: usize,
    pub rebuild_threads: usize,
    /// Words a query may have; more is refused (each word is a required clause).
    pub query_words_max: usize,
    /// The last word also matches as a prefix (search while typing) from this many characters.
    pub prefix_min_chars: usize,
    /// Index terms a prefix may expand to (bounds the work of a short prefix).
    pub prefix_expansions: u32,
    /// Deepest result reachable by paging (offset + page size).
    pub max_results: usize,
    /// Values listed per facet (countries, languages...), most frequent first.
    pub facet_values_max: usize,
    /// Facet counts are exact up to this many matches, estimated from a sample of about
    /// this many above it (the total stays exact).
    pub facet_exact_max: usize,
    /// Searches a member may run within the window (typing sends one per pause).
    pub searches_per_window: u32,
    pub search_window_secs: u64,
    /// Characters of a result's snippet.
    pub snippet_chars: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthConfig {
    pub session_idle_secs: i64,
    pub session_absolute_secs: i64,
    pub session_touch_interval_secs: i64,
    pub cookie_secure: bool,
    pub login_failures_per_account_address: u32,
    pub login_failures_per_address: u32,
    pub login_failures_per_account: u32,
    pub login_failure_window_secs: u64,
    pub registrations_per_address: u32,
    pub registration_notices_per_address: u32,
    pub registration_window_secs: u64,
    pub rate_tracker_max_keys: usize,
}

/// Room that "Send a message" by e-mail needs around the member's text: the sender's name
/// four times and address twice (at their longest), and about 300 characters of explanation.
pub fn email_frame_chars(limits: &Limits) -> usize {
    400 + 4 * limits.display_name_chars + 2 * limits.email_chars
}

/// Every size and count limit of the API, named so operators can see and change them.
/// Public (`GET /api/ui`): the browser UI shows them as form hints.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Limits {
    pub json_body_bytes: usize,
    pub picture_bytes: usize,
    pub display_name_chars: usize,
    pub email_chars: usize,
    pub password_min_chars: usize,
    pub password_max_chars: usize,
    pub bio_chars: usize,
    pub languages_per_profile: usize,
    pub subjects_per_profile: usize,
    pub schools_per_user: usize,
    pub school_name_chars: usize,
    pub city_chars: usize,
    pub page_size_max: usize,
    pub page_size_default: usize,
    pub query_chars: usize,
    pub refusal_reason_chars: usize,
    pub contact_requests_per_window: u32,
    pub contact_request_window_secs: u64,
    pub mail_subject_chars: usize,
    pub mail_body_chars: usize,
    pub mail_recipients_max: usize,
    pub messages_per_window: u32,
    pub message_window_secs: u64,
    pub emails_per_window: u32,
    pub email_window_secs: u64,
    pub posting_title_chars: usize,
    pub posting_summary_chars: usize,
    pub posting_description_chars: usize,
    pub posting_visible_days_max: i64,
    pub posting_list_items_max: usize,
    pub comment_chars: usize,
    pub comments_per_window: u32,
    pub comment_window_secs: u64,
    pub postings_per_window: u32,
    pub posting_window_secs: u64,
    /// How long an `Idempotency-Key`'s first answer is kept for its retries (seconds).
    pub idempotency_key_secs: u64,
    /// Longest `Idempotency-Key` accepted (characters, visible ASCII).
    pub idempotency_key_chars: usize,
    /// Largest answer kept for replay (bytes); a larger one is not kept.
    pub idempotency_answer_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogConfig {
    pub filter: String,
}

impl Config {
    /// Embedded defaults, then `file` if it exists, then `TWINHUB_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Config, AppError> {
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            EMBEDDED_DEFAULTS,
            config::FileFormat::Toml,
        ));
        if let Some(path) = file {
            builder = builder.add_source(config::File::from(path).required(false));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("TWINHUB")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                // Address lists, comma-separated: TWINHUB_SERVER__TRUSTED_PROXIES=10.0.0.0/8,::1
                .list_separator(",")
                .with_list_parse_key("server.trusted_proxies")
                .with_list_parse_key("server.metrics_allowed"),
        );
        let cfg: Config = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| AppError::Config(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The embedded defaults alone (no file, no environment): the base for tests.
    pub fn defaults() -> Config {
        let cfg: Config = config::Config::builder()
            .add_source(config::File::from_str(
                EMBEDDED_DEFAULTS,
                config::FileFormat::Toml,
            ))
            .build()
            .and_then(|c| c.try_deserialize())
            // The embedded file is part of the binary and covered by tests; it cannot be absent.
            .expect("embedded config.toml is valid");
        cfg
    }

    /// Reject settings that would make the server misbehave rather than fail later.
    pub fn validate(&self) -> Result<(), AppError> {
        let a = &self.auth;
        let l = &self.limits;
        let v = &self.live;
        let g = &self.groups;
        let checks: [(bool, &str); 28] = [
            (
                self.store.resume_free_bytes >= self.store.min_free_bytes,
                "store.resume_free_bytes must be >= store.min_free_bytes",
            ),
            (
                self.store.stall_timeout_secs > 0,
                "store.stall_timeout_secs must be > 0",
            ),
            (
                (1..=255).contains(&l.idempotency_key_chars),
                "limits.idempotency_key_chars must be 1 to 255 (the OpenAPI document says 255)",
            ),
            (
                l.idempotency_key_secs > 0 && l.idempotency_answer_bytes > 0,
                "limits.idempotency_key_secs and idempotency_answer_bytes must be > 0 (or every retry would run again or find no answer)",
            ),
            (
                self.server.request_head_timeout_secs > 0,
                "server.request_head_timeout_secs must be > 0 (0 would let slow clients hold connections)",
            ),
            (v.outbound_queue > 0, "live.outbound_queue must be > 0"),
            (
                l.messages_per_window > 0
                    && l.message_window_secs > 0
                    && l.mail_recipients_max > 0
                    && l.emails_per_window > 0
                    && l.email_window_secs > 0,
                "limits.messages_per_window, message_window_secs, mail_recipients_max, emails_per_window and email_window_secs must be > 0",
            ),
            (
                l.contact_requests_per_window > 0 && l.contact_request_window_secs > 0,
                "limits.contact_requests_per_window and contact_request_window_secs must be > 0",
            ),
            (
                g.title_chars > 0
                    && g.message_chars > 0
                    && g.subjects_max > 0
                    && g.languages_max > 0
                    && g.unread_count_max > 0,
                "groups.title_chars, message_chars, subjects_max, languages_max and unread_count_max must be > 0",
            ),
            (
                g.messages_per_window > 0
                    && g.message_window_secs > 0
                    && g.invitations_per_window > 0
                    && g.invitation_window_secs > 0
                    && g.groups_per_window > 0
                    && g.group_window_secs > 0
                    && g.groups_per_member > 0
                    && g.joins_per_window > 0
                    && g.join_window_secs > 0,
                "groups.messages_per_window, message_window_secs, invitations_per_window, invitation_window_secs, groups_per_window, group_window_secs, groups_per_member, joins_per_window and join_window_secs must be > 0",
            ),
            (v.max_sockets > 0, "live.max_sockets must be > 0"),
            (
                v.events_kept_per_user > 0,
                "live.events_kept_per_user must be > 0",
            ),
            (
                v.max_frame_bytes >= 1024,
                "live.max_frame_bytes must be >= 1024",
            ),
            (
                (256..=v.max_frame_bytes).contains(&v.max_unauthenticated_frame_bytes),
                "live.max_unauthenticated_frame_bytes must be >= 256 (an auth frame) and <= live.max_frame_bytes",
            ),
            (
                v.frames_per_second > 0 && v.frames_burst > 0,
                "live.frames_per_second and frames_burst must be > 0",
            ),
            (
                a.session_idle_secs > 0,
                "auth.session_idle_secs must be > 0",
            ),
            (
                a.session_absolute_secs >= a.session_idle_secs,
                "auth.session_absolute_secs must be >= session_idle_secs",
            ),
            (
                a.login_failures_per_account_address > 0
                    && a.login_failures_per_address > 0
                    && a.login_failures_per_account > 0,
                "auth.login_failures_per_account_address, login_failures_per_address and login_failures_per_account must be > 0 (0 would refuse every login)",
            ),
            (
                a.rate_tracker_max_keys > 0,
                "auth.rate_tracker_max_keys must be > 0",
            ),
            (
                l.json_body_bytes >= 1024,
                "limits.json_body_bytes must be >= 1024",
            ),
            (
                l.password_min_chars >= 8 && l.password_max_chars >= l.password_min_chars,
                "limits.password_min_chars must be >= 8 and <= password_max_chars",
            ),
            (
                l.page_size_default > 0 && l.page_size_default <= l.page_size_max,
                "limits.page_size_default must be in 1..=page_size_max",
            ),
            (
                !self.store.backup_dir.as_os_str().is_empty()
                    && self.store.backup_dir != self.store.path,
                "store.backup_dir must be set and differ from store.path",
            ),
            (
                self.store.cache_capacity_bytes >= 1 << 20,
                "store.cache_capacity_bytes must be >= 1 MiB",
            ),
            (
                l.picture_bytes >= 1024,
                "limits.picture_bytes must be >= 1024",
            ),
            (
                self.search.commit_batch > 0
                    && self.search.commit_delay_ms > 0
                    && self.search.writer_memory_bytes >= 15_000_000
                    && self.search.rebuild_memory_bytes >= 15_000_000 * self.search.rebuild_threads.max(1),
                "search.commit_batch and commit_delay_ms must be > 0; writer_memory_bytes >= 15 MB, rebuild_memory_bytes >= 15 MB per rebuild thread (tantivy's minimum)",
            ),
            (
                self.search.query_words_max > 0
                    && self.search.facet_exact_max > 0
                    && self.search.max_results >= l.page_size_max
                    && self.search.searches_per_window > 0
                    && self.search.search_window_secs > 0,
                "search.query_words_max, facet_exact_max and searches_per_window/search_window_secs must be > 0, max_results >= limits.page_size_max",
            ),
            (
                l.posting_visible_days_max > 0
                    && l.comments_per_window > 0
                    && l.postings_per_window > 0
                    && l.comment_window_secs > 0
                    && l.posting_window_secs > 0,
                "limits.posting_visible_days_max, comments_per_window, postings_per_window and their windows must be > 0",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, msg)) => Err(AppError::Config((*msg).to_string())),
            None => self.validate_mail(),
        }
    }

    fn validate_mail(&self) -> Result<(), AppError> {
        let m = &self.mail;
        let l = &self.limits;
        let checks: [(bool, &str); 6] = [
            (
                m.retry_initial_secs > 0,
                "mail.retry_initial_secs must be > 0",
            ),
            (
                m.retry_max_secs >= m.retry_initial_secs,
                "mail.retry_max_secs must be >= retry_initial_secs",
            ),
            (m.max_attempts > 0, "mail.max_attempts must be > 0"),
            (
                m.poll_interval_ms >= 10,
                "mail.poll_interval_ms must be >= 10",
            ),
            (
                m.smtp_timeout_secs > 0,
                "mail.smtp_timeout_secs must be > 0",
            ),
            (
                m.subject_chars >= l.mail_subject_chars
                    && m.body_chars >= l.mail_body_chars + email_frame_chars(l),
                "mail.subject_chars must be >= limits.mail_subject_chars, and mail.body_chars >= limits.mail_body_chars + 400 + 4 × display_name_chars + 2 × email_chars (a member's message goes out by e-mail with a frame around it)",
            ),
        ];
        if let Some((_, msg)) = checks.iter().find(|(ok, _)| !ok) {
            return Err(AppError::Config((*msg).to_string()));
        }
        crate::mail::check_config(m).map_err(AppError::Config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_are_valid() {
        let cfg = Config::defaults();
        cfg.validate().unwrap();
        assert_eq!(cfg.server.bind, "127.0.0.1:8080");
        assert_eq!(cfg.store.durability, Durability::Fsync);
    }

    #[test]
    fn invalid_settings_are_refused() {
        let mut cfg = Config::defaults();
        cfg.limits.page_size_default = cfg.limits.page_size_max + 1;
        assert!(cfg.validate().is_err());
        let mut cfg = Config::defaults();
        cfg.live.max_sockets = 0;
        assert!(cfg.validate().is_err());
        let mut cfg = Config::defaults();
        cfg.server.request_head_timeout_secs = 0;
        assert!(cfg.validate().is_err());
        let mut cfg = Config::defaults();
        cfg.mail.retry_max_secs = cfg.mail.retry_initial_secs - 1;
        assert!(cfg.validate().is_err());
        let mut cfg = Config::defaults();
        cfg.mail.from = "not an address".into();
        assert!(cfg.validate().is_err());
        // The e-mail of a "Send a message" must fit its frame around the longest text.
        let mut cfg = Config::defaults();
        cfg.mail.body_chars = cfg.limits.mail_body_chars + email_frame_chars(&cfg.limits) - 1;
        assert!(cfg.validate().is_err());
        cfg.mail.body_chars += 1;
        assert!(cfg.validate().is_ok());
        let mut cfg = Config::defaults();
        cfg.limits.emails_per_window = 0;
        assert!(cfg.validate().is_err());
        let mut cfg = Config::defaults();
        cfg.limits.contact_requests_per_window = 0;
        assert!(cfg.validate().is_err());
        // A zero login allowance would refuse every login.
        let mut cfg = Config::defaults();
        cfg.auth.login_failures_per_account_address = 0;
        assert!(cfg.validate().is_err());
        let mut cfg = Config::defaults();
        cfg.auth.login_failures_per_address = 0;
        assert!(cfg.validate().is_err());
        // Facet counts need a sample of at least one match.
        let mut cfg = Config::defaults();
        cfg.search.facet_exact_max = 0;
        assert!(cfg.validate().is_err());
        // The free-space marks in the right order (equal is one mark, no hysteresis).
        let mut cfg = Config::defaults();
        cfg.store.resume_free_bytes = cfg.store.min_free_bytes - 1;
        assert!(cfg.validate().is_err());
        cfg.store.resume_free_bytes = cfg.store.min_free_bytes;
        assert!(cfg.validate().is_ok());
        let mut cfg = Config::defaults();
        cfg.store.stall_timeout_secs = 0;
        assert!(cfg.validate().is_err());
        for chars in [0, 256] {
            let mut cfg = Config::defaults();
            cfg.limits.idempotency_key_chars = chars;
            assert!(cfg.validate().is_err(), "{chars}");
        }
        let mut cfg = Config::defaults();
        cfg.limits.idempotency_key_secs = 0;
        assert!(cfg.validate().is_err());
    }

    #[test]
    fn address_ranges_are_checked_when_loaded() {
        let cfg = Config::defaults();
        assert!(cfg.server.trusted_proxies.is_empty(), "no proxy trusted");
        let loopback = ["127.0.0.1", "::1"].map(|a| a.parse().unwrap());
        assert!(loopback
            .iter()
            .all(|a| crate::net::in_any(&cfg.server.metrics_allowed, *a)));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n").unwrap();
        let err = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(err.contains("10.0.0.0/33"), "{err}");
    }

    #[test]
    fn live_defaults_allow_no_other_origin_and_a_small_unauthenticated_frame() {
        let mut cfg = Config::defaults();
        assert!(cfg.live.allowed_origins.is_empty());
        assert!(cfg.live.max_unauthenticated_frame_bytes < cfg.live.max_frame_bytes);
        cfg.live.max_unauthenticated_frame_bytes = 255;
        assert!(cfg.validate().is_err(), "too small for an auth frame");
        cfg.live.max_unauthenticated_frame_bytes = cfg.live.max_frame_bytes + 1;
        assert!(cfg.validate().is_err(), "over the frame limit");
        cfg.live.max_unauthenticated_frame_bytes = cfg.live.max_frame_bytes;
        assert!(cfg.validate().is_ok());
    }

    #[test]
    fn a_bad_smtp_url_is_refused_without_showing_it() {
        let mut cfg = Config::defaults();
        cfg.mail.smtp_url = Secret::new("ftp://user:hunter2@mail.example.org");
        let err = cfg.validate().unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert_eq!(format!("{:?}", cfg.mail.smtp_url), "[redacted]");
        cfg.mail.smtp_url = Secret::new("smtps://user:hunter2@mail.example.org:465");
        cfg.validate().unwrap();
        assert!(!format!("{cfg:?}").contains("hunter2"));
    }
}
