//! Group membership: join and leave by the group's policy (R9), administrators who remove
//! members and appoint each other, and invitations.
//!
//! A group always keeps an administrator: the last one can neither leave nor step down until
//! they appoint another. A removed member needs a new invitation to come back (otherwise a
//! removal from an open group would last one click). Membership counts live on the group
//! record, changed in the same transactions.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{ensure_admin, group, group_in, member_key, view, GroupView};
use crate::domain::event::{MemberChange, NotificationKind, Topic, TopicEventBody};
use crate::domain::group::{join_refusal, GroupSummary, Invitation, Membership};
use crate::domain::user::User;
use crate::error::AppError;
use crate::ids::{GroupId, NotificationId, UserId};
use crate::live::bus::BusMessage;
use crate::search::{self, DocRef};
use crate::service::notifications::{self, Pending};
use crate::service::{Core, Page, PageQuery};
use crate::store::{be_u64, key, Tree, TxError, Txn};

/// A member as the group's member list shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub user: UserId,
    pub display_name: String,
    pub country: Option<String>,
    pub picture_url: Option<String>,
    pub admin: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
}

/// An invitation as the group's administrators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub user: UserId,
    pub display_name: String,
    pub invited_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// An invitation as its invitee sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyInvitation {
    pub group: GroupSummary,
    pub by: UserId,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One of the member's groups, with the unread count of its chat.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyGroup {
    pub group: GroupSummary,
    pub admin: bool,
    /// Messages newer than the member's last-read pointer, at most `groups.unread_count_max`.
    pub unread: u64,
    /// There are more unread than `unread` ("99+").
    pub unread_more: bool,
}

/// The trees joining and leaving write.
const MEMBERSHIP_TREES: [Tree; 8] = [
    Tree::GroupidGroup,
    Tree::GroupidUserid,
    Tree::UseridGroupid,
    Tree::UseridGroupcount,
    Tree::GroupidUseridLastread,
    Tree::GroupidInviteduserid,
    Tree::UseridInvitinggroupid,
    Tree::GroupidRemoveduserid,
];

/// Adds a member whose chat starts as read up to `last_read`, unless they already belong to
/// `max_groups` groups (`groups.groups_per_member`).
pub(crate) fn add_member(
    tx: &dyn Txn,
    group: GroupId,
    user: UserId,
    membership: Membership,
    last_read: u64,
    max_groups: u64,
) -> Result<(), TxError> {
    let count = tx.get_u64(Tree::UseridGroupcount, &user.key())?;
    if count >= max_groups {
        return Err(TxError::Abort(AppError::Conflict(format!(
            "you already belong to {count} groups, the most one member may: leave one first"
        ))));
    }
    tx.put_u64(Tree::UseridGroupcount, &user.key(), count + 1)?;
    let mk = member_key(group, user);
    tx.put_json(Tree::GroupidUserid, &mk, &membership)?;
    tx.insert(
        Tree::UseridGroupid,
        &key(&[&user.key(), &group.key()]),
        vec![],
    )?;
    tx.put_u64(Tree::GroupidUseridLastread, &mk, last_read)
}

fn remove_member(tx: &dyn Txn, group: GroupId, user: UserId) -> Result<(), TxError> {
    let count = tx.get_u64(Tree::UseridGroupcount, &user.key())?;
    tx.put_u64(Tree::UseridGroupcount, &user.key(), count.saturating_sub(1))?;
    let mk = member_key(group, user);
    tx.remove(Tree::GroupidUserid, &mk)?;
    tx.remove(Tree::UseridGroupid, &key(&[&user.key(), &group.key()]))?;
    tx.remove(Tree::GroupidUseridLastread, &mk)
}

fn drop_invitation(tx: &dyn Txn, group: GroupId, user: UserId) -> Result<bool, TxError> {
    let mk = member_key(group, user);
    let was = tx.get(Tree::GroupidInviteduserid, &mk)?.is_some();
    tx.remove(Tree::GroupidInviteduserid, &mk)?;
    tx.remove(
        Tree::UseridInvitinggroupid,
        &key(&[&user.key(), &group.key()]),
    )?;
    Ok(was)
}

