//! NSO work (R1): officers validate, un-validate or refuse members of their own country;
//! platform admins appoint and remove officers.

use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::profiles::load;
use super::{notifications, text, Core, Page, PageQuery};
use crate::config::Limits;
use crate::domain::catalog;
use crate::domain::event::NotificationKind;
use crate::domain::user::{PublicProfile, Refusal, User, Validation};
use crate::error::AppError;
use crate::ids::NotificationId;
use crate::ids::UserId;
use crate::search::{self, DocRef};
use crate::store::{Tree, TxError};

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ValidationFilter {
    /// Members waiting for validation: neither validated nor refused.
    #[default]
    Pending,
    Validated,
    /// Members the NSO refused to validate.
    Refused,
    All,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MembersQuery {
    pub status: Option<ValidationFilter>,
    /// Items per page (default and maximum in config.toml).
    pub limit: Option<usize>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

impl MembersQuery {
    pub fn page(&self) -> PageQuery {
        PageQuery {
            limit: self.limit,
            after: self.after.clone(),
        }
    }
}

fn officer_country(actor: &User) -> Result<&str, AppError> {
    actor
        .nso_country
        .as_deref()
        .ok_or_else(|| AppError::Forbidden("only NSO officers can do this".into()))
}

/// The officer's country's members, filtered by validation state, in id order.
pub fn members(
    core: &Core,
    actor: &User,
    query: &MembersQuery,
) -> Result<Page<PublicProfile>, AppError> {
    let country = officer_country(actor)?;
    let filter = query.status.unwrap_or_default();
    let limit = query.page().limit(&core.config);
    let mut after = query.page().after_key()?;
    let mut rows = Vec::new();
    // Filtering happens after the scan, so keep scanning until the page is full.
    while rows.len() <= limit {
        let batch = core.store.scan_prefix(
            Tree::CountryUserid,
            country.as_bytes(),
            after.as_deref(),
            limit + 1,
        )?;
        let Some((last, _)) = batch.last() else { break };
        after = Some(last.clone());
        for (k, _) in batch {
            let Some(id) = UserId::from_key(&k[country.len()..]) else {
                continue;
            };
            let user = core.user(id)?;
            let keep = match filter {
                // Staff (officers, administrators) are not teachers waiting for validation.
                ValidationFilter::Pending => {
                    user.validation.is_none()
                        && user.refusal.is_none()
                        && user.nso_country.is_none()
                        && !user.admin
                }
                ValidationFilter::Validated => user.validation.is_some(),
                ValidationFilter::Refused => user.refusal.is_some(),
                ValidationFilter::All => true,
            };
            if keep && rows.len() <= limit {
                rows.push((k, user.public_view()));
            }
        }
    }
    Ok(Page::from_rows(rows, limit))
}

/// Validates (or withdraws the validation of) a member of the officer's own country.
/// Validating a member the NSO had refused clears the refusal: an NSO may change its mind.
pub fn set_validation(
    core: &Core,
    actor: &User,
    member: UserId,
    validated: bool,
) -> Result<PublicProfile, AppError> {
    let country = officer_country(actor)?.to_string();
    let now = core.clock.now();
    let notification_id = NotificationId(core.store.next_id()?);
    let mut trees = vec![Tree::UseridUser, Tree::SearchPending];
    trees.extend(notifications::TREES);
    let (user, event) = core.store.transact(&trees, |tx| {
        let mut user = load(tx, member)?;
        // Checked inside the transaction: the member's country cannot change under us.
        if !actor.can_validate(&user) {
            return Err(TxError::Abort(AppError::Forbidden(format!(
                "NSO officers of {country} can only validate members whose profile country is {country}"
            ))));
        }
        let was_validated = user.validation.is_some();
        if validated {
            user.refusal = None;
        }
        user.validation = match (validated, user.validation.take()) {
            (true, Some(existing)) => Some(existing),
            (true, None) => Some(Validation { by: actor.id, at: now }),
            (false, _) => None,
        };
        tx.put_json(Tree::UseridUser, &member.key(), &user)?;
        // The result card says whether the member is an eTwinner.
        search::mark(tx, DocRef::User(member))?;
        let what = match (was_validated, validated) {
            (false, true) => NotificationKind::Validated { country: country.clone(), by: actor.id },
            (true, false) => NotificationKind::ValidationWithdrawn { country: country.clone(), by: actor.id },
            _ => return Ok((user, None)),
        };
        let event = notifications::notify(core, tx, member, notification_id, what, now)?;
        Ok((user, Some(event)))
    })?;
    core.search.changed();
    // Published only now that the change is durable.
    notifications::publish(core, member, event.into_iter().collect());
    tracing::info!(officer = %actor.id, member = %member, validated, "validation changed");
    Ok(user.public_view())
}

/// Why an officer refuses to validate a member; the whole body is optional.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[garde(context(Limits as ctx))]
#[serde(deny_unknown_fields)]
pub struct RefusalInput {
    /// Shown to the member (at most `limits.refusal_reason_chars` characters).
    #[garde(length(chars, max = ctx.refusal_reason_chars))]
    #[serde(default)]
    pub reason: Option<String>,
}

/// Refuses to validate a member of the officer's own country, with a reason the member is
/// told. The NSO's list needs "refuse" beside "validate": without it a member the NSO will
/// not validate stays pending for ever, and never learns why. A validated member cannot be
/// refused (409): withdraw the validation first, so the two never hold at once. Refusing
/// again with another reason records it and tells the member again; with the same reason it
/// changes nothing.
pub fn refuse(
    core: &Core,
    actor: &User,
    member: UserId,
    input: RefusalInput,
) -> Result<PublicProfile, AppError> {
    let country = officer_country(actor)?.to_string();
    input.validate_with(&core.config.limits)?;
    text::multi_line_opt("reason", input.reason.as_deref())?;
    let reason = input
        .reason
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_string();
    let now = core.clock.now();
    let notification_id = NotificationId(core.store.next_id()?);
    let mut trees = vec![Tree::UseridUser];
    trees.extend(notifications::TREES);
    let (user, event) = core.store.transact(&trees, |tx| {
        let mut user = load(tx, member)?;
        // Checked inside the transaction, as for validation.
        if !actor.can_validate(&user) {
            return Err(TxError::Abort(AppError::Forbidden(format!(
                "NSO officers of {country} can only refuse members whose profile country is {country}"
            ))));
        }
        if user.validation.is_some() {
            return Err(TxError::Abort(AppError::Conflict(
                "the member is validated: withdraw the validation before refusing".into(),
            )));
        }
        if user.refusal.as_ref().is_some_and(|r| r.reason == reason) {
            return Ok((user, None));
        }
        user.refusal = Some(Refusal {
            by: actor.id,
            at: now,
            reason: reason.clone(),
        });
        tx.put_json(Tree::UseridUser, &member.key(), &user)?;
        let what = NotificationKind::ValidationRefused {
            country: country.clone(),
            by: actor.id,
            reason: reason.clone(),
        };
        let event = notifications::notify(core, tx, member, notification_id, what, now)?;
        Ok((user, Some(event)))
    })?;
    // Published only now that the change is durable.
    notifications::publish(core, member, event.into_iter().collect());
    tracing::info!(officer = %actor.id, member = %member, "validation refused");
    Ok(user.public_view())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AppointInput {
    pub user_id: UserId,
    /// The country whose NSO the member will work for.
    pub country: String,
}

fn ensure_admin(actor: &User) -> Result<(), AppError> {
    if actor.admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only platform administrators can do this".into(),
        ))
    }
}

