//! Counting attempts in a sliding window: failed logins per account and client address, per
//! address and per account, registrations per address, and members' actions. Kept in memory
//! (a restart forgets them, which is acceptable for throttling) and bounded in the number of
//! keys it remembers.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use crate::config::Config;
use crate::error::AppError;

pub struct WindowCounter {
    limit: u32,
    window: Duration,
    max_keys: usize,
    hits: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl WindowCounter {
    pub fn new(limit: u32, window_secs: u64, max_keys: usize) -> Self {
        WindowCounter {
            limit,
            window: Duration::seconds(window_secs as i64),
            max_keys,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt for `key`, or refuses it when `limit` attempts are already inside
    /// the window. Checking and counting happen under one lock, so parallel attempts cannot
    /// all slip through before the first is counted.
    pub fn acquire(&self, key: &str, now: OffsetDateTime) -> Result<(), AppError> {
        let mut hits = self.hits.lock().map_err(AppError::internal)?;
        if !hits.contains_key(key) && hits.len() >= self.max_keys {
            evict(&mut hits, now - self.window, self.max_keys);
        }
        let q = hits.entry(key.to_string()).or_default();
        prune(q, now - self.window);
        match q.front() {
            Some(oldest) if q.len() as u32 >= self.limit => {
                let wait = (*oldest + self.window - now).whole_seconds().max(1);
                Err(AppError::RateLimited {
                    retry_after_secs: wait as u64,
                })
            }
            _ => {
                q.push_back(now);
                Ok(())
            }
        }
    }

    /// Takes back the most recent attempt of `key` (it turned out not to be a failure).
    pub fn release_one(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock() {
            if let Some(q) = hits.get_mut(key) {
                q.pop_back();
            }
        }
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock() {
            hits.remove(key);
        }
    }
}

fn prune(q: &mut VecDeque<OffsetDateTime>, cutoff: OffsetDateTime) {
    while q.front().is_some_and(|t| *t <= cutoff) {
        q.pop_front();
    }
}

/// Makes room for one key: forget every key with nothing in the window, or failing that the
/// key whose last hit is oldest.
fn evict(
    hits: &mut HashMap<String, VecDeque<OffsetDateTime>>,
    cutoff: OffsetDateTime,
    max_keys: usize,
) {
    hits.retain(|_, q| q.back().is_some_and(|t| *t > cutoff));
    if hits.len() >= max_keys {
        if let Some(oldest) = hits
            .iter()
            .min_by_key(|(_, q)| q.back().copied())
            .map(|(k, _)| k.clone())
        {
            hits.remove(&oldest);
        }
    }
}

/// The server's throttles, configured from `[auth]`.
pub struct RateLimits {
    /// Failed logins per (account, client address): where a stranger's guessing stops.
    pub login_per_account_address: WindowCounter,
    pub login_per_address: WindowCounter,
    /// The ceiling of failed logins per account, over all addresses.
    pub login_per_account: WindowCounter,
    pub registrations_per_address: WindowCounter,
    /// E-mails telling an account's owner that someone registered with their address.
    pub registration_notices: WindowCounter,
    /// Contact requests per member (`[limits]`).
    pub contact_requests: WindowCounter,
    /// Mailbox messages per member (`[limits]`).
    pub messages: WindowCounter,
    /// E-mails to non-contacts ("Send a message") per member (`[limits]`).
    pub emails: WindowCounter,
    /// Partner-finding postings per member (`[limits]`).
    pub postings: WindowCounter,
    /// Post comments per member (`[limits]`).
    pub comments: WindowCounter,
    /// Searches per member (`[search]`).
    pub searches: WindowCounter,
    /// Group chat messages sent or edited per member (`[groups]`).
    pub group_messages: WindowCounter,
    /// Group invitations per administrator (`[groups]`).
    pub group_invitations: WindowCounter,
    /// Groups created per member (`[groups]`).
    pub groups_created: WindowCounter,
    /// Groups joined per member (`[groups]`).
    pub group_joins: WindowCounter,
}

impl RateLimits {
    pub fn new(config: &Config) -> Self {
        let cfg = &config.auth;
        let limits = &config.limits;
        let max = cfg.rate_tracker_max_keys;
        RateLimits {
            login_per_account_address: WindowCounter::new(
                cfg.login_failures_per_account_address,
                cfg.login_failure_window_secs,
                max,
            ),
            login_per_account: WindowCounter::new(
                cfg.login_failures_per_account,
                cfg.login_failure_window_secs,
                max,
            ),
            login_per_address: WindowCounter::new(
                cfg.login_failures_per_address,
                cfg.login_failure_window_secs,
                max,
            ),
            registrations_per_address: WindowCounter::new(
                cfg.registrations_per_address,
                cfg.registration_window_secs,
                max,
            ),
            registration_notices: WindowCounter::new(
                cfg.registration_notices_per_address,
                cfg.registration_window_secs,
                max,
            ),
            contact_requests: WindowCounter::new(
                limits.contact_requests_per_window,
                limits.contact_request_window_secs,
                max,
            ),
            messages: WindowCounter::new(
                limits.messages_per_window,
                limits.message_window_secs,
                max,
            ),
            emails: WindowCounter::new(limits.emails_per_window, limits.email_window_secs, max),
            postings: WindowCounter::new(
                limits.postings_per_window,
                limits.posting_window_secs,
                max,
            ),
            comments: WindowCounter::new(
                limits.comments_per_window,
                limits.comment_window_secs,
                max,
            ),
            searches: WindowCounter::new(
                config.search.searches_per_window,
                config.search.search_window_secs,
                max,
            ),
            group_messages: WindowCounter::new(
                config.groups.messages_per_window,
                config.groups.message_window_secs,
                max,
            ),
            group_invitations: WindowCounter::new(
                config.groups.invitations_per_window,
                config.groups.invitation_window_secs,
                max,
            ),
            groups_created: WindowCounter::new(
                config.groups.groups_per_window,
                config.groups.group_window_secs,
                max,
            ),
            group_joins: WindowCounter::new(
                config.groups.joins_per_window,
                config.groups.join_window_secs,
                max,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn refuses_at_the_limit_and_recovers_after_the_window() {
        let c = WindowCounter::new(2, 60, 100);
        let t0 = datetime!(2026-01-01 0:00 UTC);
        c.acquire("a", t0).unwrap();
        c.acquire("a", t0 + Duration::seconds(10)).unwrap();
        let err = c.acquire("a", t0 + Duration::seconds(20)).unwrap_err();
        assert!(matches!(
            err,
            AppError::RateLimited {
                retry_after_secs: 40
            }
        ));
        c.acquire("b", t0).unwrap();
        c.acquire("a", t0 + Duration::seconds(61)).unwrap();
        c.clear("a");
        c.acquire("a", t0 + Duration::seconds(62)).unwrap();
        c.release_one("a");
        c.acquire("a", t0 + Duration::seconds(63)).unwrap();
        c.acquire("a", t0 + Duration::seconds(64)).unwrap();
        assert!(c.acquire("a", t0 + Duration::seconds(65)).is_err());
    }

    #[test]
    fn memory_stays_bounded() {
        let c = WindowCounter::new(5, 60, 10);
        let t0 = datetime!(2026-01-01 0:00 UTC);
        for i in 0..1000 {
            c.acquire(&format!("k{i}"), t0 + Duration::milliseconds(i))
                .unwrap();
        }
        assert!(c.hits.lock().unwrap().len() <= 10);
    }
}
