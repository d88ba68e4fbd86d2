//! Registration, login, sessions and logout.
//!
//! Answers never reveal whether an e-mail is registered: registering a taken address answers
//! exactly like a new one (and creates nothing), and a login with an unknown address spends
//! the same Argon2 time as a wrong password. Session tokens are random 256-bit values; only
//! their BLAKE2b hash is stored, so a copy of the database holds no usable session.

use std::net::IpAddr;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use blake2::{Blake2b, Digest};
use garde::Validate;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use super::{hex, passwords, text, Core};
use crate::config::Limits;
use crate::domain::catalog;
use crate::domain::user::{normalise_email, User};
use crate::error::AppError;
use crate::ids::UserId;
use crate::live::bus::BusMessage;
use crate::search::{self, DocRef};
use crate::store::{key, Tree, TxError};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[garde(context(Limits as ctx))]
pub struct RegisterInput {
    #[garde(length(chars, min = 1, max = ctx.display_name_chars))]
    pub display_name: String,
    #[garde(email, length(max = ctx.email_chars))]
    pub email: String,
    #[garde(length(chars, min = ctx.password_min_chars, max = ctx.password_max_chars))]
    pub password: String,
    /// Optional at registration; the NSO of this country validates the member.
    #[garde(skip)]
    pub country: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[garde(context(Limits as ctx))]
pub struct LoginInput {
    #[garde(length(min = 1, max = ctx.email_chars))]
    pub email: String,
    #[garde(length(chars, min = 1, max = ctx.password_max_chars))]
    pub password: String,
}

/// How the client proves itself on later requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// HttpOnly cookie; state-changing requests must carry the CSRF token.
    Browser,
    /// `Authorization: Bearer` token for API clients; no ambient credential, so no CSRF.
    Bearer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub user: UserId,
    pub kind: SessionKind,
    /// Only browser sessions have one.
    pub csrf: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
}

/// A session just created: the token is handed to the client once and never stored.
pub struct NewSession {
    pub token: String,
    pub session: Session,
    pub user: User,
}

/// An authenticated request's identity.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    pub session: Session,
    pub token_hash: Vec<u8>,
}

