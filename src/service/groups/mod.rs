//! Groups (R9): create one after accepting the Code of Conduct, edit it (administrators),
//! its picture, and who may listen to its live topic. Membership (join, leave, remove,
//! administrators, invitations) is in `members`, the chat in `chat`.
//!
//! Creating a group takes a validated eTwinner (the seed guide: "Groups created by other
//! eTwinners"); joining follows the group's policy.

pub mod chat;
pub mod members;

pub use chat::{NewMessage, CLIENT_ID_CHARS};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{check_codes, check_text, Core};
use crate::domain::catalog;
use crate::domain::code_of_conduct;
use crate::domain::event::{Topic, TopicEventBody};
use crate::domain::group::{
    join_refusal, CodeOfConductAcceptance, Group, GroupSummary, JoinPolicy, JoinRefusal, Membership,
};
use crate::domain::user::{dedup_codes, PictureMeta, User};
use crate::error::AppError;
use crate::ids::{GroupId, UserId};
use crate::live::bus::BusMessage;
use crate::search::{self, DocRef};
use crate::store::{key, Tree, TxError, Txn};

/// A new group, or (every field optional) the changes to one.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Subject codes (`GET /api/catalog`), at least one.
    pub subjects: Option<Vec<String>>,
    /// ISO 639-1 codes, at least one.
    pub languages: Option<Vec<String>>,
    /// Who may join: `all`, `etwinners` or `invited`.
    pub policy: Option<JoinPolicy>,
    /// Creating: the version of the Code of Conduct the member read and accepts
    /// (`GET /api/groups/code-of-conduct`). Required, and must be the current one.
    pub accept_code_of_conduct: Option<u32>,
}

/// A group as the API shows it to one member: the about, and where the member stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    #[serde(flatten)]
    pub group: GroupSummary,
    pub me: Standing,
}

/// Where a member stands with a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct Standing {
    pub member: bool,
    pub admin: bool,
    /// An administrator invited the member and the invitation waits.
    pub invited: bool,
    /// Not a member, and the policy lets them join now.
    pub may_join: bool,
    /// Why a non-member may not join, when they may not.
    pub refusal: Option<JoinRefusal>,
}

/// The trees a group's creation writes.
const CREATE_TREES: [Tree; 7] = [
    Tree::GroupidGroup,
    Tree::GroupidUserid,
    Tree::UseridGroupid,
    Tree::UseridGroupcount,
    Tree::GroupidUseridLastread,
    Tree::UseridCodeofconduct,
    Tree::SearchPending,
];

pub(crate) fn member_key(group: GroupId, user: UserId) -> Vec<u8> {
    key(&[&group.key(), &user.key()])
}

fn ensure_etwinner(actor: &User) -> Result<(), AppError> {
    if actor.validation.is_some() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only eTwinning-validated members can create groups: your NSO has not validated you yet"
                .into(),
        ))
    }
}

pub fn group(core: &Core, id: GroupId) -> Result<Group, AppError> {
    core.store
        .get_json(Tree::GroupidGroup, &id.key())?
        .ok_or(AppError::NotFound("group"))
}

/// The group inside a transaction (404 when it is gone).
pub(crate) fn group_in(tx: &dyn Txn, id: GroupId) -> Result<Group, TxError> {
    tx.get_json(Tree::GroupidGroup, &id.key())?
        .ok_or(TxError::Abort(AppError::NotFound("group")))
}

pub fn membership(
    core: &Core,
    group: GroupId,
    user: UserId,
) -> Result<Option<Membership>, AppError> {
    core.store
        .get_json(Tree::GroupidUserid, &member_key(group, user))
}

pub fn is_member(core: &Core, group: GroupId, user: UserId) -> Result<bool, AppError> {
    Ok(membership(core, group, user)?.is_some())
}

fn not_an_admin() -> AppError {
    AppError::Forbidden("only the group's administrators can do this".into())
}

/// 403 unless the user administers the group.
pub(crate) fn ensure_admin(core: &Core, group: GroupId, user: UserId) -> Result<(), AppError> {
    match membership(core, group, user)? {
        Some(m) if m.admin => Ok(()),
        _ => Err(not_an_admin()),
    }
}

/// The same check inside a transaction (which declares `Tree::GroupidUserid`): an
/// administrator removed or dismissed a moment ago can no longer act.
pub(crate) fn ensure_admin_in(tx: &dyn Txn, group: GroupId, user: UserId) -> Result<(), TxError> {
    match tx.get_json::<Membership>(Tree::GroupidUserid, &member_key(group, user))? {
        Some(m) if m.admin => Ok(()),
        _ => Err(TxError::Abort(not_an_admin())),
    }
}

