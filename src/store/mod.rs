//! The storage seam: a narrow key-value trait with a sled backend (`sled_store`) and an
//! in-memory backend for unit tests (`memory`). No sled type leaves this module.
//!
//! Values are JSON (debuggable with any sled dump, tolerant of added fields); keys are
//! built from fixed-width big-endian ids, or from a string when the key *is* that string.
//! Every write goes through [`Store::transaction`], which is atomic across the trees it
//! names and returns only once the write is durable (see `group_commit`).

mod backup;
mod blob_sync;
mod group_commit;
mod memory;
pub mod rider;
mod sled_store;
pub mod space;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use backup::{sync_dir_tree, BackupReport};
pub use memory::MemoryStore;
pub use sled_store::SledStore;

use crate::error::AppError;

/// The trees, each named after what it maps (`key_value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tree {
    /// Store-wide facts: schema version, whether demo data was loaded.
    Meta,
    /// user id → `User`.
    UseridUser,
    /// normalised e-mail → user id. Enforces one account per address.
    EmailUserid,
    /// country code ++ user id → (). Lets an NSO list its country's members.
    CountryUserid,
    /// user id → picture bytes (content type lives on the user record).
    UseridPicture,
    /// BLAKE2b hash of a session token → `Session`. The token itself is never stored.
    SessionhashSession,
    /// user id ++ session hash → (). Lets all of a user's sessions be found and ended.
    UseridSessionhash,
    /// school id → `School`.
    SchoolidSchool,
    /// normalised "country|city|name" → school id. Finds an existing school before creating one.
    SchoolkeySchoolid,
    /// school id ++ tie id → `Tie`. Every membership ever, current and past (the history).
    SchoolidTie,
    /// user id ++ school id → tie id. The member's current schools only.
    UseridSchoolidTie,
    /// user id → how many schools are on the profile (8 bytes). Lets the per-member cap be
    /// checked inside the joining transaction, which cannot scan.
    UseridSchoolcount,
    /// user id ++ sequence number → `UserEvent`. The last `live.events_kept_per_user` only.
    UseridSeqEvent,
    /// user id → the user's last event sequence number (8 bytes, big-endian).
    UseridLastseq,
    /// user id ++ (u64::MAX - notification id) → `Notification`: newest first in key order.
    UseridNotification,
    /// user id ++ notification id → (). The unread ones only.
    UseridUnreadNotificationid,
    /// user id → number of unread notifications (8 bytes), kept in step with the index above.
    UseridUnreadcount,
    /// group id → `Group`.
    GroupidGroup,
    /// group id ++ user id → `Membership` (joined at, administrator). The group's members.
    GroupidUserid,
    /// user id ++ group id → (). The member's groups.
    UseridGroupid,
    /// group id ++ (u64::MAX - message id) → `GroupMessage`: newest first in key order.
    GroupidMessage,
    /// group id ++ user id ++ client id → message id. Makes a retried send return the first.
    GroupidClientid,
    /// group id ++ revision → message id: each message under its latest change (send, edit,
    /// delete), so a client catches up with one ordered scan.
    GroupidRevMessageid,
    /// group id → the group's last revision (8 bytes): revisions are numbered per group
    /// without gaps, inside the writing transaction, so they follow commit order.
    GroupidLastrev,
    /// user id → how many groups the member belongs to (8 bytes), for `groups.groups_per_member`.
    UseridGroupcount,
    /// group id ++ user id → the last message id the member has read (8 bytes).
    GroupidUseridLastread,
    /// group id ++ user id → `Invitation`: invitations waiting for their invitee.
    GroupidInviteduserid,
    /// user id ++ group id → (): the member's waiting invitations.
    UseridInvitinggroupid,
    /// group id ++ user id → removal time: members an administrator removed (they need a new
    /// invitation to come back).
    GroupidRemoveduserid,
    /// group id → picture bytes (content type on the group record).
    GroupidPicture,
    /// user id → `CodeOfConductAcceptance`: the last version of the groups' Code of Conduct
    /// the member accepted, and when.
    UseridCodeofconduct,
    /// user id ++ contact's user id → `ContactTie`. Stored under both members (R2: mutual).
    UseridContactid,
    /// sender id ++ recipient id → `ContactRequest`: the requests a member sent.
    UseridRequestedid,
    /// recipient id ++ sender id → (). The requests a member received (hidden ones left out).
    UseridRequesterid,
    /// blocker id ++ blocked id → block time. Private to the blocker.
    UseridBlockedid,
    /// message id → `StoredMessage`: the message once, with how many folders still hold it.
    MessageidMessage,
    /// user id ++ (u64::MAX - message id) → `InboxEntry`: received messages, newest first.
    UseridInbox,
    /// user id ++ (u64::MAX - message id) → (): sent messages, newest first.
    UseridSent,
    /// user id → number of unread messages in the inbox (8 bytes), kept with the inbox.
    UseridUnreadmail,
    /// user id ++ thread id ++ message id → (): the member's messages of each conversation,
    /// in time order.
    UseridThreadMessageid,
    /// due time (Unix milliseconds, 8 bytes) ++ mail id → (). The outbound mail queue in the
    /// order mails are due: the sender takes entries from the front (`src/mail`).
    MaildueMailid,
    /// mail id → `QueuedMail` (the mail, attempts so far, last error) while it waits to be sent.
    MailidMail,
    /// mail id → `QueuedMail` the sender gave up on after `mail.max_attempts`, kept for the
    /// operator.
    MailidDeadmail,
    /// doc kind byte ++ id → token: items changed since the search index last took them in,
    /// written in the changing transaction (`crate::search::mark`).
    SearchPending,
    /// posting id → `Posting` (R6).
    PostingidPosting,
    /// author id ++ (u64::MAX - posting id) → (): a member's postings, newest first.
    UseridPostingid,
    /// posting id ++ comment id → `Comment`: a posting's comments, oldest first.
    PostingidComment,
    /// user id ++ `Idempotency-Key` → `IdempotencyRecord`: the request's fingerprint and, once
    /// answered, its answer (`crate::service::idempotency`).
    UseridIdempotencykey,
    /// creation time (Unix ms, 8 bytes) ++ user id ++ key → (): the records in the order they
    /// expire, for the sweep.
    CreatedUseridIdempotencykey,
}

