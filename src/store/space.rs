//! The free-space watermark: writes are refused *before* the disk is full, and the store's
//! failure is remembered so that every caller gets an answer instead of a hang.
//!
//! sled keeps a sticky error after a write that failed for lack of space: every later write
//! fails until the database is reopened, and a flush can wedge its threads (issue 15: one
//! full tmpfs left a server answering nothing until SIGKILL). So Twinhub never lets it get
//! there if it can help it. Like Elasticsearch's flood-stage watermark or etcd's space quota,
//! [`SpaceWatch`] reads the free space of every file system the server writes to (the
//! store's, the search index's, the outbox's) with `statvfs`, at most once per
//! `store.space_check_interval_ms`, and below `store.min_free_bytes` refuses writes with
//! `507 insufficient_storage` until the space is back above `store.resume_free_bytes` (two
//! marks, so it does not flap around one). Reads and the UI keep working.
//!
//! When an I/O error reaches the store anyway (another process filled the disk faster than
//! the watermark could see), [`Failure`] records it: writes are answered `503 unavailable`
//! at once, `/healthz` says so, and the server stops and exits with [`EXIT_STORE_FAILED`] so
//! that its supervisor starts it again on a freshly opened store.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use crate::config::StoreConfig;
use crate::error::AppError;

/// The process's exit status after a store failure (EX_TEMPFAIL from sysexits.h): a
/// supervisor restarts on it (systemd: `Restart=on-failure`), and it is not 1, the status
/// of a configuration error that a restart would not mend.
pub const EXIT_STORE_FAILED: i32 = 75;

/// Free space of the file systems the server writes to, and whether writes are refused.
pub struct SpaceWatch {
    paths: Vec<PathBuf>,
    min_free: u64,
    resume_free: u64,
    interval_ms: u64,
    started: Instant,
    /// Milliseconds since `started` of the last reading (0: never read).
    read_at_ms: AtomicU64,
    free: AtomicU64,
    refusing: AtomicBool,
}

/// What `/healthz`, `/metrics` and the UI show of the disk.
#[derive(Debug, Clone, Copy)]
pub struct SpaceStatus {
    /// The least free space among the watched file systems, in bytes.
    pub free_bytes: u64,
    pub writes_refused: bool,
}

impl SpaceWatch {
    pub fn new(cfg: &StoreConfig, also: &[&Path]) -> SpaceWatch {
        let mut paths = vec![cfg.path.clone()];
        paths.extend(also.iter().map(|p| p.to_path_buf()));
        let watch = SpaceWatch {
            paths,
            min_free: cfg.min_free_bytes,
            resume_free: cfg.resume_free_bytes.max(cfg.min_free_bytes),
            interval_ms: cfg.space_check_interval_ms,
            started: Instant::now(),
            read_at_ms: AtomicU64::new(0),
            free: AtomicU64::new(u64::MAX),
            refusing: AtomicBool::new(false),
        };
        watch.read();
        watch
    }

    /// Refuses a write while free space is below the watermark.
    pub fn admit(&self) -> Result<(), AppError> {
        if self.status().writes_refused {
            metrics::counter!("twinhub_storage_refused_writes_total").increment(1);
            return Err(AppError::InsufficientStorage);
        }
        Ok(())
    }

    /// The current status, read again when the last reading is older than the interval.
    pub fn status(&self) -> SpaceStatus {
        let now = self.now_ms();
        let last = self.read_at_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= self.interval_ms
            && self
                .read_at_ms
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.read();
        }
        SpaceStatus {
            free_bytes: self.free.load(Ordering::Relaxed),
            writes_refused: self.refusing.load(Ordering::Relaxed),
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64 + 1
    }