/// The Code of Conduct in `lang` (English when there is none in it).
pub fn code_of_conduct(lang: &str) -> code_of_conduct::CodeOfConduct {
    code_of_conduct::text(lang)
}

/// Checks and applies the given fields of `input` to `group` (texts trimmed, codes made
/// distinct).
fn apply(core: &Core, group: &mut Group, input: GroupInput) -> Result<(), AppError> {
    let limits = &core.config.groups;
    if let Some(title) = input.title {
        let title = title.trim();
        check_text("title", title, 1, limits.title_chars, false)?;
        group.title = title.to_string();
    }
    if let Some(description) = input.description {
        let description = description.trim();
        check_text(
            "description",
            description,
            0,
            limits.description_chars,
            true,
        )?;
        group.description = description.to_string();
    }
    if let Some(subjects) = input.subjects {
        let subjects = dedup_codes(&subjects);
        check_codes(
            "subjects",
            &subjects,
            1,
            limits.subjects_max,
            catalog::is_subject,
        )?;
        group.subjects = subjects;
    }
    if let Some(languages) = input.languages {
        let languages = dedup_codes(&languages);
        check_codes(
            "languages",
            &languages,
            1,
            limits.languages_max,
            catalog::is_language,
        )?;
        group.languages = languages;
    }
    if let Some(policy) = input.policy {
        group.policy = policy;
    }
    Ok(())
}

/// Creates a group (validated eTwinners, after accepting the current Code of Conduct); the
/// creator is its first member and administrator.
pub fn create(core: &Core, actor: &User, input: GroupInput) -> Result<GroupView, AppError> {
    ensure_etwinner(actor)?;
    if input.accept_code_of_conduct != Some(code_of_conduct::VERSION) {
        return Err(AppError::Validation(format!(
            "accept_code_of_conduct: read and accept version {} of the Code of Conduct (GET /api/groups/code-of-conduct)",
            code_of_conduct::VERSION
        )));
    }
    let required = |name: &str| AppError::Validation(format!("{name}: required"));
    for (name, given) in [
        ("title", input.title.is_some()),
        ("subjects", input.subjects.is_some()),
        ("languages", input.languages.is_some()),
        ("policy", input.policy.is_some()),
    ] {
        if !given {
            return Err(required(name));
        }
    }
    let now = core.clock.now();
    let mut group = Group {
        id: GroupId(core.store.next_id()?),
        title: String::new(),
        description: String::new(),
        subjects: vec![],
        languages: vec![],
        policy: JoinPolicy::All,
        picture: None,
        created_by: actor.id,
        created_at: now,
        updated_at: Some(now),
        code_of_conduct: code_of_conduct::VERSION,
        member_count: 1,
        admin_count: 1,
    };
    apply(core, &mut group, input)?;
    let who = actor.id.to_string();
    core.rate_limits.groups_created.acquire(&who, now)?;
    let written = core.store.transact(&CREATE_TREES, |tx| {
        tx.put_json(Tree::GroupidGroup, &group.id.key(), &group)?;
        let creator = Membership {
            joined_at: now,
            admin: true,
        };
        let max_groups = core.config.groups.groups_per_member;
        members::add_member(tx, group.id, actor.id, creator, 0, max_groups)?;
        let acceptance = CodeOfConductAcceptance {
            version: code_of_conduct::VERSION,
            at: now,
        };
        tx.put_json(Tree::UseridCodeofconduct, &actor.id.key(), &acceptance)?;
        search::mark(tx, DocRef::Group(group.id))
    });
    if written.is_err() {
        core.rate_limits.groups_created.release_one(&who);
    }
    written?;
    core.search.changed();
    tracing::info!(creator = %actor.id, group = %group.id, "group created");
    view(core, actor, &group)
}

/// Changes a group's about and policy (administrators).
pub fn update(
    core: &Core,
    actor: &User,
    id: GroupId,
    input: GroupInput,
) -> Result<GroupView, AppError> {
    ensure_admin(core, id, actor.id)?;
    // Checked once before the transaction, so a refusal costs no write lock.
    apply(core, &mut group(core, id)?, input.clone())?;
    // Applied to the group as stored at commit: fields another administrator changed
    // meanwhile (and the counts and picture) are kept unless this change names them.
    change_group(core, actor, id, &[], |_, group| {
        apply(core, group, input.clone())?;
        Ok(())
    })
}

