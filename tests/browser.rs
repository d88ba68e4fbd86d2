//! The real-browser tests: every `tests/browser/*.test.mjs`, run by Node's test runner against
//! the real `twinhub` binary in Debian's chromium (driven by playwright-core). See
//! tests/browser/README.md. A missing Node.js, playwright-core or chromium fails this test
//! with the command that installs it: it never passes without having run the browser.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The whole browser run is killed after this long, so that CI can never hang on it.
const DEFAULT_TIMEOUT_SECS: u64 = 15 * 60;
/// Node.js 20 is the oldest with `node --test --test-concurrency`, and what playwright-core needs.
const NODE_MAJOR_MIN: u32 = 20;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("browser")
}

/// Fails with the install command for whatever the browser tests lack.
fn check_prerequisites(dir: &Path) {
    let node = Command::new("node").arg("--version").output();
    let version = match node {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => panic!(
            "the browser tests need Node.js {NODE_MAJOR_MIN} or later, and `node` does not run: \
             install it (Debian: apt-get install nodejs npm, if its version is recent enough), \
             then npm ci --prefix tests/browser"
        ),
    };
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        major >= NODE_MAJOR_MIN,
        "the browser tests need Node.js {NODE_MAJOR_MIN} or later; `node --version` is {version}"
    );
    assert!(
        dir.join("node_modules/playwright-core/package.json")
            .is_file(),
        "the browser tests need playwright-core in tests/browser/node_modules: \
         run `npm ci --prefix tests/browser` (from the repository's root)"
    );
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.is_file(),
        "the browser tests need Debian's chromium at {}: install it with \
         `apt-get install chromium` (or set CHROMIUM to a chromium executable)",
        chromium.display()
    );
}

/// `*.test.mjs` in tests/browser, sorted; `TWINHUB_BROWSER_TESTS=a,b` keeps the files whose
/// name contains one of the words.
fn test_files(dir: &Path) -> Vec<String> {
    let only: Vec<String> = std::env::var("TWINHUB_BROWSER_TESTS")
        .unwrap_or_default()
        .split(',')
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("read tests/browser")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".test.mjs"))
        .filter(|name| only.is_empty() || only.iter().any(|w| name.contains(w.as_str())))
        .collect();
    files.sort();
    files
}

/// Waits for the child, killing its whole process group (node, its test files, the servers
/// they started) when the deadline passes.
fn wait_with_deadline(child: &mut std::process::Child, timeout: Duration) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            return status;
        }
        if Instant::now() >= deadline {
            let pgid = child.id() as libc::pid_t;
            // SAFETY: kill(2) on the process group this test created for node.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
            let _ = child.wait();
            panic!(
                "the browser tests did not finish within {} s and were killed \
                 (TWINHUB_BROWSER_TIMEOUT_SECS sets the limit)",
                timeout.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn browser_scenarios_pass_in_chromium() {
    use std::os::unix::process::CommandExt;

    let dir = browser_dir();
    check_prerequisites(&dir);
    let files = test_files(&dir);
    assert!(
        !files.is_empty(),
        "no tests/browser/*.test.mjs file to run (TWINHUB_BROWSER_TESTS={:?})",
        std::env::var("TWINHUB_BROWSER_TESTS").unwrap_or_default()
    );
    let timeout = std::env::var("TWINHUB_BROWSER_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_TIMEOUT_SECS);

    eprintln!("browser tests: node --test {}", files.join(" "));
    let started = Instant::now();
    // Node's output goes straight to this process's stdout/stderr (libtest does not capture a
    // child's), so a long run shows its progress as it goes.
    let mut child = Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .current_dir(&dir)
        .env("TWINHUB_BIN", env!("CARGO_BIN_EXE_twinhub"))
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .process_group(0)
        .spawn()
        .expect("start node --test");
    let status = wait_with_deadline(&mut child, Duration::from_secs(timeout));
    assert!(
        status.success(),
        "the browser tests failed ({status}) after {:.1} s: see node's report above",
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "browser tests passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
