//! Schools (organisations) and the ties of members to them (R13).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::ids::{SchoolId, TieId, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct School {
    pub id: SchoolId,
    pub name: String,
    pub country: String,
    pub city: String,
    /// Set by the platform when the school is created; counts toward the School Label's
    /// "registered for more than two years" (R12).
    #[serde(with = "time::serde::rfc3339")]
    pub registered_at: OffsetDateTime,
    pub created_by: UserId,
}

/// One membership of a member in a school. Leaving sets `left_at`; the tie stays as history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tie {
    pub id: TieId,
    pub school: SchoolId,
    pub user: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub left_at: Option<OffsetDateTime>,
}

/// The key that finds an existing school: country, city and name, case- and space-folded,
/// so "Lycée  Victor Hugo" in "paris" matches "lycée victor hugo" in "Paris".
pub fn school_key(country: &str, city: &str, name: &str) -> String {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    format!("{}|{}|{}", country, fold(city), fold(name))
}

/// Years between two instants, counting only whole years (used by the School Label rule).
pub fn registered_for_more_than_years(
    registered_at: OffsetDateTime,
    now: OffsetDateTime,
    years: i32,
) -> bool {
    registered_at
        .replace_year(registered_at.year() + years)
        .map(|anniversary| anniversary < now)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn school_keys_fold_case_and_spaces() {
        assert_eq!(
            school_key("FR", " Paris ", "Lycée  Victor Hugo"),
            school_key("FR", "paris", "LYCÉE VICTOR HUGO")
        );
        assert_ne!(
            school_key("FR", "Paris", "A"),
            school_key("BE", "Paris", "A")
        );
    }

    #[test]
    fn two_years_means_more_than_two_whole_years() {
        let reg = datetime!(2023-05-01 0:00 UTC);
        assert!(!registered_for_more_than_years(
            reg,
            datetime!(2025-05-01 0:00 UTC),
            2
        ));
        assert!(registered_for_more_than_years(
            reg,
            datetime!(2025-05-02 0:00 UTC),
            2
        ));
    }
}
