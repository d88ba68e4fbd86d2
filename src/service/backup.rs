//! Backups and restores of the store.
//!
//! sled locks its directory, so the running server takes a backup (`create`, from
//! `POST /api/admin/backups` or `twinhub backup`): a consistent copy, behind a brief write
//! barrier, into `<store.backup_dir>/<name>`, holding every write acknowledged before the
//! call. A backup is complete once its marker file (`twinhub-backup.json`) is there; it is
//! written last. `restore` (the `twinhub restore` command, server stopped) puts a complete
//! backup in place of the store and makes the next start rebuild the search index.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::config::StoreConfig;
use crate::domain::user::User;
use crate::error::AppError;
use crate::service::Core;
use crate::store::{sync_dir_tree, BackupReport, SledStore};

/// Written last into a backup: its presence means the copy is complete and on disk.
pub const MARKER: &str = "twinhub-backup.json";
/// Longest backup name (characters).
const NAME_CHARS: usize = 100;

/// One backup at a time: two into the same name must not interleave (they would also only
/// queue behind each other at the write barrier).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// What a backup wrote, also stored in its marker file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Backup {
    pub name: String,
    /// The backup's directory, as the server sees it (`store.backup_dir`/`name`).
    pub path: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Key-value records copied.
    pub records: u64,
    /// Their keys' and values' bytes.
    pub bytes: u64,
    /// How long writes waited while the store was copied (milliseconds).
    pub paused_ms: u64,
}

/// Backs the store up into `<store.backup_dir>/<name>` (administrators only). The name is a
/// new directory there, or an empty one (a mount point); anything else is refused (409).
pub fn create(core: &Core, actor: &User, name: &str) -> Result<Backup, AppError> {
    if !actor.admin {
        return Err(AppError::Forbidden(
            "only platform administrators can take backups".into(),
        ));
    }
    check_name(name)?;
    // Not on a disk already short of space (507), nor on a failed store (503).
    core.store.admit_write()?;
    let _one = ONE_AT_A_TIME
        .lock()
        .map_err(|_| AppError::internal("backup lock poisoned"))?;
    let target = core.config.store.backup_dir.join(name);
    let created = claim(&target)?;
    let created_at = core.clock.now();
    let report = core.store.backup(&target).inspect_err(|_| {
        if created {
            let _ = std::fs::remove_dir_all(&target);
        }
    })?;
    let backup = describe(name, &target, created_at, report);
    write_marker(&target, &backup)?;
    tracing::info!(admin = %actor.id, name, records = backup.records, bytes = backup.bytes,
        paused_ms = backup.paused_ms, "backup written");
    Ok(backup)
}

fn describe(name: &str, target: &Path, created_at: OffsetDateTime, r: BackupReport) -> Backup {
    Backup {
        name: name.to_string(),
        path: target.display().to_string(),
        created_at,
        records: r.records,
        bytes: r.bytes,
        paused_ms: r.paused_ms,
    }
}

/// A plain file name: letters, digits, `.`, `_`, `-`, not starting with a dot (no path, no
/// `..`, nothing hidden).
fn check_name(name: &str) -> Result<(), AppError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty()
        || name.chars().count() > NAME_CHARS
        || name.starts_with('.')
        || !name.chars().all(plain)
    {
        return Err(AppError::Validation(format!(
            "name: 1 to {NAME_CHARS} letters, digits, '.', '_' or '-', not starting with '.'"
        )));
    }
    Ok(())
}

/// Makes `target` a new directory, or accepts an existing empty one. True if it was made here.
fn claim(target: &Path) -> Result<bool, AppError> {
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(AppError::internal)?;
    match std::fs::create_dir(target) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let empty = target.is_dir()
                && std::fs::read_dir(target)
                    .map_err(AppError::internal)?
                    .next()
                    .is_none();
            if empty {
                Ok(false)
            } else {
                Err(AppError::Conflict(format!(
                    "backup {} already exists; choose another name",
                    target.file_name().unwrap_or_default().to_string_lossy()
                )))
            }
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

/// Temporary file, fsync, rename, fsync the directory: the marker is there whole or not.
fn write_marker(dir: &Path, backup: &Backup) -> Result<(), AppError> {
    let tmp = dir.join(format!("{MARKER}.tmp"));
    let mut f = File::create(&tmp).map_err(AppError::internal)?;
    f.write_all(&crate::store::encode(backup)?)
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, dir.join(MARKER)))
        .and_then(|()| File::open(dir)?.sync_all())
        .map_err(AppError::internal)
}

/// What `restore` did.
#[derive(Debug)]
pub struct Restored {
    pub backup: Backup,
    /// Where the store that was in place was moved (never deleted).
    pub previous_store: Option<PathBuf>,
}