    /// Reads every watched file system and moves between accepting and refusing.
    fn read(&self) {
        let free = self
            .paths
            .iter()
            .filter_map(|p| free_bytes(p))
            .min()
            .unwrap_or(u64::MAX);
        self.free.store(free, Ordering::Relaxed);
        let was = self.refusing.load(Ordering::Relaxed);
        let refusing = if was {
            free < self.resume_free
        } else {
            free < self.min_free
        };
        if refusing != was {
            self.refusing.store(refusing, Ordering::Relaxed);
            if refusing {
                tracing::error!(
                    free_bytes = free,
                    min_free_bytes = self.min_free,
                    "disk space below store.min_free_bytes: writes are refused until it is above store.resume_free_bytes"
                );
            } else {
                tracing::warn!(
                    free_bytes = free,
                    "disk space is back: writes are accepted again"
                );
            }
        }
        metrics::gauge!("twinhub_storage_free_bytes").set(free as f64);
        metrics::gauge!("twinhub_storage_writes_refused").set(u8::from(refusing) as f64);
    }
}

/// Free bytes for an unprivileged writer on the file system holding `path` (or its nearest
/// existing ancestor: the outbox directory may not exist yet). `None` when none can be read.
fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    let c_path = CString::new(existing.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stats` is written by statvfs
    // before it is read (only when it returns 0).
    let stats = unsafe {
        if libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    Some((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

/// A store that failed for good: the first I/O error is kept, and whoever waits for it
/// (the server, to stop and exit) is woken.
#[derive(Default)]
pub struct Failure {
    reason: OnceLock<String>,
    waiters: tokio::sync::Notify,
}

impl Failure {
    pub fn new() -> Arc<Failure> {
        Arc::new(Failure::default())
    }

    /// Records the failure (the first reason wins) and wakes the server.
    pub fn fail(&self, reason: &str) {
        if self.reason.set(reason.to_string()).is_ok() {
            tracing::error!(
                reason,
                "the store failed: refusing writes, stopping to restart on a reopened store"
            );
            metrics::gauge!("twinhub_store_failed").set(1.0);
            self.waiters.notify_one();
        }
    }

    pub fn reason(&self) -> Option<&str> {
        self.reason.get().map(String::as_str)
    }

    /// Refuses a write once the store has failed: sled would fail it anyway, or hang.
    pub fn admit(&self) -> Result<(), AppError> {
        match self.reason() {
            Some(reason) => Err(AppError::StoreFailed(reason.to_string())),
            None => Ok(()),
        }
    }

    /// Resolves when the store fails.
    pub async fn wait(&self) {
        if self.reason().is_none() {
            self.waiters.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, min: u64, resume: u64) -> StoreConfig {
        let mut cfg = crate::config::Config::defaults().store;
        cfg.path = dir.to_path_buf();
        cfg.min_free_bytes = min;
        cfg.resume_free_bytes = resume;
        cfg.space_check_interval_ms = 0;
        cfg
    }

    #[test]
    fn reads_the_free_space_of_a_real_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let free = free_bytes(&dir.path().join("not/yet/there")).unwrap();
        assert!(free > 0, "a temp dir's file system has free space");
    }

    #[test]
    fn refuses_below_the_low_mark_and_accepts_above_the_high_one() {
        let dir = tempfile::tempdir().unwrap();
        let free = free_bytes(dir.path()).unwrap();
        // Low mark above the free space: refused.
        let watch = SpaceWatch::new(&config(dir.path(), free * 2, free * 3), &[]);
        assert!(matches!(watch.admit(), Err(AppError::InsufficientStorage)));
        // Free space between the two marks: a refusing watch keeps refusing (no flapping)...
        let watch = SpaceWatch::new(&config(dir.path(), free / 2, free * 2), &[]);
        assert!(
            watch.admit().is_ok(),
            "above the low mark it starts accepting"
        );
        watch.refusing.store(true, Ordering::Relaxed);
        assert!(
            watch.admit().is_err(),
            "below the high mark it keeps refusing"
        );
        // ...until the space is above the high mark.
        let watch_low_high = SpaceWatch::new(&config(dir.path(), free / 4, free / 2), &[]);
        watch_low_high.refusing.store(true, Ordering::Relaxed);
        assert!(
            watch_low_high.admit().is_ok(),
            "above the high mark it accepts again"
        );
    }

    #[test]
    fn a_failure_is_kept_and_refuses_writes() {
        let failure = Failure::new();
        assert!(failure.admit().is_ok());
        failure.fail("No space left on device");
        failure.fail("a later error");
        assert_eq!(failure.reason(), Some("No space left on device"));
        assert!(matches!(failure.admit(), Err(AppError::StoreFailed(_))));
    }
}
