//! Viewing and editing profiles, and profile pictures (R1, R13).

use garde::Validate;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{text, Core};
use crate::config::Limits;
use crate::domain::catalog::{self, MemberType};
use crate::domain::user::{dedup_codes, OwnProfile, PictureMeta, PublicProfile, User};
use crate::error::AppError;
use crate::ids::UserId;
use crate::search::{self, DocRef};
use crate::store::{key, Tree, TxError, Txn};

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[garde(context(Limits as ctx))]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[garde(length(chars, min = 1, max = ctx.display_name_chars))]
    pub display_name: Option<String>,
    /// eTwinning country code. Changing it withdraws the NSO validation (the new
    /// country's NSO has to validate the member again) and clears an NSO refusal.
    #[garde(skip)]
    pub country: Option<String>,
    #[garde(length(max = ctx.languages_per_profile))]
    pub languages: Option<Vec<String>>,
    #[garde(length(max = ctx.subjects_per_profile))]
    pub subjects: Option<Vec<String>>,
    #[garde(skip)]
    pub member_type: Option<MemberType>,
    #[garde(length(chars, max = ctx.bio_chars))]
    pub bio: Option<String>,
    #[garde(skip)]
    pub available_for_projects: Option<bool>,
}

/// Picture formats accepted, with the bytes each file type starts with.
const PICTURE_TYPES: &[(&str, &[u8])] = &[
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/gif", b"GIF8"),
    ("image/webp", b"RIFF"),
];

pub fn public_profile(core: &Core, id: UserId) -> Result<PublicProfile, AppError> {
    Ok(core.user(id)?.public_view())
}

/// Only the member themself may change their profile.
fn ensure_self(actor: &User, target: UserId) -> Result<(), AppError> {
    if actor.id == target {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "you can only change your own profile".into(),
        ))
    }
}

fn check_codes(field: &str, codes: &[String], known: fn(&str) -> bool) -> Result<(), AppError> {
    match codes.iter().find(|c| !known(c)) {
        Some(bad) => Err(AppError::Validation(format!(
            "{field}: unknown code '{bad}'"
        ))),
        None => Ok(()),
    }
}

fn check_patch(core: &Core, patch: &ProfilePatch) -> Result<(), AppError> {
    patch.validate_with(&core.config.limits)?;
    if let Some(c) = &patch.country {
        check_codes("country", std::slice::from_ref(c), catalog::is_country)?;
    }
    check_codes(
        "languages",
        patch.languages.as_deref().unwrap_or_default(),
        catalog::is_language,
    )?;
    check_codes(
        "subjects",
        patch.subjects.as_deref().unwrap_or_default(),
        catalog::is_subject,
    )?;
    text::single_line_opt("display_name", patch.display_name.as_deref())?;
    text::multi_line_opt("bio", patch.bio.as_deref())?;
    if patch
        .display_name
        .as_deref()
        .is_some_and(|n| n.trim().is_empty())
    {
        return Err(AppError::Validation(
            "display_name: must not be blank".into(),
        ));
    }
    Ok(())
}

/// Applies the patch to a copy of the stored member; says whether the country changed.
fn apply(mut user: User, patch: &ProfilePatch) -> (User, Option<Option<String>>) {
    let p = &mut user.profile;
    if let Some(v) = &patch.display_name {
        p.display_name = v.trim().to_string();
    }
    if let Some(v) = &patch.languages {
        p.languages = dedup_codes(v);
    }
    if let Some(v) = &patch.subjects {
        p.subjects = dedup_codes(v);
    }
    if let Some(v) = patch.member_type {
        p.member_type = v;
    }
    if let Some(v) = &patch.bio {
        p.bio = v.clone();
    }
    if let Some(v) = patch.available_for_projects {
        p.available_for_projects = v;
    }
    let mut old_country = None;
    if let Some(c) = &patch.country {
        if p.country.as_ref() != Some(c) {
            old_country = Some(p.country.replace(c.clone()));
            // The new country's NSO decides afresh: neither the old one's yes nor its no stands.
            user.validation = None;
            user.refusal = None;
        }
    }
    (user, old_country)
}

