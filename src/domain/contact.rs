//! Contacts (R1, R2): requests, mutual contacts, blocks, and the pure rules about them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::user::User;

/// Where two members stand, seen from one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactState {
    /// Nothing between them.
    None,
    /// I asked; they have not answered.
    RequestSent,
    /// They asked; I have not answered.
    RequestReceived,
    /// Mutual contacts (R2).
    Contact,
}

/// A contact request, stored under its sender.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactRequest {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The recipient had blocked the sender: the request exists for the sender only, and the
    /// recipient never sees it (blocking is private).
    #[serde(default)]
    pub hidden: bool,
}

/// One side of a contact, stored under each member.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactTie {
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// Why a contact request is refused (R1): only validated eTwinners have contacts.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Yourself,
    NotValidatedYourself,
    NotValidated,
}

/// R1: a member may ask another for contact when both are validated eTwinners.
pub fn may_request(actor: &User, target: &User) -> Result<(), Refusal> {
    if actor.id == target.id {
        Err(Refusal::Yourself)
    } else if actor.validation.is_none() {
        Err(Refusal::NotValidatedYourself)
    } else if target.validation.is_none() {
        Err(Refusal::NotValidated)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::Validation;
    use crate::ids::UserId;

    fn member(id: u64, validated: bool) -> User {
        let mut u = User::new_member(
            UserId(id),
            format!("{id}@x.eu"),
            String::new(),
            format!("M{id}"),
            Some("FR".into()),
            OffsetDateTime::UNIX_EPOCH,
        );
        u.validation = validated.then_some(Validation {
            by: UserId(99),
            at: OffsetDateTime::UNIX_EPOCH,
        });
        u
    }

    #[test]
    fn only_validated_etwinners_connect() {
        let (a, b) = (member(1, true), member(2, true));
        assert_eq!(may_request(&a, &b), Ok(()));
        assert_eq!(may_request(&a, &a), Err(Refusal::Yourself));
        assert_eq!(
            may_request(&member(3, false), &b),
            Err(Refusal::NotValidatedYourself)
        );
        assert_eq!(
            may_request(&a, &member(4, false)),
            Err(Refusal::NotValidated)
        );
    }
}
