//! Twinhub: a self-hostable server for school partnerships in the style of eTwinning.
//!
//! The map of the crate:
//!
//! - [`config`]: `config.toml` plus `TWINHUB_*` overrides, validated at start.
//! - [`error`]: the one error type, its stable codes and HTTP statuses.
//! - [`ids`]: newtype ids, stored as big-endian keys.
//! - [`clock`]: time as a seam, so expiry can be tested.
//! - [`domain`]: plain types and pure rules (members, roles, schools, vocabularies).
//! - [`service`]: one module per area; permission checks, one store transaction, results.
//! - [`store`]: the narrow key-value trait, the sled backend with group commit, a memory backend.
//! - [`live`]: WebSocket sessions, user and room actors, the registry, the `Bus` seam.
//! - [`mail`]: outbound e-mail: a queue written in the caller's transaction, one sender thread.
//! - [`net`]: address ranges and the client's address behind trusted reverse proxies.
//! - [`search`]: the tantivy index of people, postings and groups; the indexer actor; queries.
//! - [`http`]: routes per area, the `Member` extractor (cookie + CSRF, or bearer), OpenAPI.
//! - [`server`]: the wiring: store → services → HTTP server.
//! - [`demo`]: the demo data set loaded on an empty store.
//! - [`telemetry`]: logs and Prometheus metrics.
//!
//! The flow of a request:
//!
//! ```text
//! HTTP ─▶ http::<area> handler ─▶ http::auth::Member (session, CSRF)
//!                │
//!                └─ web::block ─▶ service::<area> (rules) ─▶ Store::transact (sled, all-or-nothing)
//!                                                               └─▶ group commit: durable, then answer
//! ```

pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod live;
pub mod mail;
pub mod net;
pub mod search;
pub mod server;
pub mod service;
pub mod store;
pub mod telemetry;
