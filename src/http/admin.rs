//! `/api/admin/backups`: backups taken by the running server (administrators only).

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Member;
use super::run;
use crate::error::{AppError, ErrorBody};
use crate::service::backup::{self, Backup};
use crate::service::Core;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_backup);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupInput {
    /// The backup's directory name under `store.backup_dir` (letters, digits, `.`, `_`, `-`);
    /// a name, never a path.
    pub name: String,
}

/// Back the store up into `store.backup_dir`/`name` (administrators only). Writes pause while
/// the store is copied; the backup holds every write acknowledged before this request. It
/// answers when the backup is complete and on disk. Restore it with `twinhub restore`.
#[utoipa::path(tag = "admin", request_body = BackupInput,
    responses((status = 201, body = Backup), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "a backup of that name already exists")))]
#[post("/admin/backups")]
async fn create_backup(
    core: web::Data<Core>,
    m: Member,
    body: web::Json<BackupInput>,
) -> Result<HttpResponse, AppError> {
    let name = body.into_inner().name;
    let backup = run(move || backup::create(&core, &m.0.user, &name)).await?;
    Ok(HttpResponse::Created().json(backup))
}