impl Tree {
    pub const ALL: [Tree; 49] = [
        Tree::Meta,
        Tree::UseridUser,
        Tree::EmailUserid,
        Tree::CountryUserid,
        Tree::UseridPicture,
        Tree::SessionhashSession,
        Tree::UseridSessionhash,
        Tree::SchoolidSchool,
        Tree::SchoolkeySchoolid,
        Tree::SchoolidTie,
        Tree::UseridSchoolidTie,
        Tree::UseridSchoolcount,
        Tree::UseridSeqEvent,
        Tree::UseridLastseq,
        Tree::UseridNotification,
        Tree::UseridUnreadNotificationid,
        Tree::UseridUnreadcount,
        Tree::GroupidGroup,
        Tree::GroupidUserid,
        Tree::UseridGroupid,
        Tree::GroupidMessage,
        Tree::GroupidClientid,
        Tree::GroupidRevMessageid,
        Tree::GroupidLastrev,
        Tree::UseridGroupcount,
        Tree::GroupidUseridLastread,
        Tree::GroupidInviteduserid,
        Tree::UseridInvitinggroupid,
        Tree::GroupidRemoveduserid,
        Tree::GroupidPicture,
        Tree::UseridCodeofconduct,
        Tree::UseridContactid,
        Tree::UseridRequestedid,
        Tree::UseridRequesterid,
        Tree::UseridBlockedid,
        Tree::MessageidMessage,
        Tree::UseridInbox,
        Tree::UseridSent,
        Tree::UseridUnreadmail,
        Tree::UseridThreadMessageid,
        Tree::MaildueMailid,
        Tree::MailidMail,
        Tree::MailidDeadmail,
        Tree::SearchPending,
        Tree::PostingidPosting,
        Tree::UseridPostingid,
        Tree::PostingidComment,
        Tree::UseridIdempotencykey,
        Tree::CreatedUseridIdempotencykey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tree::Meta => "meta",
            Tree::UseridUser => "userid_user",
            Tree::EmailUserid => "email_userid",
            Tree::CountryUserid => "country_userid",
            Tree::UseridPicture => "userid_picture",
            Tree::SessionhashSession => "sessionhash_session",
            Tree::UseridSessionhash => "userid_sessionhash",
            Tree::SchoolidSchool => "schoolid_school",
            Tree::SchoolkeySchoolid => "schoolkey_schoolid",
            Tree::SchoolidTie => "schoolid_tie",
            Tree::UseridSchoolidTie => "userid_schoolid_tie",
            Tree::UseridSchoolcount => "userid_schoolcount",
            Tree::UseridSeqEvent => "userid_seq_event",
            Tree::UseridLastseq => "userid_lastseq",
            Tree::UseridNotification => "userid_notification",
            Tree::UseridUnreadNotificationid => "userid_unread_notificationid",
            Tree::UseridUnreadcount => "userid_unreadcount",
            Tree::GroupidGroup => "groupid_group",
            Tree::GroupidUserid => "groupid_userid",
            Tree::UseridGroupid => "userid_groupid",
            Tree::GroupidMessage => "groupid_message",
            Tree::GroupidClientid => "groupid_clientid",
            Tree::GroupidRevMessageid => "groupid_rev_messageid",
            Tree::GroupidLastrev => "groupid_lastrev",
            Tree::UseridGroupcount => "userid_groupcount",
            Tree::GroupidUseridLastread => "groupid_userid_lastread",
            Tree::GroupidInviteduserid => "groupid_inviteduserid",
            Tree::UseridInvitinggroupid => "userid_invitinggroupid",
            Tree::GroupidRemoveduserid => "groupid_removeduserid",
            Tree::GroupidPicture => "groupid_picture",
            Tree::UseridCodeofconduct => "userid_codeofconduct",
            Tree::UseridContactid => "userid_contactid",
            Tree::UseridRequestedid => "userid_requestedid",
            Tree::UseridRequesterid => "userid_requesterid",
            Tree::UseridBlockedid => "userid_blockedid",
            Tree::MessageidMessage => "messageid_message",
            Tree::UseridInbox => "userid_inbox",
            Tree::UseridSent => "userid_sent",
            Tree::UseridUnreadmail => "userid_unreadmail",
            Tree::UseridThreadMessageid => "userid_thread_messageid",
            Tree::MaildueMailid => "maildue_mailid",
            Tree::MailidMail => "mailid_mail",
            Tree::MailidDeadmail => "mailid_deadmail",
            Tree::SearchPending => "search_pending",
            Tree::PostingidPosting => "postingid_posting",
            Tree::UseridPostingid => "userid_postingid",
            Tree::PostingidComment => "postingid_comment",
            Tree::UseridIdempotencykey => "userid_idempotencykey",
            Tree::CreatedUseridIdempotencykey => "created_userid_idempotencykey",
        }
    }
}

