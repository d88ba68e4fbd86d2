//! Group commit: one flusher thread makes committed writes durable for many writers at once.
//!
//! A writer that needs durability asks for a flush that *starts after* its commit and waits
//! for it to finish. While one flush runs, every writer that arrives joins the next one, so
//! under load one flush serves a whole batch instead of one flush per request.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::StoreError;

/// Makes everything committed so far durable (sled flush, plus fdatasync when configured).
pub type FlushFn = Box<dyn Fn() -> Result<(), StoreError> + Send>;

#[derive(Default)]
struct State {
    /// Flushes begun so far; a writer needs one numbered above the count at its commit.
    started: u64,
    /// Highest flush number that has finished.
    completed: u64,
    /// Highest flush number any writer waits for.
    wanted: u64,
    /// The error of the most recent flush, reported to the writers that waited on it.
    last_error: Option<(u64, String)>,
    shutting_down: bool,
}

struct Shared {
    state: Mutex<State>,
    /// The flusher waits here for work. Two condition variables, not one: with one, every
    /// writer asking for a flush also woke every other waiting writer (futex wake-ups took
    /// a quarter of a core at 1,000 writes/s, BENCHMARKS.md).
    wanted: Condvar,
    /// Writers wait here for the flush that covers them.
    flushed: Condvar,
}

/// Owns the flusher thread; dropping it flushes what is pending and stops the thread.
pub struct GroupCommit {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// A writer waits at most this long for its flush: a disk that stops answering (or a
    /// wedged sled after an I/O error) must give the writer an error, never a hang.
    stall: Duration,
}

impl GroupCommit {
    pub fn start(flush: FlushFn, stall: Duration) -> GroupCommit {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wanted: Condvar::new(),
            flushed: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("twinhub-flusher".into())
            .spawn(move || flusher_loop(&worker, &flush))
            // Without its flusher the store cannot acknowledge a write: failing loudly at
            // start is the only sensible outcome.
            .expect("spawn the store flusher thread");
        GroupCommit {
            shared,
            thread: Some(thread),
            stall,
        }
    }

    /// Blocks until a flush that began after this call has completed.
    pub fn wait_durable(&self) -> Result<(), StoreError> {
        let mut st = self.lock()?;
        if st.shutting_down {
            return Err(StoreError("store is shutting down".into()));
        }
        let target = st.started + 1;
        st.wanted = st.wanted.max(target);
        self.shared.wanted.notify_one();
        // The flusher serves every wanted flush before it exits, so this wait ends unless
        // a flush itself hangs: then the stall bound answers.
        let deadline = Instant::now() + self.stall;
        while st.completed < target {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StoreError(format!(
                    "a flush took longer than {} s (store.stall_timeout_secs)",
                    self.stall.as_secs()
                )));
            }
            st = self
                .shared
                .flushed
                .wait_timeout(st, left)
                .map_err(|_| StoreError("flusher state poisoned".into()))?
                .0;
        }
        match &st.last_error {
            Some((n, msg)) if *n >= target => Err(StoreError(msg.clone())),
            _ => Ok(()),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>, StoreError> {
        self.shared
            .state
            .lock()
            .map_err(|_| StoreError("flusher state poisoned".into()))
    }
}

fn flusher_loop(shared: &Shared, flush: &FlushFn) {
    let Ok(mut st) = shared.state.lock() else {
        return;
    };
    loop {
        while st.wanted <= st.started && !st.shutting_down {
            st = match shared.wanted.wait(st) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
        if st.shutting_down && st.wanted <= st.started {
            return;
        }
        st.started += 1;
        let number = st.started;
        drop(st);
        let result = flush();
        metrics::counter!("twinhub_store_flushes_total").increment(1);
        st = match shared.state.lock() {
            Ok(s) => s,
            Err(_) => return,
        };
        st.completed = number;
        if let Err(e) = result {
            tracing::error!(error = %e, "store flush failed");
            st.last_error = Some((number, e.0));
        }
        shared.flushed.notify_all();
    }
}

impl Drop for GroupCommit {
    /// Stops the flusher after the flushes asked for; a flusher stuck in a flush is left
    /// behind (the process is exiting) rather than joined for ever.
    fn drop(&mut self) {
        if let Ok(mut st) = self.shared.state.lock() {
            st.shutting_down = true;
            self.shared.wanted.notify_all();
            self.shared.flushed.notify_all();
        }
        if let Some(t) = self.thread.take() {
            let deadline = Instant::now() + self.stall;
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    const SECONDS_30: Duration = Duration::from_secs(30);

    #[test]
    fn concurrent_writers_share_flushes() {
        let flushes = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&flushes);
        let gc = Arc::new(GroupCommit::start(
            Box::new(move || {
                std::thread::sleep(Duration::from_millis(5));
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }),
            SECONDS_30,
        ));
        let writers: Vec<_> = (0..16)
            .map(|_| {
                let gc = Arc::clone(&gc);
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        gc.wait_durable().unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let n = flushes.load(Ordering::SeqCst);
        assert!(
            n >= 10,
            "each writer's 10 waits need 10 distinct flushes, saw {n}"
        );
        assert!(n < 160, "160 waits should share flushes, saw {n}");
    }

    #[test]
    fn a_wait_needs_a_flush_that_started_after_it() {
        let flushes = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&flushes);
        let gc = GroupCommit::start(
            Box::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }),
            SECONDS_30,
        );
        gc.wait_durable().unwrap();
        gc.wait_durable().unwrap();
        assert_eq!(flushes.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn flush_errors_reach_the_waiting_writer() {
        let gc = GroupCommit::start(Box::new(|| Err(StoreError("disk full".into()))), SECONDS_30);
        let err = gc.wait_durable().unwrap_err();
        assert!(err.0.contains("disk full"));
    }

    #[test]
    fn a_flush_that_hangs_answers_the_writer_with_an_error_and_does_not_block_the_drop() {
        let gc = GroupCommit::start(
            Box::new(|| {
                std::thread::sleep(Duration::from_secs(3600));
                Ok(())
            }),
            Duration::from_millis(200),
        );
        let started = Instant::now();
        let err = gc.wait_durable().unwrap_err();
        assert!(err.0.contains("longer than"), "{}", err.0);
        drop(gc);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the wait and the drop are bounded by the stall timeout"
        );
    }
}
