//! Schools (organisations, R13): create or find a school, add it to your profile, leave it.
//! A school keeps every tie it ever had, so leaving loses no history.

use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{text, Core, Page, PageQuery};
use crate::config::Limits;
use crate::domain::catalog;
use crate::domain::school::{school_key, School, Tie};
use crate::domain::user::{PublicProfile, User};
use crate::error::AppError;
use crate::ids::{SchoolId, TieId, UserId};
use crate::store::{key, Tree, TxError};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[garde(context(Limits as ctx))]
pub struct NewSchool {
    #[garde(length(chars, min = 1, max = ctx.school_name_chars))]
    pub name: String,
    /// eTwinning country code.
    #[garde(skip)]
    pub country: String,
    #[garde(length(chars, min = 1, max = ctx.city_chars))]
    pub city: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SchoolQuery {
    /// Words that must appear in the school's name or city (case-insensitive).
    pub q: Option<String>,
    /// Only schools of this country.
    pub country: Option<String>,
    /// Items per page (default and maximum in config.toml).
    pub limit: Option<usize>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

impl SchoolQuery {
    pub fn page(&self) -> PageQuery {
        PageQuery {
            limit: self.limit,
            after: self.after.clone(),
        }
    }
}

/// A school with its current teachers and its whole membership history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolDetail {
    #[serde(flatten)]
    pub school: School,
    pub teachers: Vec<PublicProfile>,
    pub history: Vec<Tie>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinInput {
    pub school_id: SchoolId,
}

fn ensure_self(actor: &User, target: UserId) -> Result<(), AppError> {
    if actor.id == target {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "you can only change your own schools".into(),
        ))
    }
}

pub fn school(core: &Core, id: SchoolId) -> Result<School, AppError> {
    core.store
        .get_json(Tree::SchoolidSchool, &id.key())?
        .ok_or(AppError::NotFound("school"))
}

/// Creates a school; refuses a duplicate (same country, city and name), naming the existing one.
pub fn create(core: &Core, actor: &User, input: NewSchool) -> Result<School, AppError> {
    input.validate_with(&core.config.limits)?;
    text::single_line("name", &input.name)?;
    text::single_line("city", &input.city)?;
    if !catalog::is_country(&input.country) {
        return Err(AppError::Validation(format!(
            "country: '{}' is not an eTwinning country code",
            input.country
        )));
    }
    let (name, city) = (input.name.trim(), input.city.trim());
    if name.is_empty() || city.is_empty() {
        return Err(AppError::Validation(
            "name and city must not be blank".into(),
        ));
    }
    let school = School {
        id: SchoolId(core.store.next_id()?),
        name: name.to_string(),
        country: input.country.clone(),
        city: city.to_string(),
        registered_at: core.clock.now(),
        created_by: actor.id,
    };
    insert_school(core, &school)?;
    Ok(school)
}

/// Writes a school and its lookup key unless an equal school exists.
pub fn insert_school(core: &Core, school: &School) -> Result<(), AppError> {
    let lookup = school_key(&school.country, &school.city, &school.name);
    core.store
        .transact(&[Tree::SchoolidSchool, Tree::SchoolkeySchoolid], |tx| {
            if let Some(existing) = tx.get(Tree::SchoolkeySchoolid, lookup.as_bytes())? {
                let id = SchoolId::from_key(&existing)
                    .map(|i| i.0)
                    .unwrap_or_default();
                return Err(TxError::Abort(AppError::Conflict(format!(
                "this school is already registered as school {id}; add that one to your profile"
            ))));
            }
            tx.put_json(Tree::SchoolidSchool, &school.id.key(), school)?;
            tx.insert(
                Tree::SchoolkeySchoolid,
                lookup.as_bytes(),
                school.id.key().to_vec(),
            )?;
            Ok(())
        })
}