/// Key-value pairs, in key order.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Storage failures (I/O errors, a stalled flush). Opaque to callers: they become
/// `AppError::StoreFailed`, a 503 in the error shape; the detail goes to the log.
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(pub String);

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::StoreFailed(e.to_string())
    }
}

/// Why a transaction body stopped: a rule said no (the caller's error, returned as is),
/// or the backend needs it retried or failed.
#[derive(Debug)]
pub enum TxError {
    Abort(AppError),
    Backend(BackendTxError),
}

/// Backend-specific transaction failure (conflict to retry, or I/O); only the store reads it.
#[derive(Debug)]
pub struct BackendTxError(pub(crate) BackendTxKind);

#[derive(Debug)]
pub(crate) enum BackendTxKind {
    Sled(sled::transaction::UnabortableTransactionError),
    Undeclared(Tree),
}

impl std::fmt::Display for BackendTxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            BackendTxKind::Sled(e) => write!(f, "sled transaction: {e:?}"),
            BackendTxKind::Undeclared(t) => write!(
                f,
                "tree {} used but not declared in the transaction",
                t.name()
            ),
        }
    }
}

impl From<AppError> for TxError {
    fn from(e: AppError) -> Self {
        TxError::Abort(e)
    }
}

/// What a transaction body may do: point reads and writes on the trees it declared.
/// (sled transactions cannot scan, so uniqueness is always checked by point lookups.)
pub trait Txn {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, TxError>;
    fn insert(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<(), TxError>;
    fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), TxError>;
}

/// A transaction body. It may run more than once (sled retries on conflict), so it must
/// have no effects outside the transaction.
pub type TxBody<'a> = dyn Fn(&dyn Txn) -> Result<(), TxError> + 'a;

/// Entries read per `scan_prefix` call by `Store::for_each_value`'s default.
const SCAN_PAGE: usize = 10_000;

