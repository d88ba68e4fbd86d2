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
//! The flusher learns which blob files were written since its last flush from inotify
//! (`IN_CLOSE_WRITE` on `blobs/`, watched from before sled opens), fsyncs each, then the
//! directory, before it `fdatasync`s the log and acknowledges. Listing the directory at every
//! flush would cost time in proportion to every blob ever kept; inotify costs one `read` when
//! nothing was written. If the kernel's event queue overflowed, every blob file is synced.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Watches `<store>/blobs` and fsyncs the files sled writes there.
pub struct BlobSync {
    dir: PathBuf,
    inotify: OwnedFd,
}

/// Room for many events per `read` (each is 16 bytes plus a short decimal file name).
const EVENT_BUFFER: usize = 64 * 1024;

impl BlobSync {
    /// Creates `<store>/blobs` if needed (so it can be watched before sled writes into it),
    /// makes its directory entry durable, and starts watching it.
    pub fn watch(store: &Path) -> io::Result<BlobSync> {
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
        Ok(BlobSync { dir, inotify })
    }

    /// Fsyncs every blob file closed since the last call, then the directory (new names
    /// must survive too). Returns how many files were synced.
    pub fn sync_new(&self) -> io::Result<usize> {
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
        let sync = BlobSync::watch(dir.path()).unwrap();
        assert_eq!(sync.sync_new().unwrap(), 0, "nothing written yet");
        std::fs::write(dir.path().join("blobs/100"), vec![7u8; 200_000]).unwrap();
        std::fs::write(dir.path().join("blobs/200"), b"small").unwrap();
        assert_eq!(sync.sync_new().unwrap(), 2);
        assert_eq!(sync.sync_new().unwrap(), 0, "already synced");
    }

    #[test]
    fn a_blob_removed_before_the_flush_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let sync = BlobSync::watch(dir.path()).unwrap();
        let blob = dir.path().join("blobs/300");
        std::fs::write(&blob, b"gone soon").unwrap();
        std::fs::remove_file(&blob).unwrap();
        assert_eq!(sync.sync_new().unwrap(), 0);
    }
}
