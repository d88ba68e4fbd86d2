//! Makes sled's blob files durable.
//!
//! sled 0.34 writes a log message larger than a quarter of its 512 KiB segment (about
//! 128 KiB: a picture, or a B-tree node holding up to 16 values that together pass that size)
//! to a file of its own, `<store>/blobs/<lsn>`, and puts only a pointer in the log. It writes
//! that file when the message is reserved in the log (in the writing thread, during the
//! commit, before the log buffer that points to it can be flushed), closes it, and never
//! fsyncs it or its directory (`pagecache/blob_io.rs`). Our `fdatasync` of `<store>/db` alone
//! therefore left the pointer durable and the value it points to in the page cache: after a
//! power cut the node could not be read.
//!
//! We learn which blob files were written from inotify (`IN_CLOSE_WRITE` on `blobs/`,
//! watched from before sled opens) and fsync each, then the directory, in two places:
//!
//! - **Before every acknowledgement**: the flusher, after sled's flush and before the
//!   `fdatasync` of the log, syncs every blob closed so far ([`BlobSync::sync_new`]).
//! - **At once, in a thread of its own**: sled also writes blobs no writer waits for (a node
//!   consolidated during a read, or rewritten by sled's own cleaner) and its background thread
//!   writes and fsyncs their pointers every 500 ms. Synced by the flusher alone, such a blob
//!   could wait for the next write while its pointer was already durable; the watcher thread
//!   syncs it as soon as sled closes it, leaving sled a window of one fsync's time.
//!
//! Both take the same lock around "read the events, fsync what they name", so when the
//! flusher has the lock, every blob closed before it is synced. Listing the directory instead
//! would cost time in proportion to every blob ever kept; inotify costs one `read` when nothing
//! was written. If the kernel's event queue overflowed, every blob file is synced.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Fsyncs the blob files sled writes under `<store>/blobs`: at once in a watcher thread,
/// and on demand before an acknowledgement. Dropping it stops the thread.
pub struct BlobSync {
    watch: Arc<Mutex<Watch>>,
    synced: Arc<AtomicU64>,
    /// Written to when dropped, to wake the watcher thread so it ends.
    stop: Arc<OwnedFd>,
    thread: Option<JoinHandle<()>>,
}

impl BlobSync {
    /// Creates and watches `<store>/blobs` (see [`Watch::start`]) and starts the watcher
    /// thread. `synced` counts the blob files fsynced.
    pub fn watch(store: &Path, synced: Arc<AtomicU64>) -> io::Result<BlobSync> {
        let watch = Watch::start(store)?;
        let fd = watch.inotify.as_raw_fd();
        let watch = Arc::new(Mutex::new(watch));
        // SAFETY: plain syscall; the descriptor is checked and then owned by `OwnedFd`.
        let raw = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor nobody else owns.
        let stop = Arc::new(unsafe { OwnedFd::from_raw_fd(raw) });
        let thread = std::thread::Builder::new()
            .name("twinhub-blob-sync".into())
            .spawn({
                let (watch, synced, stop) = (watch.clone(), synced.clone(), stop.clone());
                move || watcher_loop(fd, &watch, &synced, stop.as_raw_fd())
            })?;
        Ok(BlobSync {
            watch,
            synced,
            stop,
            thread: Some(thread),
        })
    }

    /// Returns once every blob file closed before the call is fsynced, with its directory.
    pub fn sync_new(&self) -> io::Result<usize> {
        sync_locked(&self.watch, &self.synced)
    }
}

impl Drop for BlobSync {
    fn drop(&mut self) {
        let one = 1u64.to_ne_bytes();
        // SAFETY: writes 8 bytes we own to our eventfd.
        unsafe { libc::write(self.stop.as_raw_fd(), one.as_ptr().cast(), one.len()) };
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn sync_locked(watch: &Mutex<Watch>, synced: &AtomicU64) -> io::Result<usize> {
    let watch = watch
        .lock()
        .map_err(|_| io::Error::other("blob watch poisoned"))?;
    let n = watch.sync_new()?;
    if n > 0 {
        synced.fetch_add(n as u64, Ordering::Relaxed);
        metrics::counter!("twinhub_store_blobs_synced_total").increment(n as u64);
    }
    Ok(n)
}

/// Waits for inotify events and syncs what they name, until `stop` is readable. A failure
/// is logged; the flusher meets it again and reports it to the writers it serves.
fn watcher_loop(fd: RawFd, watch: &Mutex<Watch>, synced: &AtomicU64, stop: RawFd) {
    loop {
        let mut fds = [fd, stop].map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        });
        // SAFETY: two valid pollfds; both descriptors live as long as this thread's Arcs.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if ready < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if ready < 0 || fds[1].revents != 0 {
            return;
        }
        if fds[0].revents != 0 {
            if let Err(e) = sync_locked(watch, synced) {
                tracing::warn!(error = %e, "syncing sled blob files failed");
            }
        }
    }
}

/// The inotify watch on `<store>/blobs`.
struct Watch {
    dir: PathBuf,
    inotify: OwnedFd,
}

/// Room for many events per `read` (each is 16 bytes plus a short decimal file name).
const EVENT_BUFFER: usize = 64 * 1024;