/// Finds schools by country and words of their name or city, in country/city/name order.
pub fn find(core: &Core, query: &SchoolQuery) -> Result<Page<School>, AppError> {
    let limits = &core.config.limits;
    let q = query.q.as_deref().unwrap_or("");
    if q.chars().count() > limits.query_chars {
        return Err(AppError::Validation(format!(
            "q: at most {} characters",
            limits.query_chars
        )));
    }
    text::single_line("q", q)?;
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    let prefix = match &query.country {
        Some(c) => format!("{c}|"),
        None => String::new(),
    };
    let limit = query.page().limit(&core.config);
    let mut after = query.page().after_key()?;
    let mut rows = Vec::new();
    while rows.len() <= limit {
        let batch = core.store.scan_prefix(
            Tree::SchoolkeySchoolid,
            prefix.as_bytes(),
            after.as_deref(),
            256,
        )?;
        let Some((last, _)) = batch.last() else { break };
        after = Some(last.clone());
        for (k, v) in batch {
            let text = String::from_utf8_lossy(&k);
            if rows.len() <= limit && words.iter().all(|w| text.contains(w.as_str())) {
                let id =
                    SchoolId::from_key(&v).ok_or_else(|| AppError::internal("bad school index"))?;
                rows.push((k, school(core, id)?));
            }
        }
    }
    Ok(Page::from_rows(rows, limit))
}

/// All ties of a school, current and past, in the order they were made.
fn ties(core: &Core, id: SchoolId) -> Result<Vec<Tie>, AppError> {
    Ok(core
        .store
        .scan_json::<Tie>(Tree::SchoolidTie, &id.key(), None, usize::MAX)?
        .into_iter()
        .map(|(_, t)| t)
        .collect())
}

pub fn detail(core: &Core, id: SchoolId) -> Result<SchoolDetail, AppError> {
    let school = school(core, id)?;
    let history = ties(core, id)?;
    let teachers = history
        .iter()
        .filter(|t| t.left_at.is_none())
        .map(|t| core.user(t.user).map(|u| u.public_view()))
        .collect::<Result<_, _>>()?;
    Ok(SchoolDetail {
        school,
        teachers,
        history,
    })
}

/// The member's current schools.
pub fn of_member(core: &Core, member: UserId) -> Result<Vec<School>, AppError> {
    core.user(member)?;
    core.store
        .scan_prefix(Tree::UseridSchoolidTie, &member.key(), None, usize::MAX)?
        .into_iter()
        .map(|(k, _)| {
            let id =
                SchoolId::from_key(&k[8..]).ok_or_else(|| AppError::internal("bad tie key"))?;
            school(core, id)
        })
        .collect()
}

/// Adds a school to the member's profile.
pub fn join(
    core: &Core,
    actor: &User,
    member: UserId,
    school_id: SchoolId,
) -> Result<Tie, AppError> {
    ensure_self(actor, member)?;
    school(core, school_id)?;
    let max = core.config.limits.schools_per_user as u64;
    let tie = Tie {
        id: TieId(core.store.next_id()?),
        school: school_id,
        user: member,
        joined_at: core.clock.now(),
        left_at: None,
    };
    let current_key = key(&[&member.key(), &school_id.key()]);
    let trees = [
        Tree::SchoolidTie,
        Tree::UseridSchoolidTie,
        Tree::UseridSchoolcount,
    ];
    core.store.transact(&trees, |tx| {
        if tx.get(Tree::UseridSchoolidTie, &current_key)?.is_some() {
            return Err(TxError::Abort(AppError::Conflict(
                "this school is already on your profile".into(),
            )));
        }
        // Counted inside the transaction, so parallel joins cannot exceed the cap.
        let count = tx.get_u64(Tree::UseridSchoolcount, &member.key())?;
        if count >= max {
            return Err(TxError::Abort(AppError::Conflict(format!(
                "a profile can hold at most {max} schools"
            ))));
        }
        tx.put_u64(Tree::UseridSchoolcount, &member.key(), count + 1)?;
        tx.put_json(
            Tree::SchoolidTie,
            &key(&[&school_id.key(), &tie.id.key()]),
            &tie,
        )?;
        tx.insert(Tree::UseridSchoolidTie, &current_key, tie.id.key().to_vec())?;
        Ok(tie.clone())
    })
}