fn membership_in(tx: &dyn Txn, group: GroupId, user: UserId) -> Result<Membership, TxError> {
    tx.get_json(Tree::GroupidUserid, &member_key(group, user))?
        .ok_or(TxError::Abort(AppError::NotFound("group membership")))
}

fn publish_change(core: &Core, group: GroupId, user: UserId, change: MemberChange) {
    let mut messages = Vec::with_capacity(2);
    if matches!(change, MemberChange::Left | MemberChange::Removed) {
        // Cuts the member's open sockets off the group's topic at once.
        messages.push(BusMessage::MembershipEnded {
            topic: Topic::Group(group),
            user,
        });
    }
    messages.push(BusMessage::Topic(
        Topic::Group(group),
        TopicEventBody::MemberChanged { user, change },
    ));
    core.bus.publish(messages);
}

/// Joins a group, if its policy lets the member (R9). Joining twice is a no-op. An
/// invitation is used up by joining; a new member's chat starts as read. Joins are
/// throttled per member (`groups.joins_per_window`): each is announced to the group.
pub fn join(core: &Core, actor: &User, id: GroupId) -> Result<GroupView, AppError> {
    if super::is_member(core, id, actor.id)? {
        // Nothing to do, whatever the allowance says.
        return view(core, actor, &group(core, id)?);
    }
    let latest = super::chat::latest_message(core, id)?;
    let now = core.clock.now();
    let who = actor.id.to_string();
    core.rate_limits.group_joins.acquire(&who, now)?;
    let max_groups = core.config.groups.groups_per_member;
    let mut trees = MEMBERSHIP_TREES.to_vec();
    trees.push(Tree::SearchPending);
    let joined = core.store.transact(&trees, |tx| {
        let mut group = group_in(tx, id)?;
        let mk = member_key(id, actor.id);
        if tx.get(Tree::GroupidUserid, &mk)?.is_some() {
            return Ok((group, false));
        }
        let invited = tx.get(Tree::GroupidInviteduserid, &mk)?.is_some();
        let removed = tx.get(Tree::GroupidRemoveduserid, &mk)?.is_some();
        let etwinner = actor.validation.is_some();
        if let Some(refusal) = join_refusal(group.policy, etwinner, invited, removed) {
            return Err(TxError::Abort(AppError::Forbidden(
                refusal.message().into(),
            )));
        }
        let membership = Membership {
            joined_at: now,
            admin: false,
        };
        add_member(tx, id, actor.id, membership, latest, max_groups)?;
        drop_invitation(tx, id, actor.id)?;
        tx.remove(Tree::GroupidRemoveduserid, &mk)?;
        group.member_count += 1;
        tx.put_json(Tree::GroupidGroup, &id.key(), &group)?;
        // The result card shows the member count.
        search::mark(tx, DocRef::Group(id))?;
        Ok((group, true))
    });
    if !matches!(joined, Ok((_, true))) {
        // Refused, or already a member: not a join.
        core.rate_limits.group_joins.release_one(&who);
    }
    let (group, fresh) = joined?;
    if fresh {
        core.search.changed();
        publish_change(core, id, actor.id, MemberChange::Joined);
    }
    view(core, actor, &group)
}

/// Leaves a group; the member's open sockets stop receiving its events at once. The last
/// administrator must appoint another first.
pub fn leave(core: &Core, actor: &User, id: GroupId) -> Result<(), AppError> {
    let mut trees = MEMBERSHIP_TREES.to_vec();
    trees.push(Tree::SearchPending);
    core.store.transact(&trees, |tx| {
        let mut group = group_in(tx, id)?;
        let membership = membership_in(tx, id, actor.id)?;
        if membership.admin {
            if group.admin_count <= 1 {
                return Err(TxError::Abort(AppError::Conflict(
                    "you are the group's last administrator: appoint another administrator before you leave".into(),
                )));
            }
            group.admin_count -= 1;
        }
        remove_member(tx, id, actor.id)?;
        group.member_count = group.member_count.saturating_sub(1);
        tx.put_json(Tree::GroupidGroup, &id.key(), &group)?;
        search::mark(tx, DocRef::Group(id))
    })?;
    core.search.changed();
    publish_change(core, id, actor.id, MemberChange::Left);
    Ok(())
}