/// Makes a member an NSO officer of `country` (or removes the role with `None`).
pub fn set_officer(
    core: &Core,
    actor: &User,
    member: UserId,
    country: Option<String>,
) -> Result<PublicProfile, AppError> {
    ensure_admin(actor)?;
    if let Some(c) = &country {
        if !catalog::is_country(c) {
            return Err(AppError::Validation(format!(
                "country: '{c}' is not an eTwinning country code"
            )));
        }
    }
    let user = core.store.transact(&[Tree::UseridUser], |tx| {
        let mut user = load(tx, member)?;
        user.nso_country = country.clone();
        tx.put_json(Tree::UseridUser, &member.key(), &user)?;
        Ok(user)
    })?;
    tracing::info!(admin = %actor.id, member = %member, country = ?country, "NSO appointment changed");
    Ok(user.public_view())
}

/// Makes an existing member a platform administrator (used by `twinhub admin create`).
pub fn make_admin(core: &Core, member: UserId) -> Result<(), AppError> {
    core.store.transact(&[Tree::UseridUser], |tx| {
        let mut user = load(tx, member)?;
        user.admin = true;
        tx.put_json(Tree::UseridUser, &member.key(), &user)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;

    #[test]
    fn officers_validate_their_country_only() {
        let (core, _) = testing::core();
        let admin = testing::member(&core, "admin@x.eu", "FR");
        make_admin(&core, admin.id).unwrap();
        let admin = core.user(admin.id).unwrap();
        let officer = testing::member(&core, "nso@x.eu", "FR");
        set_officer(&core, &admin, officer.id, Some("FR".into())).unwrap();
        let officer = core.user(officer.id).unwrap();
        let fr = testing::member(&core, "fr@x.eu", "FR");
        let de = testing::member(&core, "de@x.eu", "DE");

        assert!(
            set_validation(&core, &officer, fr.id, true)
                .unwrap()
                .roles
                .etwinner
        );
        assert_eq!(
            notifications::unread(&core, fr.id).unwrap().unread,
            1,
            "the teacher is notified"
        );
        set_validation(&core, &officer, fr.id, true).unwrap();
        assert_eq!(
            notifications::unread(&core, fr.id).unwrap().unread,
            1,
            "no change, no notification"
        );
        assert!(matches!(
            set_validation(&core, &officer, de.id, true),
            Err(AppError::Forbidden(_))
        ));
        assert!(core.user(de.id).unwrap().validation.is_none());
        assert!(matches!(
            set_validation(&core, &fr, de.id, true),
            Err(AppError::Forbidden(_))
        ));
        assert!(
            !set_validation(&core, &officer, fr.id, false)
                .unwrap()
                .roles
                .etwinner
        );
    }

    #[test]
    fn only_admins_appoint_officers() {
        let (core, _) = testing::core();
        let a = testing::member(&core, "a@x.eu", "FR");
        let b = testing::member(&core, "b@x.eu", "FR");
        assert!(matches!(
            set_officer(&core, &a, b.id, Some("FR".into())),
            Err(AppError::Forbidden(_))
        ));
        make_admin(&core, a.id).unwrap();
        let a = core.user(a.id).unwrap();
        assert!(matches!(
            set_officer(&core, &a, b.id, Some("XX".into())),
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            set_officer(&core, &a, UserId(9999), Some("FR".into())),
            Err(AppError::NotFound(_))
        ));
    }

    #[test]
    fn pending_lists_page_through_filtered_members() {
        let (core, _) = testing::core();
        let admin = testing::member(&core, "admin@x.eu", "DE");
        make_admin(&core, admin.id).unwrap();
        let admin = core.user(admin.id).unwrap();
        let officer = testing::member(&core, "nso@x.eu", "DE");
        set_officer(&core, &admin, officer.id, Some("FR".into())).unwrap();
        let officer = core.user(officer.id).unwrap();
        let ids: Vec<UserId> = (0..7)
            .map(|i| testing::member(&core, &format!("t{i}@x.eu"), "FR").id)
            .collect();
        for id in ids.iter().step_by(2) {
            set_validation(&core, &officer, *id, true).unwrap();
        }
        let mut seen = vec![];
        let mut after = None;
        loop {
            let q = MembersQuery {
                status: Some(ValidationFilter::Pending),
                limit: Some(2),
                after: after.clone(),
            };
            let page = members(&core, &officer, &q).unwrap();
            seen.extend(page.items.iter().map(|p| p.id));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, vec![ids[1], ids[3], ids[5]]);
    }
}
