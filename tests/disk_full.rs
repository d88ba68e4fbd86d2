//! A full disk, for real: the real binary's store, index and outbox on a small tmpfs.
//!
//! - Below `store.min_free_bytes` writes get `507 insufficient_storage` while reads, logging
//!   in, `/healthz` (`degraded`) and `/metrics` go on; above `store.resume_free_bytes` writes
//!   are accepted again, without a restart.
//! - With the watermark off, a disk that fills anyway gets an answer for every request (503 in
//!   the error shape, never a 500 or a hang), the server stops by itself with status 75, and
//!   after a restart on freed space every acknowledged write is there.
//!
//! Mounting a tmpfs needs root (as CI runs) or a user and mount namespace (`unshare -rm`,
//! which the test re-runs itself in when it is not root). Where neither works it fails; it
//! never skips.

mod common;

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

const MIB: u64 = 1 << 20;
/// Set in the re-run of a test inside `unshare -rm`.
const IN_NAMESPACE: &str = "TWINHUB_TEST_IN_NAMESPACE";

/// A tmpfs of `size_mib` mounted on a fresh temporary directory; unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size_mib: u64) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_mib}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a tmpfs failed: run the tests as root, or where `unshare -rm` works"
        );
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn free(&self) -> u64 {
        let out = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(self.path())
            .output()
            .expect("df");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .expect("df prints the free bytes")
    }

    /// Resizes the ballast file so that about `free` bytes stay free, never passing through
    /// more free space on the way (the server reads free space whenever it writes).
    fn leave_free(&self, free: u64) {
        use std::io::{Seek, Write};
        let ballast = self.path().join("ballast");
        let now = std::fs::metadata(&ballast).map(|m| m.len()).unwrap_or(0);
        let target = (now + self.free()).saturating_sub(free);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&ballast)
            .unwrap();
        if target <= now {
            // Shrinking a tmpfs file gives its pages back.
            f.set_len(target).unwrap();
            return;
        }
        // Growing: tmpfs allocates on write, not on set_len, so write real bytes.
        f.seek(std::io::SeekFrom::End(0)).unwrap();
        let chunk = vec![0xA5u8; MIB as usize];
        let mut left = target - now;
        while left > 0 {
            let n = left.min(MIB) as usize;
            if f.write_all(&chunk[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// Runs `test` here when this process may mount (root, or already in a namespace), else
/// re-runs this one test inside `unshare -rm` (a user and mount namespace where it is root)
/// and checks it passed there. Returns whether the caller should run the body itself.
fn may_mount_here(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 || std::env::var_os(IN_NAMESPACE).is_some() {
        return true;
    }
    let me = std::env::current_exe().unwrap();
    let status = Command::new("unshare")
        .args(["-rm", "--"])
        .arg(me)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(IN_NAMESPACE, "1")
        .status()
        .expect("run unshare: not root, and util-linux's unshare is missing");
    assert!(
        status.success(),
        "{test} failed inside `unshare -rm` (or user namespaces are not allowed here: run as root)"
    );
    false
}

/// A server process killed when the test ends, passed or not (a failed assertion must not
/// leave it running, holding its tmpfs).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real binary with everything on `dir`, a short stall bound, and `extra` settings.
fn spawn(dir: &Path, extra: &[(&str, String)]) -> (Server, String) {
    let mut cmd = common::binary(dir);
    cmd.env("TWINHUB_STORE__STALL_TIMEOUT_SECS", "3")
        .env("TWINHUB_SERVER__SHUTDOWN_TIMEOUT_SECS", "2")
        .env("TWINHUB_STORE__SPACE_CHECK_INTERVAL_MS", "0")
        // Writing must be refused by the disk, not by the per-member allowances.
        .env("TWINHUB_LIMITS__MESSAGES_PER_WINDOW", "100000");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let (child, base) = common::spawn_listening(cmd);
    (Server(child), base)
}

async fn member(base: &str, email: &str) -> (common::Client, u64) {
    let anon = common::Client::at(base, None);
    assert_eq!(anon.register(email, "FR").await.0, StatusCode::ACCEPTED);
    let c = anon.login_token(email, common::PASSWORD).await;
    let id = c.my_id().await;
    (c, id)
}

async fn set_bio(c: &common::Client, id: u64, bio: &str) -> (StatusCode, Value) {
    c.send(
        Method::PATCH,
        &format!("/api/users/{id}/profile"),
        Some(json!({ "bio": bio })),
    )
    .await
}

/// Waits for the process to exit by itself, at most `bound`.
fn exit_status(child: &mut Child, bound: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < bound {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[actix_web::test]
async fn writes_are_refused_below_the_watermark_and_accepted_again_without_a_restart() {
    if !may_mount_here(
        "writes_are_refused_below_the_watermark_and_accepted_again_without_a_restart",
    ) {
        return;
    }
    let disk = Tmpfs::mount(96);
    let (_server, base) = spawn(
        disk.path(),
        &[
            ("TWINHUB_STORE__MIN_FREE_BYTES", (16 * MIB).to_string()),
            ("TWINHUB_STORE__RESUME_FREE_BYTES", (32 * MIB).to_string()),
        ],
    );
    let (ann, id) = member(&base, "ann@example.eu").await;
    assert_eq!(set_bio(&ann, id, "before").await.0, StatusCode::OK);

    disk.leave_free(8 * MIB);
    let refused = set_bio(&ann, id, "while full").await;
    common::assert_error(
        &refused,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_storage",
    );
    // Reads, logging in, and the reports go on.
    let (status, me) = ann.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["bio"], "before", "nothing half-written: {me}");
    let again = common::Client::at(&base, None)
        .login_token("ann@example.eu", common::PASSWORD)
        .await;
    assert_eq!(again.get("/api/me").await.0, StatusCode::OK);
    let (status, health) = ann.get("/healthz").await;
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("degraded"))
    );
    assert_eq!(health["writes_refused"], true);
    assert!(
        health["free_bytes"].as_u64().unwrap() < 16 * MIB,
        "{health}"
    );
    let (_, ui) = common::Client::at(&base, None).get("/api/ui").await;
    assert_eq!(ui["writes_refused"], true, "the UI is told: {ui}");
    let (_, _, metrics) = ann.send_raw(Method::GET, "/metrics", None).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("twinhub_storage_writes_refused 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("twinhub_storage_refused_writes_total"),
        "{metrics}"
    );
    // A registration is a write too.
    let anon = common::Client::at(&base, None);
    common::assert_error(
        &anon.register("bob@example.eu", "FR").await,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_storage",
    );

    // Between the two marks it keeps refusing (no flapping around one mark)...
    disk.leave_free(24 * MIB);
    let refused = set_bio(&ann, id, "between the marks").await;
    common::assert_error(
        &refused,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_storage",
    );
    // ...and above the high mark it accepts again, with no restart.
    std::fs::remove_file(disk.path().join("ballast")).unwrap();
    assert_eq!(set_bio(&ann, id, "after").await.0, StatusCode::OK);
    let (_, health) = ann.get("/healthz").await;
    assert_eq!(health["status"], "ok");
    assert_eq!(ann.get("/api/me").await.1["user"]["bio"], "after");
}

#[actix_web::test]
async fn a_disk_that_fills_anyway_gets_answers_a_clean_exit_and_loses_nothing() {
    if !may_mount_here("a_disk_that_fills_anyway_gets_answers_a_clean_exit_and_loses_nothing") {
        return;
    }
    let disk = Tmpfs::mount(64);
    let no_watermark = [
        ("TWINHUB_STORE__MIN_FREE_BYTES", "0".to_string()),
        ("TWINHUB_STORE__RESUME_FREE_BYTES", "0".to_string()),
    ];
    let (mut server, base) = spawn(disk.path(), &no_watermark);
    let (ann, id) = member(&base, "ann@example.eu").await;
    disk.leave_free(MIB);

    // Write until the disk refuses; every request must be answered in time, never with a 500.
    let filler: String = "0123456789abcdefghij".repeat(95);
    let mut acknowledged: Option<String> = None;
    let mut refusal = None;
    let mut refused_bio = String::new();
    for i in 0..5_000 {
        let bio = format!("{i} {filler}");
        let started = Instant::now();
        let got = set_bio(&ann, id, &bio).await;
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "request {i} took {:?}",
            started.elapsed()
        );
        match got.0 {
            StatusCode::OK => acknowledged = Some(bio),
            _ => {
                refusal = Some(got);
                refused_bio = bio;
                break;
            }
        }
    }
    let refusal = refusal.expect("a 1 MiB disk fills up");
    common::assert_error(&refusal, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let acknowledged = acknowledged.expect("some writes were acknowledged before the disk filled");

    // The server stops by itself, in bounded time, with the status a supervisor restarts on.
    let status = exit_status(&mut server.0, Duration::from_secs(30))
        .expect("the server exits by itself after the store failed");
    assert_eq!(status.code(), Some(75), "exit status {status:?}");

    // With the space back, a restart finds every acknowledged write.
    std::fs::remove_file(disk.path().join("ballast")).unwrap();
    let (_server, base) = spawn(disk.path(), &no_watermark);
    let ann = common::Client::at(&base, None)
        .login_token("ann@example.eu", common::PASSWORD)
        .await;
    let (status, me) = ann.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    // The refused write's fate is unknown to its client (it may have reached the disk before
    // the flush failed); the acknowledged one must be there unless that one replaced it.
    let stored = me["user"]["bio"].as_str().unwrap_or_default();
    assert!(
        stored == acknowledged || stored == refused_bio,
        "the last acknowledged write is lost: stored {:.20}…",
        stored
    );
    assert_eq!(set_bio(&ann, id, "writable again").await.0, StatusCode::OK);
}