/// Removes another member (administrators). Their sockets stop receiving at once, and they
/// need a new invitation to come back.
pub fn remove(core: &Core, actor: &User, id: GroupId, target: UserId) -> Result<(), AppError> {
    if target == actor.id {
        return Err(AppError::Validation(
            "user: to leave a group, use DELETE /api/groups/{id}/members/me".into(),
        ));
    }
    ensure_admin(core, id, actor.id)?;
    let now = core.clock.now();
    let mut trees = MEMBERSHIP_TREES.to_vec();
    trees.push(Tree::SearchPending);
    core.store.transact(&trees, |tx| {
        let mut group = group_in(tx, id)?;
        // Checked again in the transaction: the actor may have been removed meanwhile.
        if !membership_in(tx, id, actor.id)?.admin {
            return Err(TxError::Abort(AppError::Forbidden(
                "only the group's administrators can do this".into(),
            )));
        }
        let removed = membership_in(tx, id, target)?;
        if removed.admin {
            group.admin_count = group.admin_count.saturating_sub(1);
        }
        remove_member(tx, id, target)?;
        tx.put_json(Tree::GroupidRemoveduserid, &member_key(id, target), &now)?;
        group.member_count = group.member_count.saturating_sub(1);
        tx.put_json(Tree::GroupidGroup, &id.key(), &group)?;
        search::mark(tx, DocRef::Group(id))
    })?;
    core.search.changed();
    tracing::info!(group = %id, by = %actor.id, member = %target, "member removed");
    publish_change(core, id, target, MemberChange::Removed);
    Ok(())
}

/// Appoints a member administrator, or takes the role back (administrators; one may step
/// down oneself). The last administrator cannot step down.
pub fn set_admin(
    core: &Core,
    actor: &User,
    id: GroupId,
    target: UserId,
    admin: bool,
) -> Result<(), AppError> {
    ensure_admin(core, id, actor.id)?;
    let changed = core
        .store
        .transact(&[Tree::GroupidGroup, Tree::GroupidUserid], |tx| {
            let mut group = group_in(tx, id)?;
            if !membership_in(tx, id, actor.id)?.admin {
                return Err(TxError::Abort(AppError::Forbidden(
                    "only the group's administrators can do this".into(),
                )));
            }
            let mut membership = membership_in(tx, id, target)?;
            if membership.admin == admin {
                return Ok(false);
            }
            if admin {
                group.admin_count += 1;
            } else if group.admin_count <= 1 {
                return Err(TxError::Abort(AppError::Conflict(
                    "a group needs an administrator: appoint another one first".into(),
                )));
            } else {
                group.admin_count -= 1;
            }
            membership.admin = admin;
            tx.put_json(Tree::GroupidUserid, &member_key(id, target), &membership)?;
            tx.put_json(Tree::GroupidGroup, &id.key(), &group)?;
            Ok(true)
        })?;
    if changed {
        let change = if admin {
            MemberChange::Admin
        } else {
            MemberChange::Member
        };
        publish_change(core, id, target, change);
    }
    Ok(())
}