fn token_hash(token: &str) -> Vec<u8> {
    Blake2b::<blake2::digest::consts::U32>::digest(token.as_bytes()).to_vec()
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn check_country(country: Option<&str>) -> Result<(), AppError> {
    match country {
        Some(c) if !catalog::is_country(c) => Err(AppError::Validation(format!(
            "country: '{c}' is not an eTwinning country code"
        ))),
        _ => Ok(()),
    }
}

/// Creates the account unless the e-mail is taken; the answer is the same either way.
pub fn register(core: &Core, input: RegisterInput, addr: IpAddr) -> Result<(), AppError> {
    let now = core.clock.now();
    let addr_key = crate::net::throttle_key(addr);
    let mut input = input;
    input.email = input.email.trim().to_string();
    input.validate_with(&core.config.limits)?;
    text::single_line("display_name", &input.display_name)?;
    text::single_line("email", &input.email)?;
    check_country(input.country.as_deref())?;
    core.rate_limits
        .registrations_per_address
        .acquire(&addr_key, now)?;

    let email = normalise_email(&input.email);
    let password_hash = passwords::hash(&input.password)?;
    let id = UserId(core.store.next_id()?);
    let display_name = input.display_name.trim().to_string();
    let user = User::new_member(id, email, password_hash, display_name, input.country, now);
    let created = insert_user(core, &user)?;
    if created {
        tracing::info!(user = %id, "member registered");
    } else {
        tell_owner_of_attempt(core, &user.email)?;
    }
    Ok(())
}

/// Someone registered with an address that already has an account. The answer to the caller
/// is the same as for a new account (it must not reveal who is registered), so the owner is
/// told by e-mail instead, at most `auth.registration_notices_per_address` times per
/// registration window (an attacker cannot flood a member's inbox this way).
fn tell_owner_of_attempt(core: &Core, email: &str) -> Result<(), AppError> {
    let throttle = &core.rate_limits.registration_notices;
    if throttle.acquire(email, core.clock.now()).is_err() {
        return Ok(());
    }
    let Some(owner) = user_by_email(core, email)? else {
        return Ok(());
    };
    let notice = crate::mail::OutgoingMail {
        to_address: owner.email.clone(),
        to_name: owner.profile.display_name.clone(),
        subject: "Someone tried to register on Twinhub with your e-mail address".into(),
        body: format!(
            "Hello {},\n\nSomeone just tried to create a Twinhub account with this e-mail address, which already has one: yours. Nothing was changed.\n\nIf it was you, simply log in with your existing account. If it was not you, you can ignore this message; nobody can use your account without your password.\n",
            owner.profile.display_name
        ),
        reply_to: None,
        kind: crate::mail::MailKind::Notice,
    };
    crate::mail::send(core, &notice)?;
    Ok(())
}

/// Writes a new user and its indexes unless the e-mail is taken; says whether it did.
pub fn insert_user(core: &Core, user: &User) -> Result<bool, AppError> {
    let inserted = core.store.transact(
        &[
            Tree::UseridUser,
            Tree::EmailUserid,
            Tree::CountryUserid,
            Tree::SearchPending,
        ],
        |tx| {
            if tx.get(Tree::EmailUserid, user.email.as_bytes())?.is_some() {
                return Ok(false);
            }
            tx.put_json(Tree::UseridUser, &user.id.key(), user)?;
            search::mark(tx, DocRef::User(user.id))?;
            tx.insert(
                Tree::EmailUserid,
                user.email.as_bytes(),
                user.id.key().to_vec(),
            )?;
            if let Some(c) = &user.profile.country {
                tx.insert(
                    Tree::CountryUserid,
                    &key(&[c.as_bytes(), &user.id.key()]),
                    vec![],
                )?;
            }
            Ok(true)
        },
    )?;
    core.search.changed();
    Ok(inserted)
}

pub fn user_by_email(core: &Core, email: &str) -> Result<Option<User>, AppError> {
    let Some(id) = core
        .store
        .get(Tree::EmailUserid, normalise_email(email).as_bytes())?
    else {
        return Ok(None);
    };
    match UserId::from_key(&id) {
        Some(id) => core.user(id).map(Some),
        None => Err(AppError::internal("malformed email index entry")),
    }
}

/// Checks the credentials and opens a session. Throttled per (account, address) first, so
/// a stranger guessing a member's password is stopped without locking the member out at
/// their own address; then per address (guessing over many accounts) and per account, a
/// much higher ceiling (guessing from many addresses).
pub fn login(
    core: &Core,
    input: LoginInput,
    addr: IpAddr,
    kind: SessionKind,
) -> Result<NewSession, AppError> {
    input.validate_with(&core.config.limits)?;
    let account_key = normalise_email(&input.email);
    let attempt = count_login_attempt(core, &account_key, addr)?;
    let user = user_by_email(core, &input.email)?;
    let ok = match &user {
        Some(u) => passwords::verify(&input.password, &u.password_hash),
        None => {
            passwords::verify_against_nothing(&input.password);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        metrics::counter!("twinhub_login_failures_total").increment(1);
        return Err(AppError::InvalidCredentials);
    };
    attempt.succeeded(core);
    open_session(core, user, kind)
}

/// A login attempt counted against its three throttles (see [`login`]).
struct LoginAttempt {
    /// The (account, address) key: the address first, as it holds no space.
    pair: String,
    /// The address's throttle key (an IPv6 address counts by its /64: `net::throttle_key`).
    addr: String,
    account: String,
}

/// Counts an attempt before its password is checked, or refuses it when any throttle is
/// full (taking back what it counted, so a refused attempt costs no allowance).
fn count_login_attempt(core: &Core, account: &str, addr: IpAddr) -> Result<LoginAttempt, AppError> {
    let now = core.clock.now();
    let limits = &core.rate_limits;
    let addr = crate::net::throttle_key(addr);
    let attempt = LoginAttempt {
        pair: format!("{addr} {account}"),
        addr,
        account: account.to_string(),
    };
    limits
        .login_per_account_address
        .acquire(&attempt.pair, now)?;
    if let Err(e) = limits.login_per_address.acquire(&attempt.addr, now) {
        limits.login_per_account_address.release_one(&attempt.pair);
        return Err(e);
    }
    if let Err(e) = limits.login_per_account.acquire(&attempt.account, now) {
        limits.login_per_account_address.release_one(&attempt.pair);
        limits.login_per_address.release_one(&attempt.addr);
        return Err(e);
    }
    Ok(attempt)
}

impl LoginAttempt {
    /// A success is not a failure: it takes back its own attempt, and forgives the account's
    /// failures from this address (the member's typos). The account's failures from other
    /// addresses stay counted: logging in does not hand a guesser a fresh ceiling.
    fn succeeded(&self, core: &Core) {
        let limits = &core.rate_limits;
        limits.login_per_account_address.clear(&self.pair);
        limits.login_per_address.release_one(&self.addr);
        limits.login_per_account.release_one(&self.account);
    }
}

pub fn open_session(core: &Core, user: User, kind: SessionKind) -> Result<NewSession, AppError> {
    let now = core.clock.now();
    let token = random_token();
    let hash = token_hash(&token);
    let session = Session {
        user: user.id,
        kind,
        csrf: (kind == SessionKind::Browser).then(random_token),
        created_at: now,
        last_seen_at: now,
    };
    core.store
        .transact_upkeep(&[Tree::SessionhashSession, Tree::UseridSessionhash], |tx| {
            tx.put_json(Tree::SessionhashSession, &hash, &session)?;
            tx.insert(
                Tree::UseridSessionhash,
                &key(&[&user.id.key(), &hash]),
                vec![],
            )?;
            Ok(())
        })?;
    Ok(NewSession {
        token,
        session,
        user,
    })
}

/// Resolves a token to its member, enforcing the idle and absolute expiry.
pub fn authenticate(core: &Core, token: &str) -> Result<Authenticated, AppError> {
    let hash = token_hash(token);
    let Some(mut session) = core
        .store
        .get_json::<Session>(Tree::SessionhashSession, &hash)?
    else {
        return Err(AppError::Unauthenticated);
    };
    let now = core.clock.now();
    let auth = &core.config.auth;
    let idle = now - session.last_seen_at > Duration::seconds(auth.session_idle_secs);
    let too_old = now - session.created_at > Duration::seconds(auth.session_absolute_secs);
    if idle || too_old {
        end_session(core, session.user, &hash)?;
        return Err(AppError::Unauthenticated);
    }
    let user = match core.user(session.user) {
        Ok(u) => u,
        Err(AppError::NotFound(_)) => return Err(AppError::Unauthenticated),
        Err(e) => return Err(e),
    };
    if now - session.last_seen_at >= Duration::seconds(auth.session_touch_interval_secs) {
        // Losing a last-seen update in a crash only shortens the session: no need to wait.
        session.last_seen_at = now;
        core.store.insert_relaxed(
            Tree::SessionhashSession,
            &hash,
            crate::store::encode(&session)?,
        )?;
    }
    Ok(Authenticated {
        user,
        session,
        token_hash: hash,
    })
}

/// Ends the session; its open sockets are closed at once.
pub fn logout(core: &Core, who: &Authenticated) -> Result<(), AppError> {
    end_session(core, who.user.id, &who.token_hash)?;
    core.bus.publish(vec![BusMessage::SessionEnded {
        token_hash: who.token_hash.clone(),
    }]);
    Ok(())
}

fn end_session(core: &Core, user: UserId, hash: &[u8]) -> Result<(), AppError> {
    core.store
        .transact_upkeep(&[Tree::SessionhashSession, Tree::UseridSessionhash], |tx| {
            tx.remove(Tree::SessionhashSession, hash)?;
            tx.remove(Tree::UseridSessionhash, &key(&[&user.key(), hash]))?;
            Ok::<(), TxError>(())
        })
}

/// Constant-time comparison, so the CSRF check leaks nothing through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;
    use std::net::Ipv4Addr;

    const ADDR: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn register_input(email: &str) -> RegisterInput {
        RegisterInput {
            display_name: "Ann".into(),
            email: email.into(),
            password: "a long enough password".into(),
            country: Some("FR".into()),
        }
    }

    /// Ann's login with her right password (she registers with `register_input("ann@x.eu")`).
    fn ann_login(core: &Core, kind: SessionKind) -> Result<NewSession, AppError> {
        let input = login_input("ann@x.eu", "a long enough password");
        login(core, input, ADDR, kind)
    }

    fn login_input(email: &str, password: &str) -> LoginInput {
        LoginInput {
            email: email.into(),
            password: password.into(),
        }
    }

    #[test]
    fn a_taken_email_answers_the_same_and_keeps_the_first_account() {
        let (core, _) = testing::core();
        register(&core, register_input("ann@x.eu"), ADDR).unwrap();
        let mut again = register_input("ANN@x.eu");
        again.password = "another long password".into();
        register(&core, again, ADDR).unwrap();
        ann_login(&core, SessionKind::Bearer).unwrap();
        let err = login(
            &core,
            login_input("ann@x.eu", "another long password"),
            ADDR,
            SessionKind::Bearer,
        );
        assert!(matches!(err, Err(AppError::InvalidCredentials)));
    }

    fn wrong_login(core: &Core, addr: IpAddr) -> Result<NewSession, AppError> {
        let input = login_input("ann@x.eu", "wrong password!");
        login(core, input, addr, SessionKind::Bearer)
    }

    fn right_login(core: &Core, addr: IpAddr) -> Result<NewSession, AppError> {
        let input = login_input("ann@x.eu", "a long enough password");
        login(core, input, addr, SessionKind::Bearer)
    }

    #[test]
    fn a_strangers_failures_do_not_lock_the_member_out_at_their_own_address() {
        let (core, _) = testing::core();
        register(&core, register_input("ann@x.eu"), ADDR).unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..core.config.auth.login_failures_per_account_address {
            let r = wrong_login(&core, stranger);
            assert!(matches!(r, Err(AppError::InvalidCredentials)));
        }
        let r = right_login(&core, stranger);
        assert!(
            matches!(r, Err(AppError::RateLimited { .. })),
            "even the right password waits at the guessing address"
        );
        right_login(&core, ADDR).expect("the member's own address is not locked");
    }

    #[test]
    fn failures_from_many_addresses_reach_the_account_ceiling() {
        let (core, _) = testing::core();
        register(&core, register_input("ann@x.eu"), ADDR).unwrap();
        let auth = &core.config.auth;
        let per_pair = auth.login_failures_per_account_address;
        let addresses = auth.login_failures_per_account.div_ceil(per_pair);
        let mut failures = 0;
        for i in 0..addresses {
            let addr = IpAddr::V4(Ipv4Addr::new(10, 0, (i / 256) as u8, (i % 256) as u8));
            for _ in 0..per_pair {
                if failures < auth.login_failures_per_account {
                    let r = wrong_login(&core, addr);
                    assert!(matches!(r, Err(AppError::InvalidCredentials)));
                    failures += 1;
                }
            }
        }
        let r = right_login(&core, ADDR);
        assert!(
            matches!(r, Err(AppError::RateLimited { .. })),
            "the ceiling holds for every address"
        );
    }

    #[test]
    fn ipv6_guesses_from_one_64_count_as_one_address() {
        let (core, _) = testing::core();
        register(&core, register_input("ann@x.eu"), ADDR).unwrap();
        for i in 0..core.config.auth.login_failures_per_account_address {
            let fresh: IpAddr = format!("2001:db8::{:x}", i + 1).parse().unwrap();
            let r = wrong_login(&core, fresh);
            assert!(matches!(r, Err(AppError::InvalidCredentials)));
        }
        let r = right_login(&core, "2001:db8::ffff".parse().unwrap());
        assert!(matches!(r, Err(AppError::RateLimited { .. })));
        right_login(&core, "2001:db8:0:1::1".parse().unwrap()).expect("another /64");
    }

    #[test]
    fn a_success_forgives_the_members_own_typos() {
        let (core, _) = testing::core();
        register(&core, register_input("ann@x.eu"), ADDR).unwrap();
        let per_pair = core.config.auth.login_failures_per_account_address;
        for _ in 0..2 {
            for _ in 1..per_pair {
                let r = wrong_login(&core, ADDR);
                assert!(matches!(r, Err(AppError::InvalidCredentials)));
            }
            right_login(&core, ADDR).expect("under the limit");
        }
    }

    #[test]
    fn sessions_expire_when_idle_and_when_old() {
        let (core, clock) = testing::core();
        register(&core, register_input("ann@x.eu"), ADDR).unwrap();
        let s = ann_login(&core, SessionKind::Browser).unwrap();
        assert!(s.session.csrf.is_some());
        let idle = core.config.auth.session_idle_secs;
        clock.advance(Duration::seconds(idle - 10));
        authenticate(&core, &s.token).unwrap();
        clock.advance(Duration::seconds(idle - 10));
        authenticate(&core, &s.token).expect("use refreshed the idle timer");
        clock.advance(Duration::seconds(idle + 1));
        assert!(matches!(
            authenticate(&core, &s.token),
            Err(AppError::Unauthenticated)
        ));

        let s = ann_login(&core, SessionKind::Bearer).unwrap();
        let absolute = core.config.auth.session_absolute_secs;
        let step = idle / 2;
        let mut elapsed = 0;
        while elapsed + step <= absolute {
            clock.advance(Duration::seconds(step));
            elapsed += step;
            authenticate(&core, &s.token).unwrap();
        }
        clock.advance(Duration::seconds(step));
        assert!(matches!(
            authenticate(&core, &s.token),
            Err(AppError::Unauthenticated)
        ));
    }

    #[test]
    fn logout_ends_the_session_and_tokens_are_not_stored() {
        let (core, _) = testing::core();
        register(&core, register_input("ann@x.eu"), ADDR).unwrap();
        let s = ann_login(&core, SessionKind::Bearer).unwrap();
        assert!(core
            .store
            .get(Tree::SessionhashSession, s.token.as_bytes())
            .unwrap()
            .is_none());
        let who = authenticate(&core, &s.token).unwrap();
        logout(&core, &who).unwrap();
        assert!(matches!(
            authenticate(&core, &s.token),
            Err(AppError::Unauthenticated)
        ));
    }

    #[test]
    fn registration_input_is_validated() {
        let (core, _) = testing::core();
        let mut bad = register_input("not-an-email");
        assert!(matches!(
            register(&core, bad, ADDR),
            Err(AppError::Validation(_))
        ));
        bad = register_input("a@b.eu");
        bad.password = "short".into();
        assert!(matches!(
            register(&core, bad, ADDR),
            Err(AppError::Validation(_))
        ));
        bad = register_input("a@b.eu");
        bad.country = Some("XX".into());
        assert!(matches!(
            register(&core, bad, ADDR),
            Err(AppError::Validation(_))
        ));
        assert!(core.store.is_empty().unwrap(), "refusals write nothing");
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