/// Puts the complete backup in `from` in place of the store at `cfg.path` (server stopped).
/// The backup is copied beside the store, fsynced, and renamed into place; a store already
/// there is renamed aside to `<path>.before-restore-<unix time>`, never deleted. The copy
/// forgets which search index was built from it before it is put in place, so the next start
/// rebuilds the index.
pub fn restore(cfg: &StoreConfig, from: &Path) -> Result<Restored, AppError> {
    let backup = read_marker(from)?;
    let _locked = lock_store(&cfg.path)?;
    let file_name = cfg
        .path
        .file_name()
        .ok_or_else(|| AppError::Config("store.path must name a directory".into()))?
        .to_string_lossy()
        .into_owned();
    let staging = cfg.path.with_file_name(format!("{file_name}.restoring"));
    if staging.exists() {
        // Left by an interrupted restore: the copy, or after the swap the old store. Which
        // one is for the operator to see; nothing is deleted here.
        return Err(AppError::Conflict(format!(
            "{} was left by an interrupted restore (the backup's copy, or the store it \
             replaced): look at it, move it away, and run the restore again",
            staging.display()
        )));
    }
    copy_dir(from, &staging).map_err(AppError::internal)?;
    forget_index(cfg, &staging)?;
    sync_dir_tree(&staging).map_err(AppError::internal)?;
    let previous_store = swap_in(&staging, &cfg.path, &file_name)?;
    let parent = cfg.path.parent().filter(|p| !p.as_os_str().is_empty());
    File::open(parent.unwrap_or(Path::new(".")))
        .and_then(|d| d.sync_all())
        .map_err(AppError::internal)?;
    Ok(Restored {
        backup,
        previous_store,
    })
}

/// Makes the copy in `staging` forget its search index before it is put in place, so a
/// restore interrupted at any point never leaves a restored store with a stale index.
fn forget_index(cfg: &StoreConfig, staging: &Path) -> Result<(), AppError> {
    let staged = StoreConfig {
        path: staging.to_path_buf(),
        ..cfg.clone()
    };
    let store = SledStore::open(&staged)?;
    crate::search::forget_index(&store)
}

fn read_marker(from: &Path) -> Result<Backup, AppError> {
    let bytes = std::fs::read(from.join(MARKER)).map_err(|e| {
        AppError::BadRequest(format!(
            "{} is not a complete twinhub backup (no readable {MARKER}: {e})",
            from.display()
        ))
    })?;
    crate::store::decode(&bytes)
}

/// Takes the lock sled takes on `<store>/db` (an exclusive `flock`), so a running server
/// is detected and none can open the old store while it is replaced.
fn lock_store(path: &Path) -> Result<Option<File>, AppError> {
    use std::os::fd::AsRawFd;
    let Ok(db) = File::open(path.join("db")) else {
        return Ok(None);
    };
    // SAFETY: flock on a descriptor we own; released when the file is closed.
    if unsafe { libc::flock(db.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(AppError::Conflict(format!(
            "{} is in use by another twinhub process: stop the server first",
            path.display()
        )));
    }
    Ok(Some(db))
}

/// Puts `staging` at `path`. A missing or empty store is simply replaced; a store with files
/// is swapped with the copy in one step (`renameat2(RENAME_EXCHANGE)`, so `path` always
/// holds a whole store), then renamed aside and returned.
fn swap_in(staging: &Path, path: &Path, file_name: &str) -> Result<Option<PathBuf>, AppError> {
    let has_files = std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_some());
    if !has_files {
        if path.exists() {
            std::fs::remove_dir(path).map_err(AppError::internal)?;
        }
        std::fs::rename(staging, path).map_err(AppError::internal)?;
        return Ok(None);
    }
    let secs = OffsetDateTime::now_utc().unix_timestamp();
    let aside = path.with_file_name(format!("{file_name}.before-restore-{secs}"));
    match exchange(staging, path) {
        Ok(()) => std::fs::rename(staging, &aside),
        // A file system without the exchange: two renames, `path` briefly absent.
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            std::fs::rename(path, &aside).and_then(|()| std::fs::rename(staging, path))
        }
        Err(e) => Err(e),
    }
    .map_err(AppError::internal)?;
    Ok(Some(aside))
}

/// Swaps two directory entries atomically.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths relative to the working directory.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Copies a backup's files (not its marker) into a new directory `to`.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == MARKER {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_file_names() {
        for good in ["nightly", "2026-12-06T11.30", "a_b-c"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let too_long = "x".repeat(NAME_CHARS + 1);
        for bad in ["", ".", "..", "../etc", "a/b", ".hidden", "a b", &too_long] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_copy_is_swapped_in_and_the_old_store_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (staging, store) = (dir.path().join("data.restoring"), dir.path().join("data"));
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join("db"), b"restored").unwrap();
        assert_eq!(
            swap_in(&staging, &store, "data").unwrap(),
            None,
            "nothing to keep"
        );
        assert_eq!(std::fs::read(store.join("db")).unwrap(), b"restored");

        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join("db"), b"newer").unwrap();
        let aside = swap_in(&staging, &store, "data").unwrap().expect("kept");
        assert_eq!(std::fs::read(store.join("db")).unwrap(), b"newer");
        assert_eq!(std::fs::read(aside.join("db")).unwrap(), b"restored");
        assert!(!staging.exists());
    }

    #[test]
    fn a_target_with_files_is_refused_and_an_empty_one_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("backups/fresh");
        assert!(claim(&fresh).unwrap(), "made here");
        assert!(!claim(&fresh).unwrap(), "empty: accepted, not made");
        std::fs::write(fresh.join("x"), b"x").unwrap();
        assert!(matches!(claim(&fresh), Err(AppError::Conflict(_))));
    }
}
