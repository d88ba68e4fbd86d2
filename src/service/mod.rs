//! Services: one module per area. Each public function checks who may do what, runs one
//! store transaction, and returns plain data. HTTP handlers only translate to and from JSON.

pub mod accounts;
pub mod backup;
pub mod contacts;
pub mod events;
pub mod groups;
pub mod idempotency;
pub mod mailbox;
pub mod notifications;
pub mod nso;
pub mod passwords;
pub mod postings;
pub mod profiles;
pub mod rate_limit;
pub mod schools;
pub mod text;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::user::User;
use crate::error::AppError;
use crate::ids::UserId;
use crate::live::bus::Bus;
use crate::mail::Outbox;
use crate::search::Search;
use crate::store::{Store, Tree};
use rate_limit::RateLimits;

/// What every service call needs, wired once at start (no global singletons).
pub struct Core {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub rate_limits: RateLimits,
    /// Where committed events go (the live layer, or nowhere for the CLI).
    pub bus: Arc<dyn Bus>,
    /// Wakes the mail sender after a transaction queued mail (`crate::mail`).
    pub outbox: Outbox,
    /// The search index; services mark what they change in it (`crate::search::mark`) and
    /// call `search.changed()` after the commit.
    pub search: Arc<Search>,
}

impl Core {
    pub fn new(
        store: Arc<dyn Store>,
        config: Arc<Config>,
        clock: Arc<dyn Clock>,
        bus: Arc<dyn Bus>,
        search: Arc<Search>,
    ) -> Core {
        let rate_limits = RateLimits::new(&config);
        Core {
            store,
            config,
            clock,
            rate_limits,
            bus,
            outbox: Outbox::new(),
            search,
        }
    }

    pub fn user(&self, id: UserId) -> Result<User, AppError> {
        self.store
            .get_json(Tree::UseridUser, &id.key())?
            .ok_or(AppError::NotFound("user"))
    }
}

/// Paging parameters of every list endpoint.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Items per page (default and maximum in config.toml).
    pub limit: Option<usize>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

impl PageQuery {
    pub fn limit(&self, cfg: &Config) -> usize {
        self.limit
            .unwrap_or(cfg.limits.page_size_default)
            .clamp(1, cfg.limits.page_size_max)
    }

    /// The cursor is the hex of the last key seen: opaque to clients, stable across writes.
    pub fn after_key(&self) -> Result<Option<Vec<u8>>, AppError> {
        self.after.as_deref().map(unhex).transpose()
    }
}

/// One page of a list, with the cursor of the next page when there is one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only signals more.
    pub fn from_rows(mut rows: Vec<(Vec<u8>, T)>, limit: usize) -> Page<T> {
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|(k, _)| hex(k))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(|(_, v)| v).collect(),
            next,
        }
    }
}

/// Length in characters, and the characters [`text`] allows (line breaks only where
/// `multiline`).
pub(crate) fn check_text(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> Result<(), AppError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(AppError::Validation(format!(
            "{field}: between {min} and {max} characters"
        )));
    }
    if multiline {
        text::multi_line(field, value)
    } else {
        text::single_line(field, value)
    }
}

/// Between `min` and `max` codes, each one `known` (a catalogue's).
pub(crate) fn check_codes(
    field: &str,
    codes: &[String],
    min: usize,
    max: usize,
    known: fn(&str) -> bool,
) -> Result<(), AppError> {
    if codes.len() < min || codes.len() > max {
        return Err(AppError::Validation(format!(
            "{field}: between {min} and {max} codes"
        )));
    }
    match codes.iter().find(|c| !known(c)) {
        Some(bad) => Err(AppError::Validation(format!(
            "{field}: '{bad}' is not a known code (see GET /api/catalog)"
        ))),
        None => Ok(()),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>, AppError> {
    let bad = || AppError::BadRequest("the paging cursor is not valid".into());
    if !s.len().is_multiple_of(2) || s.len() > 512 {
        return Err(bad());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::clock::ManualClock;
    use crate::live::bus::{BusMessage, RecordingBus};
    use crate::store::MemoryStore;
    use time::macros::datetime;

    /// A core over the memory store with a manual clock, for service unit tests.
    pub fn core() -> (Core, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(datetime!(2026-01-01 0:00 UTC)));
        let core = Core::new(
            Arc::new(MemoryStore::new()),
            Arc::new(Config::defaults()),
            clock.clone(),
            Arc::new(RecordingBus::default()),
            Arc::new(Search::in_ram().unwrap()),
        );
        (core, clock)
    }

    /// Registers a member of `country` and returns the stored record.
    pub fn member(core: &Core, email: &str, country: &str) -> crate::domain::user::User {
        let input = super::accounts::RegisterInput {
            display_name: email.into(),
            email: email.into(),
            password: "long enough password".into(),
            country: Some(country.into()),
        };
        super::accounts::register(core, input, "127.0.0.1".parse().unwrap()).unwrap();
        super::accounts::user_by_email(core, email)
            .unwrap()
            .unwrap()
    }

    /// What the services published so far (the core must come from [`core`]).
    pub fn published(core: &Core) -> Vec<BusMessage> {
        let bus: &dyn std::any::Any = core.bus.as_ref();
        bus.downcast_ref::<RecordingBus>()
            .map(|b| b.0.lock().unwrap().clone())
            .expect("a recording bus")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let q = PageQuery {
            limit: None,
            after: Some(hex(&[0, 255, 16])),
        };
        assert_eq!(q.after_key().unwrap(), Some(vec![0, 255, 16]));
        for bad in ["0", "zz", "é1"] {
            let q = PageQuery {
                limit: None,
                after: Some(bad.into()),
            };
            assert!(matches!(q.after_key(), Err(AppError::BadRequest(_))));
        }
    }

    #[test]
    fn pages_signal_more_with_the_extra_row() {
        let rows = vec![(vec![1], 'a'), (vec![2], 'b'), (vec![3], 'c')];
        let page = Page::from_rows(rows.clone(), 2);
        assert_eq!(page.items, ['a', 'b']);
        assert_eq!(page.next.as_deref(), Some("02"));
        assert_eq!(Page::from_rows(rows, 3).next, None);
    }
}