impl Watch {
    /// Creates `<store>/blobs` if needed (so it can be watched before sled writes into it),
    /// makes its directory entry durable, and starts watching it.
    fn start(store: &Path) -> io::Result<Watch> {
        let dir = store.join("blobs");
        std::fs::create_dir_all(&dir)?;
        File::open(store)?.sync_all()?;
        // SAFETY: plain syscall; the descriptor is checked and then owned by `OwnedFd`.
        let raw = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor nobody else owns.
        let inotify = unsafe { OwnedFd::from_raw_fd(raw) };
        let path = CString::new(dir.as_os_str().as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let mask = libc::IN_CLOSE_WRITE | libc::IN_MOVED_TO;
        // SAFETY: valid descriptor and NUL-terminated path.
        if unsafe { libc::inotify_add_watch(inotify.as_raw_fd(), path.as_ptr(), mask) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Watch { dir, inotify })
    }

    /// Fsyncs every blob file closed since the last call, then the directory (new names
    /// must survive too). Returns how many files were synced.
    fn sync_new(&self) -> io::Result<usize> {
        let (names, overflowed) = self.drain_events()?;
        let names = if overflowed { self.all_files()? } else { names };
        let mut synced = 0;
        for name in &names {
            match File::open(self.dir.join(name)) {
                Ok(f) => {
                    f.sync_all()?;
                    synced += 1;
                }
                // sled removes a blob once nothing points to it; nothing left to keep.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if !names.is_empty() {
            File::open(&self.dir)?.sync_all()?;
        }
        Ok(synced)
    }

    /// File names from the pending inotify events, and whether the queue overflowed.
    fn drain_events(&self) -> io::Result<(Vec<PathBuf>, bool)> {
        let mut names = Vec::new();
        let mut overflowed = false;
        let mut buf = vec![0u8; EVENT_BUFFER];
        loop {
            // SAFETY: reads into a buffer we own, at most its length.
            let n =
                unsafe { libc::read(self.inotify.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n < 0 {
                let e = io::Error::last_os_error();
                return match e.kind() {
                    io::ErrorKind::WouldBlock => Ok((names, overflowed)),
                    io::ErrorKind::Interrupted => continue,
                    _ => Err(e),
                };
            }
            overflowed |= parse_events(&buf[..n as usize], &mut names);
        }
    }

    fn all_files(&self) -> io::Result<Vec<PathBuf>> {
        std::fs::read_dir(&self.dir)?
            .map(|entry| entry.map(|e| PathBuf::from(e.file_name())))
            .collect()
    }
}

/// Appends the names in a buffer of `struct inotify_event`s; true if one says the queue
/// overflowed (events were lost).
fn parse_events(mut buf: &[u8], names: &mut Vec<PathBuf>) -> bool {
    const HEADER: usize = std::mem::size_of::<libc::inotify_event>();
    let mut overflowed = false;
    while buf.len() >= HEADER {
        // SAFETY: the kernel writes whole events; the header is read unaligned from a byte
        // buffer that holds at least HEADER bytes.
        let event: libc::inotify_event = unsafe { std::ptr::read_unaligned(buf.as_ptr().cast()) };
        let len = event.len as usize;
        let Some(name) = buf.get(HEADER..HEADER + len) else {
            break;
        };
        if event.mask & libc::IN_Q_OVERFLOW != 0 {
            overflowed = true;
        }
        let name = name.split(|b| *b == 0).next().unwrap_or_default();
        if !name.is_empty() {
            names.push(PathBuf::from(OsStr::from_bytes(name)));
        }
        buf = &buf[HEADER + len..];
    }
    overflowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_written_since_the_last_sync_are_synced_once() {
        let dir = tempfile::tempdir().unwrap();
        let sync = Watch::start(dir.path()).unwrap();
        assert_eq!(sync.sync_new().unwrap(), 0, "nothing written yet");
        std::fs::write(dir.path().join("blobs/100"), vec![7u8; 200_000]).unwrap();
        std::fs::write(dir.path().join("blobs/200"), b"small").unwrap();
        assert_eq!(sync.sync_new().unwrap(), 2);
        assert_eq!(sync.sync_new().unwrap(), 0, "already synced");
    }

    /// The watcher thread syncs a blob nobody waits for; a later flush finds nothing left.
    #[test]
    fn the_watcher_syncs_a_blob_without_a_flush() {
        let dir = tempfile::tempdir().unwrap();
        let synced = Arc::new(AtomicU64::new(0));
        let sync = BlobSync::watch(dir.path(), synced.clone()).unwrap();
        std::fs::write(dir.path().join("blobs/400"), vec![1u8; 200_000]).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while synced.load(Ordering::Relaxed) == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the watcher never synced it"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(sync.sync_new().unwrap(), 0);
    }

    #[test]
    fn a_blob_removed_before_the_flush_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let sync = Watch::start(dir.path()).unwrap();
        let blob = dir.path().join("blobs/300");
        std::fs::write(&blob, b"gone soon").unwrap();
        std::fs::remove_file(&blob).unwrap();
        assert_eq!(sync.sync_new().unwrap(), 0);
    }
}
