//! Acknowledged durable writes per second through the store seam (sled + group commit),
//! by number of concurrent writers and durability mode. With one writer every write waits
//! for its own flush (the flush-per-write baseline); with more, writers share flushes.
//!
//! Run: `cargo bench --bench store_commit` (optionally `-- 5` for seconds per cell).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use twinhub::config::{Config, Durability};
use twinhub::store::{SledStore, Store, Tree};

fn run(durability: Durability, writers: usize, secs: u64) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = Config::defaults().store;
    cfg.path = dir.path().join("data");
    cfg.durability = durability;
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&cfg).expect("open store"));
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (store, stop, acked) = (store.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("w{w}-{n}");
                    store
                        .transact(&[Tree::Meta], |tx| {
                            tx.insert(Tree::Meta, key.as_bytes(), vec![7; 200])
                        })
                        .expect("write");
                    acked.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("writer");
    }
    acked.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let secs = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3);
    println!("| durability | writers | acknowledged writes/s |");
    println!("|---|---:|---:|");
    for durability in [Durability::Fsync, Durability::Flush] {
        for writers in [1, 4, 16, 64] {
            let rate = run(durability, writers, secs);
            println!("| {durability:?} | {writers} | {rate:.0} |");
        }
    }
}
