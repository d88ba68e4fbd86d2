//! Partner-finding postings, "eTwinning project ideas" (R6), and their comments.
//!
//! A posting is shown until the end of its `visible_until` day (UTC); after that it leaves
//! lists and search for everyone but its author: the posting page checks the date, and the
//! indexer takes it out of the index at midnight.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::ids::{CommentId, PostingId, SchoolId, UserId};

// `YYYY-MM-DD` on the wire and in the store (time's default would be `[year, ordinal]`).
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

/// Whether the project the author has in mind is national (partners from their own country)
/// or European (partners from other countries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    National,
    European,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::National => "national",
            Scope::European => "european",
        }
    }
}

/// A posting, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Posting {
    pub id: PostingId,
    pub author: UserId,
    /// The organisation: one of the author's schools when the posting was written.
    pub school: SchoolId,
    pub scope: Scope,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub languages: Vec<String>,
    pub subjects: Vec<String>,
    pub topics: Vec<String>,
    pub key_competences: Vec<String>,
    pub pupil_ages: Vec<String>,
    /// The last day (UTC) the posting is shown to others.
    #[serde(with = "iso_date")]
    pub visible_until: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Comments not deleted, kept in step with the comment tree.
    pub comment_count: u64,
}

impl Posting {
    /// Past its visible-until day: shown to its author only.
    pub fn expired(&self, now: OffsetDateTime) -> bool {
        now.date() > self.visible_until
    }

    /// Whether `viewer` may see it: everyone while visible, the author always.
    pub fn visible_to(&self, viewer: UserId, now: OffsetDateTime) -> bool {
        viewer == self.author || !self.expired(now)
    }
}

/// A post comment: another member's reply to a posting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comment {
    pub id: CommentId,
    pub posting: PostingId,
    pub author: UserId,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn expires_after_its_last_day_for_others_only() {
        let p = Posting {
            id: PostingId(1),
            author: UserId(7),
            school: SchoolId(2),
            scope: Scope::European,
            title: "t".into(),
            summary: String::new(),
            description: String::new(),
            languages: vec![],
            subjects: vec![],
            topics: vec![],
            key_competences: vec![],
            pupil_ages: vec![],
            visible_until: date!(2026 - 12 - 01),
            created_at: datetime!(2026-11-01 0:00 UTC),
            updated_at: datetime!(2026-11-01 0:00 UTC),
            comment_count: 0,
        };
        assert!(!p.expired(datetime!(2026-12-01 23:59 UTC)));
        assert!(p.expired(datetime!(2026-12-02 0:00 UTC)));
        assert!(p.visible_to(UserId(7), datetime!(2027-01-01 0:00 UTC)));
        assert!(!p.visible_to(UserId(8), datetime!(2027-01-01 0:00 UTC)));
    }
}