/// An administrator's change to a group: `change` runs on the group as stored, inside the
/// transaction that checks the actor's rights again (declaring `extra` trees besides the
/// group's); the group is then re-indexed and its listeners told.
fn change_group(
    core: &Core,
    actor: &User,
    id: GroupId,
    extra: &[Tree],
    change: impl Fn(&dyn Txn, &mut Group) -> Result<(), TxError>,
) -> Result<GroupView, AppError> {
    let now = core.clock.now();
    let mut trees = vec![Tree::GroupidGroup, Tree::GroupidUserid, Tree::SearchPending];
    trees.extend_from_slice(extra);
    let stored = core.store.transact(&trees, |tx| {
        ensure_admin_in(tx, id, actor.id)?;
        let mut group = group_in(tx, id)?;
        change(tx, &mut group)?;
        group.updated_at = Some(now);
        tx.put_json(Tree::GroupidGroup, &id.key(), &group)?;
        search::mark(tx, DocRef::Group(id))?;
        Ok(group)
    })?;
    core.search.changed();
    let event = TopicEventBody::GroupUpdated {
        group: GroupSummary::from(&stored),
    };
    core.bus
        .publish(vec![BusMessage::Topic(Topic::Group(id), event)]);
    view(core, actor, &stored)
}

/// Sets or removes the group's picture (administrators).
pub fn set_picture(
    core: &Core,
    actor: &User,
    id: GroupId,
    picture: Option<(&str, Vec<u8>)>,
) -> Result<GroupView, AppError> {
    ensure_admin(core, id, actor.id)?;
    let meta = match &picture {
        Some((content_type, bytes)) => {
            super::profiles::check_picture(content_type, bytes, core.config.limits.picture_bytes)?;
            Some(PictureMeta {
                content_type: content_type.to_string(),
                bytes: bytes.len(),
                updated_at: core.clock.now(),
            })
        }
        None => None,
    };
    change_group(core, actor, id, &[Tree::GroupidPicture], |tx, group| {
        match &picture {
            Some((_, bytes)) => tx.insert(Tree::GroupidPicture, &id.key(), bytes.clone())?,
            None => tx.remove(Tree::GroupidPicture, &id.key())?,
        }
        group.picture = meta.clone();
        Ok(())
    })
}

/// The picture's content type, bytes and time of change (any logged-in member).
pub fn picture(core: &Core, id: GroupId) -> Result<(String, Vec<u8>, OffsetDateTime), AppError> {
    let group = group(core, id)?;
    let meta = group.picture.ok_or(AppError::NotFound("picture"))?;
    let bytes = core
        .store
        .get(Tree::GroupidPicture, &id.key())?
        .ok_or(AppError::NotFound("picture"))?;
    Ok((meta.content_type, bytes, meta.updated_at))
}

/// A group's about and the viewer's standing (any logged-in member: an invitation-only
/// group's about is public, its members and chat are not).
pub fn get(core: &Core, viewer: &User, id: GroupId) -> Result<GroupView, AppError> {
    let group = group(core, id)?;
    view(core, viewer, &group)
}

pub(crate) fn view(core: &Core, viewer: &User, group: &Group) -> Result<GroupView, AppError> {
    Ok(GroupView {
        group: GroupSummary::from(group),
        me: standing(core, viewer, group)?,
    })
}

fn standing(core: &Core, viewer: &User, group: &Group) -> Result<Standing, AppError> {
    let mk = member_key(group.id, viewer.id);
    if let Some(m) = core
        .store
        .get_json::<Membership>(Tree::GroupidUserid, &mk)?
    {
        return Ok(Standing {
            member: true,
            admin: m.admin,
            invited: false,
            may_join: false,
            refusal: None,
        });
    }
    let invited = core.store.get(Tree::GroupidInviteduserid, &mk)?.is_some();
    let removed = core.store.get(Tree::GroupidRemoveduserid, &mk)?.is_some();
    let refusal = join_refusal(group.policy, viewer.validation.is_some(), invited, removed);
    Ok(Standing {
        member: false,
        admin: false,
        invited,
        may_join: refusal.is_none(),
        refusal,
    })
}