/// The narrow storage trait every service talks to.
pub trait Store: Send + Sync + 'static {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Up to `limit` entries whose key starts with `prefix` and is greater than `after`.
    fn scan_prefix(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, StoreError>;
    /// Calls `each` with every value of `tree` in key order, for reading a whole tree once
    /// (a rebuild of the search index). A write made meanwhile may or may not be seen. This
    /// default pages with `scan_prefix`; a store that can lend its values without copying
    /// them does better.
    fn for_each_value(
        &self,
        tree: Tree,
        each: &mut dyn FnMut(&[u8]) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let rows = self.scan_prefix(tree, &[], after.as_deref(), SCAN_PAGE)?;
            let Some((last, _)) = rows.last() else {
                return Ok(());
            };
            after = Some(last.clone());
            for (_, value) in &rows {
                each(value)?;
            }
        }
    }
    /// Runs `body` atomically over `trees` (only those), committing nothing if it fails.
    /// Returns once committed, *not* yet durable: see [`Store::wait_durable`].
    fn run_transaction(&self, trees: &[Tree], body: &TxBody<'_>) -> Result<(), TxError>;
    /// Blocks until everything committed before this call is on disk (group commit).
    fn wait_durable(&self) -> Result<(), StoreError>;
    /// Writes one value without waiting for durability: for data whose loss in a crash is
    /// harmless (a session's last-seen time).
    fn insert_relaxed(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<(), StoreError>;
    /// A fresh id, unique for the life of the store.
    fn next_id(&self) -> Result<u64, StoreError>;
    /// Copies every tree into a new sled store in `target` (an existing, empty directory)
    /// behind a write barrier: the copy holds every write committed before the call, and
    /// is on disk when this returns. Only the sled store can.
    fn backup(&self, _target: &std::path::Path) -> Result<BackupReport, StoreError> {
        Err(StoreError("this store cannot be backed up".into()))
    }
    /// Refuses a write the store cannot take now: disk space below the watermark, or a
    /// store that has failed (see [`space`]). Checked by [`transact`](trait.Store.html).
    fn admit_write(&self) -> Result<(), AppError> {
        Ok(())
    }
    /// Why the store failed, if it did (see [`space::Failure`]): no write is attempted then.
    fn failure_reason(&self) -> Option<String> {
        None
    }
    /// The store's condition for `/healthz`, `/metrics` and the UI.
    fn health(&self) -> StoreHealth {
        StoreHealth::default()
    }
    /// Whether the store holds no users yet (decides the demo data load).
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.scan_prefix(Tree::UseridUser, &[], None, 1)?.is_empty())
    }
}

/// What the store says of itself: free space and whether writes are refused, and the
/// reason it failed, if it did.
#[derive(Debug, Clone, Default)]
pub struct StoreHealth {
    pub space: Option<space::SpaceStatus>,
    pub failed: Option<String>,
}

impl StoreHealth {
    /// Whether a request that writes would be refused now.
    pub fn writes_refused(&self) -> bool {
        self.failed.is_some() || self.space.is_some_and(|s| s.writes_refused)
    }
}

impl dyn Store {
    /// Atomic, durable write: runs `body` in one transaction over `trees`, waits for the
    /// group commit, and returns the body's value. Refusals (`AppError`) leave nothing written.
    /// Refused with 507 while disk space is below the watermark (`Store::admit_write`).
    pub fn transact<T>(
        &self,
        trees: &[Tree],
        body: impl Fn(&dyn Txn) -> Result<T, TxError>,
    ) -> Result<T, AppError> {
        self.admit_write()?;
        let Some(rider) = rider::current() else {
            return self.transact_upkeep(trees, body);
        };
        let mut all = trees.to_vec();
        all.extend(rider.trees().filter(|t| !trees.contains(t)));
        let out = self.transact_upkeep(&all, |tx| {
            let value = body(tx)?;
            rider.write(tx)?;
            Ok(value)
        })?;
        rider::taken();
        Ok(out)
    }

