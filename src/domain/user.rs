//! Members, their roles and profiles, and the pure rules about them (no I/O here).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::catalog::MemberType;
use crate::ids::UserId;

/// A registered member, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// Normalised (trimmed, lower-case). Private: never shown to other members.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub profile: Profile,
    /// Set by the NSO of the member's country (R1); cleared if the country changes.
    pub validation: Option<Validation>,
    /// Set when the NSO of the member's country refused to validate them; cleared when an NSO
    /// validates them after all, or when their country changes (a new NSO decides). Absent in
    /// records written before it existed, hence the default.
    #[serde(default)]
    pub refusal: Option<Refusal>,
    /// The country whose NSO this member works for, if any.
    pub nso_country: Option<String>,
    pub admin: bool,
    pub picture: Option<PictureMeta>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The UI language the member chose (ISO 639-1), so every browser they log in from starts
    /// in it. Private: a preference, not part of the profile. Absent in records written before
    /// it existed, hence the default.
    #[serde(default)]
    pub ui_language: Option<String>,
}

/// The public part of a member's profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Profile {
    pub display_name: String,
    /// eTwinning country code, e.g. `FR`; decides which NSO validates the member.
    pub country: Option<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    /// Subject codes from `GET /api/catalog`.
    pub subjects: Vec<String>,
    pub member_type: MemberType,
    pub bio: String,
    /// "Available for eTwinning projects": lets contacts pick this member as co-founder.
    pub available_for_projects: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Validation {
    /// The NSO officer who validated the member.
    pub by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// An NSO's refusal to validate a member, shown to the member so they know why and can fix
/// their profile (or talk to their NSO).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Refusal {
    /// The NSO officer who refused.
    pub by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Why, in the officer's words; empty when none was given.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PictureMeta {
    pub content_type: String,
    pub bytes: usize,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The roles a member holds, derived from the stored record.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Roles {
    /// Validated eTwinner: may add contacts, be a co-founder and found projects (R1).
    pub etwinner: bool,
    /// Country code of the NSO this member is an officer of.
    pub nso_officer: Option<String>,
    pub admin: bool,
}

impl User {
    /// A new member with an empty profile: no role, not validated, no picture.
    pub fn new_member(
        id: UserId,
        email: String,
        password_hash: String,
        display_name: String,
        country: Option<String>,
        created_at: OffsetDateTime,
    ) -> User {
        User {
            id,
            email,
            password_hash,
            profile: Profile {
                display_name,
                country,
                languages: vec![],
                subjects: vec![],
                member_type: MemberType::Teacher,
                bio: String::new(),
                available_for_projects: false,
            },
            validation: None,
            refusal: None,
            nso_country: None,
            admin: false,
            picture: None,
            created_at,
            ui_language: None,
        }
    }

    pub fn roles(&self) -> Roles {
        Roles {
            etwinner: self.validation.is_some(),
            nso_officer: self.nso_country.clone(),
            admin: self.admin,
        }
    }

    /// R1: an NSO officer validates members of their own country only.
    pub fn can_validate(&self, member: &User) -> bool {
        match (&self.nso_country, &member.profile.country) {
            (Some(nso), Some(country)) => nso == country,
            _ => false,
        }
    }

    pub fn public_view(&self) -> PublicProfile {
        PublicProfile {
            id: self.id,
            profile: self.profile.clone(),
            roles: self.roles(),
            picture_url: self.picture_url(),
            member_since: self.created_at,
        }
    }

    /// Where the profile picture is served, when there is one. Nanoseconds, so a picture
    /// replaced twice in one second still gets a new URL.
    pub fn picture_url(&self) -> Option<String> {
        self.picture
            .as_ref()
            .map(|p| picture_url(self.id, p.updated_at))
    }
}

/// The URL of a member's picture last changed at `updated_at` (see `User::picture_url`).
pub fn picture_url(id: UserId, updated_at: OffsetDateTime) -> String {
    format!(
        "/api/users/{id}/picture?v={}",
        updated_at.unix_timestamp_nanos()
    )
}

/// What every registered member may see of another member.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicProfile {
    pub id: UserId,
    #[serde(flatten)]
    pub profile: Profile,
    pub roles: Roles,
    /// Where the profile picture is served, when there is one.
    pub picture_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub member_since: OffsetDateTime,
}

/// A member's own view: the public profile plus private fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnProfile {
    #[serde(flatten)]
    pub public: PublicProfile,
    pub email: String,
    pub validation: Option<Validation>,
    /// The NSO's refusal to validate me, if it refused (null otherwise).
    pub refusal: Option<Refusal>,
    /// The UI language the member chose (ISO 639-1), null until they choose one.
    pub ui_language: Option<String>,
}

impl From<&User> for OwnProfile {
    fn from(u: &User) -> Self {
        OwnProfile {
            public: u.public_view(),
            email: u.email.clone(),
            validation: u.validation.clone(),
            refusal: u.refusal.clone(),
            ui_language: u.ui_language.clone(),
        }
    }
}

/// Trimmed, lower-cased e-mail: the one form used as a key.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Keeps the first occurrence of each code, in order: `["fr","en","fr"]` → `["fr","en"]`.
pub fn dedup_codes(codes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(codes.len());
    for c in codes {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(country: Option<&str>, nso: Option<&str>) -> User {
        let mut u = User::new_member(
            UserId(1),
            "a@b.c".into(),
            String::new(),
            "A".into(),
            country.map(Into::into),
            OffsetDateTime::UNIX_EPOCH,
        );
        u.nso_country = nso.map(Into::into);
        u
    }

    #[test]
    fn nso_validates_own_country_only() {
        let officer = user(Some("PL"), Some("FR"));
        assert!(officer.can_validate(&user(Some("FR"), None)));
        assert!(!officer.can_validate(&user(Some("PL"), None)));
        assert!(!officer.can_validate(&user(None, None)));
        assert!(!user(Some("FR"), None).can_validate(&user(Some("FR"), None)));
    }

    #[test]
    fn emails_normalise_and_codes_dedup() {
        assert_eq!(normalise_email("  Ann@Example.ORG "), "ann@example.org");
        let codes: Vec<String> = ["fr", "en", "fr"].map(String::from).to_vec();
        assert_eq!(dedup_codes(&codes), ["fr", "en"]);
    }

    #[test]
    fn records_stored_before_later_fields_still_load() {
        let mut stored = serde_json::to_value(user(Some("FR"), None)).unwrap();
        let fields = stored.as_object_mut().unwrap();
        for later in ["ui_language", "refusal"] {
            assert!(fields.remove(later).is_some(), "{later} is stored");
        }
        let old: User = serde_json::from_value(stored).expect("an old record loads");
        assert_eq!(old.ui_language, None);
        assert_eq!(old.refusal, None);
    }

    #[test]
    fn public_view_hides_private_fields() {
        let json = serde_json::to_value(user(Some("FR"), None).public_view()).unwrap();
        assert!(json.get("email").is_none());
        assert!(json.get("password_hash").is_none());
        assert!(json.get("ui_language").is_none());
        assert!(json.get("refusal").is_none());
        assert!(json.get("validation").is_none());
        assert_eq!(json["country"], "FR");
    }
}