/// "Leave organisation": ends the tie, keeps it in the school's history.
pub fn leave(
    core: &Core,
    actor: &User,
    member: UserId,
    school_id: SchoolId,
) -> Result<Tie, AppError> {
    ensure_self(actor, member)?;
    let now = core.clock.now();
    let current_key = key(&[&member.key(), &school_id.key()]);
    let trees = [
        Tree::SchoolidTie,
        Tree::UseridSchoolidTie,
        Tree::UseridSchoolcount,
    ];
    core.store.transact(&trees, |tx| {
        let count = tx.get_u64(Tree::UseridSchoolcount, &member.key())?;
        tx.put_u64(
            Tree::UseridSchoolcount,
            &member.key(),
            count.saturating_sub(1),
        )?;
        let tie_id = tx
            .get(Tree::UseridSchoolidTie, &current_key)?
            .and_then(|v| TieId::from_key(&v))
            .ok_or(TxError::Abort(AppError::NotFound("school on your profile")))?;
        let tie_key = key(&[&school_id.key(), &tie_id.key()]);
        let mut tie: Tie = tx
            .get_json(Tree::SchoolidTie, &tie_key)?
            .ok_or(TxError::Abort(AppError::internal(
                "tie index points nowhere",
            )))?;
        tie.left_at = Some(now);
        tx.put_json(Tree::SchoolidTie, &tie_key, &tie)?;
        tx.remove(Tree::UseridSchoolidTie, &current_key)?;
        Ok(tie)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;

    fn new_school(name: &str) -> NewSchool {
        NewSchool {
            name: name.into(),
            country: "FR".into(),
            city: "Lyon".into(),
        }
    }

    #[test]
    fn duplicates_are_refused_and_found_by_search() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        let s = create(&core, &ann, new_school("Lycée Ampère")).unwrap();
        let dup = create(&core, &ann, new_school("  lycée  AMPÈRE "));
        assert!(matches!(dup, Err(AppError::Conflict(m)) if m.contains(&s.id.to_string())));
        create(&core, &ann, new_school("Collège Jean Moulin")).unwrap();
        let q = SchoolQuery {
            q: Some("AMPÈRE lyon".into()),
            country: Some("FR".into()),
            limit: None,
            after: None,
        };
        let found = find(&core, &q).unwrap();
        assert_eq!(found.items.len(), 1);
        assert_eq!(found.items[0].id, s.id);
    }

    #[test]
    fn leaving_keeps_history_and_rejoining_adds_a_tie() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "FR");
        let s = create(&core, &ann, new_school("Lycée Ampère")).unwrap();
        join(&core, &ann, ann.id, s.id).unwrap();
        assert!(matches!(
            join(&core, &ann, ann.id, s.id),
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            join(&core, &bob, ann.id, s.id),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            leave(&core, &bob, ann.id, s.id),
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(of_member(&core, ann.id).unwrap().len(), 1);
        leave(&core, &ann, ann.id, s.id).unwrap();
        assert!(matches!(
            leave(&core, &ann, ann.id, s.id),
            Err(AppError::NotFound(_))
        ));
        assert!(of_member(&core, ann.id).unwrap().is_empty());
        join(&core, &ann, ann.id, s.id).unwrap();
        let d = detail(&core, s.id).unwrap();
        assert_eq!(d.history.len(), 2);
        assert!(d.history[0].left_at.is_some());
        assert_eq!(d.teachers.len(), 1);
    }

    #[test]
    fn the_school_count_per_member_is_capped() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        let max = core.config.limits.schools_per_user;
        for i in 0..max {
            let s = create(&core, &ann, new_school(&format!("School {i}"))).unwrap();
            join(&core, &ann, ann.id, s.id).unwrap();
        }
        let extra = create(&core, &ann, new_school("One too many")).unwrap();
        assert!(matches!(
            join(&core, &ann, ann.id, extra.id),
            Err(AppError::Conflict(_))
        ));
    }
}
