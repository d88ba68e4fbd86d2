//! Groups (R9): who may join, who administers, and what a membership holds. Pure rules; the
//! service (`service::groups`) applies them inside store transactions.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::user::PictureMeta;
use crate::ids::{GroupId, UserId};

/// Who may join a group (R9: "joined by all registered users, only eTwinners or invited
/// people only").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinPolicy {
    /// Every registered member, validated or not.
    #[default]
    All,
    /// Members their NSO validated.
    Etwinners,
    /// Only members an administrator invited.
    Invited,
}

impl JoinPolicy {
    pub const ALL: [JoinPolicy; 3] = [JoinPolicy::All, JoinPolicy::Etwinners, JoinPolicy::Invited];

    pub fn code(self) -> &'static str {
        match self {
            JoinPolicy::All => "all",
            JoinPolicy::Etwinners => "etwinners",
            JoinPolicy::Invited => "invited",
        }
    }
}

/// A group as stored. Fields added after the live layer's group basics default, so groups
/// written then still read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub subjects: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub policy: JoinPolicy,
    #[serde(default)]
    pub picture: Option<PictureMeta>,
    pub created_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
    /// The version of the Code of Conduct its creator accepted.
    #[serde(default)]
    pub code_of_conduct: u32,
    /// Kept in the transactions that change membership, so lists need no count and the last
    /// administrator can be recognised inside a transaction (which cannot scan).
    #[serde(default)]
    pub member_count: u64,
    #[serde(default)]
    pub admin_count: u64,
}

impl Group {
    /// Where the picture is served, when there is one (a new URL for every new picture).
    pub fn picture_url(&self) -> Option<String> {
        self.picture.as_ref().map(|p| {
            format!(
                "/api/groups/{}/picture?v={}",
                self.id,
                p.updated_at.unix_timestamp_nanos()
            )
        })
    }
}

/// What everyone may see of a group (its "about"), as lists, events and result cards show it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GroupSummary {
    pub id: GroupId,
    pub title: String,
    pub description: String,
    pub subjects: Vec<String>,
    pub languages: Vec<String>,
    pub policy: JoinPolicy,
    pub picture_url: Option<String>,
    pub created_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub member_count: u64,
}

impl From<&Group> for GroupSummary {
    fn from(g: &Group) -> Self {
        GroupSummary {
            id: g.id,
            title: g.title.clone(),
            description: g.description.clone(),
            subjects: g.subjects.clone(),
            languages: g.languages.clone(),
            policy: g.policy,
            picture_url: g.picture_url(),
            created_by: g.created_by,
            created_at: g.created_at,
            updated_at: g.updated_at.unwrap_or(g.created_at),
            member_count: g.member_count,
        }
    }
}

/// A member's acceptance of the groups' Code of Conduct.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeOfConductAcceptance {
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One member's place in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Membership {
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    pub admin: bool,
}

/// Reads both the current record and the joined-at time the group basics stored.
impl<'de> Deserialize<'de> for Membership {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Current {
            #[serde(with = "time::serde::rfc3339")]
            joined_at: OffsetDateTime,
            admin: bool,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Current(Current),
            JoinedAt(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Current(c) => Membership {
                joined_at: c.joined_at,
                admin: c.admin,
            },
            Stored::JoinedAt(joined_at) => Membership {
                joined_at,
                admin: false,
            },
        })
    }
}

/// An administrator's invitation, waiting for the invitee.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invitation {
    pub by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Why a member may not join a group: a stable code the UI translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinRefusal {
    /// The group is for eTwinners and the member's NSO has not validated them.
    EtwinnersOnly,
    /// The group is for invited members and nobody invited this one.
    InvitationOnly,
    /// An administrator removed the member; only a new invitation lets them back.
    Removed,
}

impl JoinRefusal {
    pub fn message(self) -> &'static str {
        match self {
            JoinRefusal::EtwinnersOnly => {
                "this group is for eTwinners only: your NSO has not validated you yet"
            }
            JoinRefusal::InvitationOnly => "this group is for invited members only",
            JoinRefusal::Removed => {
                "an administrator removed you from this group: only a new invitation lets you back"
            }
        }
    }
}

/// R9: may a member join? An invitation opens an invitation-only group and lifts a removal,
/// but an eTwinners-only group stays closed to members who are not validated, invited or not.
pub fn join_refusal(
    policy: JoinPolicy,
    is_etwinner: bool,
    invited: bool,
    removed: bool,
) -> Option<JoinRefusal> {
    if policy == JoinPolicy::Etwinners && !is_etwinner {
        return Some(JoinRefusal::EtwinnersOnly);
    }
    if invited {
        return None;
    }
    if removed {
        return Some(JoinRefusal::Removed);
    }
    (policy == JoinPolicy::Invited).then_some(JoinRefusal::InvitationOnly)
}

/// What a message's `@mentions` may hold: distinct members other than the author, in the
/// order given.
pub fn distinct_mentions(author: UserId, mentions: &[UserId]) -> Vec<UserId> {
    let mut out: Vec<UserId> = Vec::with_capacity(mentions.len());
    for m in mentions {
        if *m != author && !out.contains(m) {
            out.push(*m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_rules_follow_the_policy() {
        use JoinPolicy::*;
        use JoinRefusal::*;
        assert_eq!(join_refusal(All, false, false, false), None);
        assert_eq!(
            join_refusal(Etwinners, false, false, false),
            Some(EtwinnersOnly)
        );
        assert_eq!(
            join_refusal(Etwinners, false, true, false),
            Some(EtwinnersOnly)
        );
        assert_eq!(join_refusal(Etwinners, true, false, false), None);
        assert_eq!(
            join_refusal(Invited, true, false, false),
            Some(InvitationOnly)
        );
        assert_eq!(join_refusal(Invited, false, true, false), None);
        assert_eq!(join_refusal(All, true, false, true), Some(Removed));
        assert_eq!(join_refusal(All, true, true, true), None);
    }

    #[test]
    fn memberships_read_the_old_joined_at_form() {
        let old: Membership = serde_json::from_str("\"2026-01-01T00:00:00Z\"").unwrap();
        assert!(!old.admin);
        let new = Membership {
            joined_at: old.joined_at,
            admin: true,
        };
        let back: Membership = serde_json::from_str(&serde_json::to_string(&new).unwrap()).unwrap();
        assert_eq!(back, new);
    }

    #[test]
    fn mentions_are_distinct_and_never_the_author() {
        let got = distinct_mentions(UserId(1), &[UserId(2), UserId(1), UserId(2), UserId(3)]);
        assert_eq!(got, [UserId(2), UserId(3)]);
    }
}
