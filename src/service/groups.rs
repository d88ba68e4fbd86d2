//! Groups, as far as the live layer needs them: create, join, leave, membership, and
//! messages fanned out through the group's actor. Join policies, the Code of Conduct,
//! administrators, edits and mentions arrive with the groups issue.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{Core, Page, PageQuery};
use crate::domain::event::{GroupMessage, Topic, TopicEventBody};
use crate::domain::user::User;
use crate::error::AppError;
use crate::ids::{GroupId, UserId};
use crate::live::bus::BusMessage;
use crate::search::{self, DocRef};
use crate::store::{key, Tree, TxError};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Group {
    pub id: GroupId,
    pub title: String,
    pub description: String,
    pub created_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGroup {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMessage {
    /// The sender's id for this send; a retry with the same id returns the first message.
    pub client_id: String,
    pub text: String,
}

/// Longest client id accepted (they are stored as part of a key).
pub const CLIENT_ID_CHARS: usize = 64;

fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<(), AppError> {
    let n = value.trim().chars().count();
    if n < min || value.chars().count() > max {
        return Err(AppError::Validation(format!(
            "{field}: between {min} and {max} characters"
        )));
    }
    Ok(())
}

pub fn group(core: &Core, id: GroupId) -> Result<Group, AppError> {
    core.store
        .get_json(Tree::GroupidGroup, &id.key())?
        .ok_or(AppError::NotFound("group"))
}

pub fn is_member(core: &Core, group: GroupId, user: UserId) -> Result<bool, AppError> {
    Ok(core
        .store
        .get(Tree::GroupidUserid, &key(&[&group.key(), &user.key()]))?
        .is_some())
}

/// Creates a group; the creator is its first member.
pub fn create(core: &Core, actor: &User, input: NewGroup) -> Result<Group, AppError> {
    let limits = &core.config.groups;
    check_len("title", &input.title, 1, limits.title_chars)?;
    check_len(
        "description",
        &input.description,
        0,
        limits.description_chars,
    )?;
    let group = Group {
        id: GroupId(core.store.next_id()?),
        title: input.title.trim().to_string(),
        description: input.description,
        created_by: actor.id,
        created_at: core.clock.now(),
    };
    core.store.transact(
        &[
            Tree::GroupidGroup,
            Tree::GroupidUserid,
            Tree::UseridGroupid,
            Tree::SearchPending,
        ],
        |tx| {
            tx.put_json(Tree::GroupidGroup, &group.id.key(), &group)?;
            search::mark(tx, DocRef::Group(group.id))?;
            add_member(tx, group.id, actor.id, group.created_at)
        },
    )?;
    core.search.changed();
    Ok(group)
}

fn add_member(
    tx: &dyn crate::store::Txn,
    group: GroupId,
    user: UserId,
    at: OffsetDateTime,
) -> Result<(), TxError> {
    tx.put_json(Tree::GroupidUserid, &key(&[&group.key(), &user.key()]), &at)?;
    tx.insert(
        Tree::UseridGroupid,
        &key(&[&user.key(), &group.key()]),
        vec![],
    )
}

pub fn join(core: &Core, actor: &User, group_id: GroupId) -> Result<(), AppError> {
    group(core, group_id)?;
    let now = core.clock.now();
    core.store
        .transact(&[Tree::GroupidUserid, Tree::UseridGroupid], |tx| {
            add_member(tx, group_id, actor.id, now)
        })
}

/// Leaves the group; the member's open sockets stop receiving its events at once.
pub fn leave(core: &Core, actor: &User, group_id: GroupId) -> Result<(), AppError> {
    let member_key = key(&[&group_id.key(), &actor.id.key()]);
    core.store
        .transact(&[Tree::GroupidUserid, Tree::UseridGroupid], |tx| {
            if tx.get(Tree::GroupidUserid, &member_key)?.is_none() {
                return Err(TxError::Abort(AppError::NotFound("group membership")));
            }
            tx.remove(Tree::GroupidUserid, &member_key)?;
            tx.remove(
                Tree::UseridGroupid,
                &key(&[&actor.id.key(), &group_id.key()]),
            )
        })?;
    core.bus.publish(vec![BusMessage::MembershipEnded {
        topic: Topic::Group(group_id),
        user: actor.id,
    }]);
    Ok(())
}

/// Posts a message (members only). Idempotent per (member, client id): a retry returns the
/// stored message and publishes nothing new.
pub fn post(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    input: NewMessage,
) -> Result<GroupMessage, AppError> {
    check_len("client_id", &input.client_id, 1, CLIENT_ID_CHARS)?;
    check_len("text", &input.text, 1, core.config.groups.message_chars)?;
    if !is_member(core, group_id, actor)? {
        return Err(AppError::Forbidden(
            "only members can write in a group".into(),
        ));
    }
    let id = core.store.next_id()?;
    let message = GroupMessage {
        id,
        group: group_id,
        author: actor,
        text: input.text,
        client_id: input.client_id,
        at: core.clock.now(),
    };
    let dedup_key = key(&[&group_id.key(), &actor.key(), message.client_id.as_bytes()]);
    let (stored, fresh) =
        core.store
            .transact(&[Tree::GroupidMessage, Tree::GroupidClientid], |tx| {
                if let Some(existing) = tx.get(Tree::GroupidClientid, &dedup_key)? {
                    let first = crate::store::be_u64(&existing);
                    let msg_key = key(&[&group_id.key(), &(u64::MAX - first).to_be_bytes()]);
                    let msg = tx
                        .get_json::<GroupMessage>(Tree::GroupidMessage, &msg_key)?
                        .ok_or(TxError::Abort(AppError::internal(
                            "client id points nowhere",
                        )))?;
                    return Ok((msg, false));
                }
                tx.put_u64(Tree::GroupidClientid, &dedup_key, id)?;
                tx.put_json(
                    Tree::GroupidMessage,
                    &key(&[&group_id.key(), &(u64::MAX - id).to_be_bytes()]),
                    &message,
                )?;
                Ok((message.clone(), true))
            })?;
    if fresh {
        let event = TopicEventBody::Message {
            message: stored.clone(),
        };
        core.bus
            .publish(vec![BusMessage::Topic(Topic::Group(group_id), event)]);
    }
    Ok(stored)
}

/// The group's messages, newest first (members only).
pub fn messages(
    core: &Core,
    actor: UserId,
    group_id: GroupId,
    page: &PageQuery,
) -> Result<Page<GroupMessage>, AppError> {
    if !is_member(core, group_id, actor)? {
        return Err(AppError::Forbidden("only members can read a group".into()));
    }
    let limit = page.limit(&core.config);
    let rows = core.store.scan_json(
        Tree::GroupidMessage,
        &group_id.key(),
        page.after_key()?.as_deref(),
        limit + 1,
    )?;
    Ok(Page::from_rows(rows, limit))
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
mod tests {
    use super::*;
    use crate::service::testing;

    fn climate_group(core: &Core, creator: &User) -> Group {
        let input = NewGroup {
            title: "Climate".into(),
            description: String::new(),
        };
        create(core, creator, input).unwrap()
    }

    fn msg(client_id: &str, text: &str) -> NewMessage {
        NewMessage {
            client_id: client_id.into(),
            text: text.into(),
        }
    }

    #[test]
    fn only_members_post_and_retries_post_once() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann);
        assert!(matches!(
            post(&core, bob.id, g.id, msg("1", "hi")),
            Err(AppError::Forbidden(_))
        ));
        let first = post(&core, ann.id, g.id, msg("c-1", "hello")).unwrap();
        let again = post(&core, ann.id, g.id, msg("c-1", "hello")).unwrap();
        assert_eq!(first, again);
        let page = messages(&core, ann.id, g.id, &PageQuery::default()).unwrap();
        assert_eq!(page.items.len(), 1);
        let topic_events = testing::published(&core)
            .into_iter()
            .filter(|m| matches!(m, BusMessage::Topic(..)))
            .count();
        assert_eq!(topic_events, 1);
    }

    #[test]
    fn leaving_ends_listening() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let g = climate_group(&core, &ann);
        assert!(may_listen(&core, bob.id, Topic::Group(g.id)).is_err());
        join(&core, &bob, g.id).unwrap();
        may_listen(&core, bob.id, Topic::Group(g.id)).unwrap();
        leave(&core, &bob, g.id).unwrap();
        assert!(may_listen(&core, bob.id, Topic::Group(g.id)).is_err());
        assert!(testing::published(&core)
            .iter()
            .any(|m| matches!(m, BusMessage::MembershipEnded { user, .. } if *user == bob.id)));
        assert!(matches!(
            may_listen(&core, ann.id, Topic::TwinSpace(crate::ids::TwinSpaceId(1))),
            Err(AppError::NotFound(_))
        ));
    }
}