/// May this user listen to this topic? (TwinSpaces arrive with projects: none exist yet.)
pub fn may_listen(core: &Core, user: UserId, topic: Topic) -> Result<(), AppError> {
    match topic {
        Topic::Group(g) => {
            group(core, g)?;
            if is_member(core, g, user)? {
                Ok(())
            } else {
                Err(AppError::Forbidden(
                    "only members can listen to a group".into(),
                ))
            }
        }
        Topic::TwinSpace(_) => Err(AppError::NotFound("twinspace")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::service::testing;

    /// A validated eTwinner of `country` (groups are created by eTwinners).
    pub fn etwinner(core: &Core, email: &str, country: &str) -> User {
        let mut user = testing::member(core, email, country);
        user.validation = Some(crate::domain::user::Validation {
            by: user.id,
            at: core.clock.now(),
        });
        core.store
            .transact(&[Tree::UseridUser], |tx| {
                tx.put_json(Tree::UseridUser, &user.id.key(), &user)
            })
            .unwrap();
        user
    }

    pub fn input(title: &str, policy: JoinPolicy) -> GroupInput {
        GroupInput {
            title: Some(title.into()),
            description: Some("About the climate".into()),
            subjects: Some(vec!["biology".into()]),
            languages: Some(vec!["en".into()]),
            policy: Some(policy),
            accept_code_of_conduct: Some(code_of_conduct::VERSION),
        }
    }

    pub fn climate_group(core: &Core, creator: &User, policy: JoinPolicy) -> GroupView {
        create(core, creator, input("Climate", policy)).unwrap()
    }

    #[test]
    fn creating_takes_an_etwinner_the_code_of_conduct_and_valid_fields() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        assert!(matches!(
            create(&core, &bob, input("Climate", JoinPolicy::All)),
            Err(AppError::Forbidden(_))
        ));
        for bad in [
            GroupInput {
                accept_code_of_conduct: None,
                ..input("Climate", JoinPolicy::All)
            },
            GroupInput {
                accept_code_of_conduct: Some(code_of_conduct::VERSION + 1),
                ..input("Climate", JoinPolicy::All)
            },
            GroupInput {
                subjects: Some(vec!["alchemy".into()]),
                ..input("Climate", JoinPolicy::All)
            },
            GroupInput {
                languages: Some(vec![]),
                ..input("Climate", JoinPolicy::All)
            },
            GroupInput {
                policy: None,
                ..input("Climate", JoinPolicy::All)
            },
            input(" ", JoinPolicy::All),
            input("Two\nlines", JoinPolicy::All),
        ] {
            assert!(
                matches!(create(&core, &ann, bad), Err(AppError::Validation(_))),
                "accepted"
            );
        }
        let g = climate_group(&core, &ann, JoinPolicy::Etwinners);
        assert!(g.me.member && g.me.admin);
        assert_eq!(g.group.member_count, 1);
        let accepted: CodeOfConductAcceptance = core
            .store
            .get_json(Tree::UseridCodeofconduct, &ann.id.key())
            .unwrap()
            .unwrap();
        assert_eq!(accepted.version, code_of_conduct::VERSION);
        // Nothing was written by the refused attempts.
        assert_eq!(
            core.store
                .scan_prefix(Tree::GroupidGroup, &[], None, 10)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn only_administrators_edit_and_members_see_the_change_live() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::All);
        members::join(&core, &bob, g.group.id).unwrap();
        let change = GroupInput {
            title: Some("Climate and weather".into()),
            ..GroupInput::default()
        };
        assert!(matches!(
            update(&core, &bob, g.group.id, change),
            Err(AppError::Forbidden(_))
        ));
        let change = GroupInput {
            title: Some("Climate and weather".into()),
            policy: Some(JoinPolicy::Invited),
            ..GroupInput::default()
        };
        let v = update(&core, &ann, g.group.id, change).unwrap();
        assert_eq!(v.group.title, "Climate and weather");
        assert_eq!(v.group.member_count, 2, "counts are kept");
        assert_eq!(v.group.subjects, ["biology"], "absent fields are kept");
        assert!(testing::published(&core).iter().any(|m| matches!(
            m,
            BusMessage::Topic(_, TopicEventBody::GroupUpdated { group }) if group.policy == JoinPolicy::Invited
        )));
    }

    #[test]
    fn creating_joining_and_inviting_are_throttled_per_member() {
        let (mut core, _) = testing::core();
        let mut config = (*core.config).clone();
        config.groups.groups_per_window = 1;
        config.groups.joins_per_window = 1;
        config.groups.invitations_per_window = 1;
        core.config = std::sync::Arc::new(config);
        core.rate_limits = crate::service::rate_limit::RateLimits::new(&core.config);
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let cleo = etwinner(&core, "cleo@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        // A refused creation does not use the allowance up.
        assert!(create(&core, &ann, input(" ", JoinPolicy::All)).is_err());
        let first = climate_group(&core, &ann, JoinPolicy::All).group.id;
        assert!(matches!(
            create(&core, &ann, input("Again", JoinPolicy::All)),
            Err(AppError::RateLimited { .. })
        ));
        let second = climate_group(&core, &cleo, JoinPolicy::Invited).group.id;
        // A refused join, and joining a group one is already in, do not count.
        assert!(members::join(&core, &bob, second).is_err());
        members::join(&core, &bob, first).unwrap();
        members::join(&core, &bob, first).unwrap();
        members::invite(&core, &cleo, second, bob.id).unwrap();
        assert!(matches!(
            members::join(&core, &bob, second),
            Err(AppError::RateLimited { .. })
        ));
        assert!(matches!(
            members::invite(&core, &cleo, second, ann.id),
            Err(AppError::RateLimited { .. })
        ));
    }
}