    /// [`transact`](Self::transact) without the free-space watermark, for the server's own
    /// small writes that must go on while members' writes are refused, so that reading
    /// still works and nothing is done twice: sessions (logging in and out), taking sent
    /// mail off the queue (or it would be sent again), the search index's marks. A store
    /// that failed refuses them too.
    pub fn transact_upkeep<T>(
        &self,
        trees: &[Tree],
        body: impl Fn(&dyn Txn) -> Result<T, TxError>,
    ) -> Result<T, AppError> {
        let out = self.transact_relaxed(trees, body)?;
        self.wait_durable()?;
        Ok(out)
    }

    /// A server's own write that need not be durable before it returns: it reaches the disk
    /// with the next flush (an Idempotency-Key's answer, which a crash may lose: the retry
    /// is then told the work was done, never does it again). Not subject to the watermark.
    pub fn transact_relaxed<T>(
        &self,
        trees: &[Tree],
        body: impl Fn(&dyn Txn) -> Result<T, TxError>,
    ) -> Result<T, AppError> {
        // Only the failure: the free-space reading is for members' writes (`admit_write`).
        if let Some(reason) = self.failure_reason() {
            return Err(AppError::StoreFailed(reason));
        }
        let out = std::cell::RefCell::new(None);
        let wrapped = |tx: &dyn Txn| {
            let value = body(tx)?;
            *out.borrow_mut() = Some(value);
            Ok(())
        };
        match self.run_transaction(trees, &wrapped) {
            Ok(()) => {}
            Err(TxError::Abort(e)) => return Err(e),
            Err(TxError::Backend(e)) => return Err(AppError::internal(e)),
        }
        out.into_inner()
            .ok_or_else(|| AppError::internal("transaction committed without a value"))
    }

    /// A consistent read of several keys (e.g. a counter and the sequence number it goes
    /// with): a transaction that writes nothing, so it is retried on conflict like any other
    /// and never sees half of a write, and waits for no flush.
    pub fn read<T>(
        &self,
        trees: &[Tree],
        body: impl Fn(&dyn Txn) -> Result<T, TxError>,
    ) -> Result<T, AppError> {
        let out = std::cell::RefCell::new(None);
        let wrapped = |tx: &dyn Txn| {
            *out.borrow_mut() = Some(body(tx)?);
            Ok(())
        };
        match self.run_transaction(trees, &wrapped) {
            Ok(()) => {}
            Err(TxError::Abort(e)) => return Err(e),
            Err(TxError::Backend(e)) => return Err(AppError::internal(e)),
        }
        out.into_inner()
            .ok_or_else(|| AppError::internal("read transaction ended without a value"))
    }

    pub fn get_json<T: DeserializeOwned>(
        &self,
        tree: Tree,
        key: &[u8],
    ) -> Result<Option<T>, AppError> {
        self.get(tree, key)?.map(|v| decode(&v)).transpose()
    }

    /// Like [`Store::scan_prefix`], decoding each value.
    pub fn scan_json<T: DeserializeOwned>(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, T)>, AppError> {
        self.scan_prefix(tree, prefix, after, limit)?
            .into_iter()
            .map(|(k, v)| Ok((k, decode(&v)?)))
            .collect()
    }
}

impl dyn Txn + '_ {
    /// Reads an 8-byte big-endian counter (0 when absent).
    pub fn get_u64(&self, tree: Tree, key: &[u8]) -> Result<u64, TxError> {
        Ok(self.get(tree, key)?.map(|v| be_u64(&v)).unwrap_or(0))
    }

    pub fn put_u64(&self, tree: Tree, key: &[u8], value: u64) -> Result<(), TxError> {
        self.insert(tree, key, value.to_be_bytes().to_vec())
    }

    pub fn get_json<T: DeserializeOwned>(
        &self,
        tree: Tree,
        key: &[u8],
    ) -> Result<Option<T>, TxError> {
        match self.get(tree, key)? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    pub fn put_json<T: Serialize>(&self, tree: Tree, key: &[u8], value: &T) -> Result<(), TxError> {
        self.insert(tree, key, encode(value)?)
    }
}

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(value).map_err(AppError::internal)
}

/// Reads a value written by `encode`. `T` may borrow its strings from `bytes` (a search
/// rebuild reads every member without copying what it only looks at).
pub fn decode<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(AppError::internal)
}

/// Reads a big-endian u64 from the first 8 bytes (0 if shorter).
pub fn be_u64(bytes: &[u8]) -> u64 {
    bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

/// Concatenates key parts (fixed-width ids, or a final variable-length part).
pub fn key(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[cfg(test)]
mod contract_tests;