/// Invites a member (administrators); the invitee is notified. An invitation opens an
/// invitation-only group and lifts an earlier removal; in any group it says "join us".
pub fn invite(core: &Core, actor: &User, id: GroupId, target: UserId) -> Result<(), AppError> {
    ensure_admin(core, id, actor.id)?;
    let invitee = core.user(target)?;
    let group = group(core, id)?;
    let now = core.clock.now();
    let who = actor.id.to_string();
    core.rate_limits.group_invitations.acquire(&who, now)?;
    let notification = NotificationId(core.store.next_id()?);
    let mut trees = vec![
        Tree::GroupidUserid,
        Tree::GroupidInviteduserid,
        Tree::UseridInvitinggroupid,
    ];
    trees.extend(notifications::TREES);
    let written = core.store.transact(&trees, |tx| {
        super::ensure_admin_in(tx, id, actor.id)?;
        let mut pending = Pending::default();
        let mk = member_key(id, invitee.id);
        if tx.get(Tree::GroupidUserid, &mk)?.is_some() {
            return Err(TxError::Abort(AppError::Conflict(
                "already a member of this group".into(),
            )));
        }
        if tx.get(Tree::GroupidInviteduserid, &mk)?.is_some() {
            return Err(TxError::Abort(AppError::Conflict(
                "already invited to this group".into(),
            )));
        }
        let invitation = Invitation {
            by: actor.id,
            at: now,
        };
        tx.put_json(Tree::GroupidInviteduserid, &mk, &invitation)?;
        tx.insert(
            Tree::UseridInvitinggroupid,
            &key(&[&invitee.id.key(), &id.key()]),
            vec![],
        )?;
        let what = NotificationKind::GroupInvited {
            group: id,
            title: group.title.clone(),
            by: actor.id,
            name: actor.profile.display_name.clone(),
        };
        pending.notify(core, tx, invitee.id, notification, what)?;
        Ok(pending)
    });
    if written.is_err() {
        core.rate_limits.group_invitations.release_one(&who);
    }
    written?.publish(core);
    Ok(())
}

/// Withdraws an invitation (administrators) or declines it (the invitee).
pub fn cancel_invitation(
    core: &Core,
    actor: &User,
    id: GroupId,
    target: UserId,
) -> Result<(), AppError> {
    if target != actor.id {
        ensure_admin(core, id, actor.id)?;
    }
    let trees = [Tree::GroupidInviteduserid, Tree::UseridInvitinggroupid];
    let was = core
        .store
        .transact(&trees, |tx| drop_invitation(tx, id, target))?;
    if was {
        Ok(())
    } else {
        Err(AppError::NotFound("invitation"))
    }
}