pub fn update_profile(
    core: &Core,
    actor: &User,
    target: UserId,
    patch: ProfilePatch,
) -> Result<OwnProfile, AppError> {
    ensure_self(actor, target)?;
    check_patch(core, &patch)?;
    // A posting's result card shows its author's name: a new name re-indexes them. Listed
    // before the transaction, which cannot scan; one written meanwhile is indexed with the
    // name as the store has it then, which is already the new one or marked again.
    let postings = if patch.display_name.is_some() {
        super::postings::ids_by_author(core, target)?
    } else {
        Vec::new()
    };
    let user = core.store.transact(
        &[Tree::UseridUser, Tree::CountryUserid, Tree::SearchPending],
        |tx| {
            let current = load(tx, target)?;
            let (user, old_country) = apply(current, &patch);
            if let Some(old) = old_country {
                move_country_index(tx, target, old.as_deref(), user.profile.country.as_deref())?;
            }
            tx.put_json(Tree::UseridUser, &target.key(), &user)?;
            search::mark(tx, DocRef::User(target))?;
            for id in &postings {
                search::mark(tx, DocRef::Posting(*id))?;
            }
            Ok(user)
        },
    )?;
    core.search.changed();
    Ok(OwnProfile::from(&user))
}

/// Remembers the UI language the member chose (`None` forgets it), so the UI starts in it on
/// every browser they log in from, not only the one that stored it locally.
pub fn set_ui_language(
    core: &Core,
    actor: &User,
    language: Option<String>,
) -> Result<OwnProfile, AppError> {
    if let Some(l) = &language {
        check_codes("language", std::slice::from_ref(l), catalog::is_language)?;
    }
    let user = core.store.transact(&[Tree::UseridUser], |tx| {
        let mut user = load(tx, actor.id)?;
        user.ui_language = language.clone();
        tx.put_json(Tree::UseridUser, &actor.id.key(), &user)?;
        Ok(user)
    })?;
    Ok(OwnProfile::from(&user))
}

pub(crate) fn load(tx: &dyn Txn, id: UserId) -> Result<User, TxError> {
    tx.get_json(Tree::UseridUser, &id.key())?
        .ok_or(TxError::Abort(AppError::NotFound("user")))
}

fn move_country_index(
    tx: &dyn Txn,
    id: UserId,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), TxError> {
    if let Some(c) = old {
        tx.remove(Tree::CountryUserid, &key(&[c.as_bytes(), &id.key()]))?;
    }
    if let Some(c) = new {
        tx.insert(
            Tree::CountryUserid,
            &key(&[c.as_bytes(), &id.key()]),
            vec![],
        )?;
    }
    Ok(())
}

/// Checks that the bytes really are the declared image type (not HTML or script in disguise).
pub fn check_picture(content_type: &str, bytes: &[u8], limit: usize) -> Result<(), AppError> {
    if bytes.len() > limit {
        return Err(AppError::PayloadTooLarge { limit });
    }
    if bytes.is_empty() {
        return Err(AppError::Validation("picture: the body is empty".into()));
    }
    let Some((_, magic)) = PICTURE_TYPES.iter().find(|(t, _)| *t == content_type) else {
        return Err(AppError::UnsupportedMediaType(
            "a picture must be image/png, image/jpeg, image/gif or image/webp".into(),
        ));
    };
    let webp_ok = content_type != "image/webp" || bytes.get(8..12) == Some(b"WEBP");
    if bytes.starts_with(magic) && webp_ok {
        Ok(())
    } else {
        Err(AppError::Validation(format!(
            "picture: the content is not {content_type}"
        )))
    }
}

pub fn set_picture(
    core: &Core,
    actor: &User,
    target: UserId,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<OwnProfile, AppError> {
    ensure_self(actor, target)?;
    check_picture(content_type, &bytes, core.config.limits.picture_bytes)?;
    let meta = PictureMeta {
        content_type: content_type.to_string(),
        bytes: bytes.len(),
        updated_at: core.clock.now(),
    };
    write_picture(core, target, Some((meta, bytes)))
}

pub fn delete_picture(core: &Core, actor: &User, target: UserId) -> Result<OwnProfile, AppError> {
    ensure_self(actor, target)?;
    write_picture(core, target, None)
}

fn write_picture(
    core: &Core,
    target: UserId,
    picture: Option<(PictureMeta, Vec<u8>)>,
) -> Result<OwnProfile, AppError> {
    let user = core.store.transact(
        &[Tree::UseridUser, Tree::UseridPicture, Tree::SearchPending],
        |tx| {
            let mut user = load(tx, target)?;
            match &picture {
                Some((meta, bytes)) => {
                    tx.insert(Tree::UseridPicture, &target.key(), bytes.clone())?;
                    user.picture = Some(meta.clone());
                }
                None => {
                    tx.remove(Tree::UseridPicture, &target.key())?;
                    user.picture = None;
                }
            }
            tx.put_json(Tree::UseridUser, &target.key(), &user)?;
            // The result card links the picture.
            search::mark(tx, DocRef::User(target))?;
            Ok(user)
        },
    )?;
    core.search.changed();
    Ok(OwnProfile::from(&user))
}

/// The picture's content type and bytes.
pub fn picture(core: &Core, id: UserId) -> Result<(String, Vec<u8>, OffsetDateTime), AppError> {
    let user = core.user(id)?;
    let meta = user.picture.ok_or(AppError::NotFound("picture"))?;
    let bytes = core
        .store
        .get(Tree::UseridPicture, &id.key())?
        .ok_or(AppError::NotFound("picture"))?;
    Ok((meta.content_type, bytes, meta.updated_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;

    #[test]
    fn members_edit_only_their_own_profile() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        let bob = testing::member(&core, "bob@x.eu", "DE");
        let patch = ProfilePatch {
            bio: Some("hi".into()),
            ..Default::default()
        };
        assert!(matches!(
            update_profile(&core, &ann, bob.id, patch),
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(core.user(bob.id).unwrap().profile.bio, "");
    }

    #[test]
    fn unknown_codes_and_long_fields_are_refused() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        let cases = [
            ProfilePatch {
                languages: Some(vec!["xx".into()]),
                ..Default::default()
            },
            ProfilePatch {
                subjects: Some(vec!["alchemy".into()]),
                ..Default::default()
            },
            ProfilePatch {
                country: Some("ZZ".into()),
                ..Default::default()
            },
            ProfilePatch {
                bio: Some("x".repeat(core.config.limits.bio_chars + 1)),
                ..Default::default()
            },
            ProfilePatch {
                display_name: Some("   ".into()),
                ..Default::default()
            },
        ];
        for patch in cases {
            assert!(matches!(
                update_profile(&core, &ann, ann.id, patch),
                Err(AppError::Validation(_))
            ));
        }
    }

    #[test]
    fn changing_country_withdraws_validation_and_moves_the_index() {
        let (core, _) = testing::core();
        let ann = testing::member(&core, "ann@x.eu", "FR");
        core.store
            .transact(&[Tree::UseridUser], |tx| {
                let mut u = load(tx, ann.id)?;
                u.validation = Some(crate::domain::user::Validation {
                    by: ann.id,
                    at: u.created_at,
                });
                tx.put_json(Tree::UseridUser, &ann.id.key(), &u)
            })
            .unwrap();
        let patch = ProfilePatch {
            country: Some("PL".into()),
            ..Default::default()
        };
        let own = update_profile(&core, &ann, ann.id, patch).unwrap();
        assert!(own.validation.is_none());
        let fr = core
            .store
            .scan_prefix(Tree::CountryUserid, b"FR", None, 10)
            .unwrap();
        let pl = core
            .store
            .scan_prefix(Tree::CountryUserid, b"PL", None, 10)
            .unwrap();
        assert!(fr.is_empty());
        assert_eq!(pl.len(), 1);
    }

    #[test]
    fn pictures_must_be_what_they_claim() {
        let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
        check_picture("image/png", &png, 1000).unwrap();
        assert!(matches!(
            check_picture("image/jpeg", &png, 1000),
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            check_picture("text/html", b"<script>", 1000),
            Err(AppError::UnsupportedMediaType(_))
        ));
        assert!(matches!(
            check_picture("image/png", &png, 4),
            Err(AppError::PayloadTooLarge { .. })
        ));
        assert!(matches!(
            check_picture("image/webp", b"RIFF0000WAVE", 100),
            Err(AppError::Validation(_))
        ));
        check_picture("image/webp", b"RIFF0000WEBPVP8 ", 100).unwrap();
    }
}