/// The group's waiting invitations (administrators).
pub fn invitations(
    core: &Core,
    actor: &User,
    id: GroupId,
) -> Result<Vec<InvitationView>, AppError> {
    ensure_admin(core, id, actor.id)?;
    let rows = core.store.scan_json::<Invitation>(
        Tree::GroupidInviteduserid,
        &id.key(),
        None,
        usize::MAX,
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (k, invitation) in rows {
        let user = UserId(be_u64(&k[8..]));
        if let Ok(u) = core.user(user) {
            out.push(InvitationView {
                user,
                display_name: u.profile.display_name,
                invited_by: invitation.by,
                at: invitation.at,
            });
        }
    }
    Ok(out)
}

/// The member's waiting invitations.
pub fn my_invitations(core: &Core, actor: &User) -> Result<Vec<MyInvitation>, AppError> {
    let rows = core.store.scan_prefix(
        Tree::UseridInvitinggroupid,
        &actor.id.key(),
        None,
        usize::MAX,
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (k, _) in rows {
        let id = GroupId(be_u64(&k[8..]));
        let invitation: Option<Invitation> = core
            .store
            .get_json(Tree::GroupidInviteduserid, &member_key(id, actor.id))?;
        let (Some(invitation), Ok(group)) = (invitation, group(core, id)) else {
            continue;
        };
        let name = core
            .user(invitation.by)
            .map(|u| u.profile.display_name)
            .unwrap_or_default();
        out.push(MyInvitation {
            group: GroupSummary::from(&group),
            by: invitation.by,
            name,
            at: invitation.at,
        });
    }
    Ok(out)
}

/// The group's members by user id (the key order, stable across joins), paged. An
/// invitation-only group's members are shown to its members only.
pub fn members(
    core: &Core,
    viewer: &User,
    id: GroupId,
    page: &PageQuery,
) -> Result<Page<MemberView>, AppError> {
    let group = group(core, id)?;
    if group.policy == crate::domain::group::JoinPolicy::Invited
        && !super::is_member(core, id, viewer.id)?
    {
        return Err(AppError::Forbidden(
            "only members see who is in an invitation-only group".into(),
        ));
    }
    let limit = page.limit(&core.config);
    let rows = core.store.scan_json::<Membership>(
        Tree::GroupidUserid,
        &id.key(),
        page.after_key()?.as_deref(),
        limit + 1,
    )?;
    let mut views = Vec::with_capacity(rows.len());
    for (k, m) in rows {
        let user = UserId(be_u64(&k[8..]));
        let Ok(u) = core.user(user) else { continue };
        let view = MemberView {
            user,
            display_name: u.profile.display_name.clone(),
            country: u.profile.country.clone(),
            picture_url: u.picture_url(),
            admin: m.admin,
            joined_at: m.joined_at,
        };
        views.push((k, view));
    }
    Ok(Page::from_rows(views, limit))
}

/// The member's groups with their unread counts, by group id.
pub fn mine(core: &Core, actor: &User) -> Result<Vec<MyGroup>, AppError> {
    let rows = core
        .store
        .scan_prefix(Tree::UseridGroupid, &actor.id.key(), None, usize::MAX)?;
    let mut out = Vec::with_capacity(rows.len());
    for (k, _) in rows {
        let id = GroupId(be_u64(&k[8..]));
        let (Ok(group), Some(m)) = (group(core, id), super::membership(core, id, actor.id)?) else {
            continue;
        };
        let unread = super::chat::unread(core, id, actor.id)?;
        out.push(MyGroup {
            group: GroupSummary::from(&group),
            admin: m.admin,
            unread: unread.unread,
            unread_more: unread.unread_more,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{climate_group, etwinner};
    use super::*;
    use crate::domain::group::JoinPolicy;
    use crate::service::groups::may_listen;
    use crate::service::testing;

    fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
        match r {
            Err(AppError::Forbidden(m)) => m,
            other => panic!("expected 403, got {other:?}"),
        }
    }

    #[test]
    fn each_policy_admits_whom_it_says() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let eve = etwinner(&core, "eve@x.eu", "IT");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let open = climate_group(&core, &ann, JoinPolicy::All).group.id;
        let etw = climate_group(&core, &ann, JoinPolicy::Etwinners).group.id;
        let inv = climate_group(&core, &ann, JoinPolicy::Invited).group.id;
        assert!(join(&core, &bob, open).unwrap().me.member);
        assert!(forbidden(join(&core, &bob, etw)).contains("eTwinners only"));
        assert!(join(&core, &eve, etw).unwrap().me.member);
        assert!(forbidden(join(&core, &eve, inv)).contains("invited"));
        assert!(!get_refusal(&core, &eve, inv).is_empty());
        invite(&core, &ann, inv, eve.id).unwrap();
        assert!(super::super::get(&core, &eve, inv).unwrap().me.may_join);
        let v = join(&core, &eve, inv).unwrap();
        assert!(v.me.member && !v.me.admin);
        assert_eq!(v.group.member_count, 2);
        // The invitation was used up.
        assert!(my_invitations(&core, &eve).unwrap().is_empty());
        // Joining again changes nothing.
        assert_eq!(join(&core, &eve, inv).unwrap().group.member_count, 2);
    }

    fn get_refusal(core: &Core, who: &User, g: GroupId) -> String {
        let v = super::super::get(core, who, g).unwrap();
        serde_json::to_string(&v.me.refusal).unwrap()
    }

    #[test]
    fn the_last_administrator_hands_over_before_leaving() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::All).group.id;
        join(&core, &bob, g).unwrap();
        assert!(matches!(leave(&core, &ann, g), Err(AppError::Conflict(_))));
        assert!(matches!(
            set_admin(&core, &ann, g, ann.id, false),
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            set_admin(&core, &bob, g, bob.id, true),
            Err(AppError::Forbidden(_))
        ));
        set_admin(&core, &ann, g, bob.id, true).unwrap();
        leave(&core, &ann, g).unwrap();
        let group = group(&core, g).unwrap();
        assert_eq!((group.member_count, group.admin_count), (1, 1));
        assert!(matches!(leave(&core, &bob, g), Err(AppError::Conflict(_))));
    }

    #[test]
    fn a_removed_member_is_cut_off_and_needs_an_invitation_back() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::All).group.id;
        join(&core, &bob, g).unwrap();
        assert!(matches!(
            remove(&core, &bob, g, ann.id),
            Err(AppError::Forbidden(_))
        ));
        remove(&core, &ann, g, bob.id).unwrap();
        assert!(may_listen(&core, bob.id, Topic::Group(g)).is_err());
        assert!(testing::published(&core)
            .iter()
            .any(|m| matches!(m, BusMessage::MembershipEnded { user, .. } if *user == bob.id)));
        assert!(forbidden(join(&core, &bob, g)).contains("removed"));
        invite(&core, &ann, g, bob.id).unwrap();
        assert!(join(&core, &bob, g).unwrap().me.member);
    }

    #[test]
    fn invitations_notify_and_can_be_withdrawn_or_declined() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let cleo = testing::member(&core, "cleo@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::Invited).group.id;
        assert!(matches!(
            invite(&core, &bob, g, cleo.id),
            Err(AppError::Forbidden(_))
        ));
        invite(&core, &ann, g, bob.id).unwrap();
        assert!(matches!(
            invite(&core, &ann, g, bob.id),
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            invite(&core, &ann, g, ann.id),
            Err(AppError::Conflict(_))
        ));
        let notified = testing::published(&core).into_iter().any(|m| {
            matches!(m, BusMessage::User(u, e) if u == bob.id
                && format!("{:?}", e.body).contains("GroupInvited"))
        });
        assert!(notified);
        let mine = my_invitations(&core, &bob).unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].name, ann.profile.display_name);
        assert_eq!(invitations(&core, &ann, g).unwrap().len(), 1);
        assert!(invitations(&core, &bob, g).is_err());
        cancel_invitation(&core, &bob, g, bob.id).unwrap();
        assert!(my_invitations(&core, &bob).unwrap().is_empty());
        assert!(matches!(
            cancel_invitation(&core, &bob, g, bob.id),
            Err(AppError::NotFound(_))
        ));
        invite(&core, &ann, g, cleo.id).unwrap();
        assert!(cancel_invitation(&core, &bob, g, cleo.id).is_err());
        cancel_invitation(&core, &ann, g, cleo.id).unwrap();
        assert!(forbidden(join(&core, &cleo, g)).contains("invited"));
    }

    #[test]
    fn invitation_only_members_are_for_members() {
        let (core, _) = testing::core();
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann, JoinPolicy::Invited).group.id;
        assert!(members(&core, &bob, g, &PageQuery::default()).is_err());
        let page = members(&core, &ann, g, &PageQuery::default()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(page.items[0].admin);
        let open = climate_group(&core, &ann, JoinPolicy::All).group.id;
        assert_eq!(
            members(&core, &bob, open, &PageQuery::default())
                .unwrap()
                .items
                .len(),
            1
        );
    }

    #[test]
    fn a_member_belongs_to_a_bounded_number_of_groups() {
        let (mut core, _) = testing::core();
        let mut config = (*core.config).clone();
        config.groups.groups_per_member = 2;
        core.config = std::sync::Arc::new(config);
        let ann = etwinner(&core, "ann@x.eu", "FR");
        let cleo = etwinner(&core, "cleo@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let groups = [
            climate_group(&core, &ann, JoinPolicy::All).group.id,
            climate_group(&core, &ann, JoinPolicy::All).group.id,
            climate_group(&core, &cleo, JoinPolicy::All).group.id,
        ];
        // Creating counts too: Ann is at her limit.
        let third = super::super::create(
            &core,
            &ann,
            super::super::tests::input("x", JoinPolicy::All),
        );
        assert!(matches!(third, Err(AppError::Conflict(_))));
        join(&core, &bob, groups[0]).unwrap();
        join(&core, &bob, groups[1]).unwrap();
        assert!(matches!(
            join(&core, &bob, groups[2]),
            Err(AppError::Conflict(_))
        ));
        leave(&core, &bob, groups[0]).unwrap();
        join(&core, &bob, groups[2]).unwrap();
        assert_eq!(mine(&core, &bob).unwrap().len(), 2);
    }
}
