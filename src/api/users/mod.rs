//! `/api/v1/users`: the owner and admins list, add, change and remove users (n8n's public-API
//! shapes: an array to create, `PATCH /users/{id}/role` with `newRoleName`, `transferId` on
//! delete). Nobody changes or removes the owner through the API.

mod create;
mod delete;
mod get;
mod list;
mod role;
mod update;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::error::ApiError;
use crate::api::sessions::UserResponse;
use crate::auth::{Principal, Role};
use crate::store::users::UserRecord;

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list::list_users)
        .service(create::create_users)
        .service(get::get_user)
        .service(update::update_user)
        .service(role::change_role)
        .service(delete::delete_user);
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserList {
    pub data: Vec<UserResponse>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// n8n's `includeRole`: answer each user's role too.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct IncludeRole {
    #[serde(default)]
    pub include_role: Option<bool>,
}

/// A role a user can be given through the API: `global:admin` or `global:member` (plain
/// `admin`/`member` too). The owner is made once, at setup.
pub fn given_role(raw: &str, field: &str) -> Result<Role, ApiError> {
    match Role::parse(raw) {
        Some(role @ (Role::Admin | Role::Member)) => Ok(role),
        Some(Role::Owner) => Err(ApiError::invalid_field(
            field,
            "the owner is made once, at setup; give global:admin or global:member",
        )),
        None => Err(ApiError::invalid_field(
            field,
            "must be global:admin or global:member",
        )),
    }
}

/// Refuses changing `target` unless `caller` may: nobody changes the owner through the API,
/// and only the owner changes an admin.
pub fn may_change(caller: &Principal, target: &UserRecord) -> Result<(), ApiError> {
    match target.role {
        Role::Owner => Err(ApiError::Forbidden(
            "the owner cannot be changed or removed through the API".into(),
        )),
        Role::Admin if caller.role != Role::Owner && caller.user_id != target.id => Err(
            ApiError::Forbidden("only the owner changes or removes an admin".into()),
        ),
        _ => Ok(()),
    }
}

/// A user's names: at most 32 characters each, as n8n.
pub fn check_name(field: &str, name: Option<&String>) -> Result<(), ApiError> {
    if name.is_some_and(|n| n.chars().count() > 32) {
        return Err(ApiError::invalid_field(
            field,
            "must be at most 32 characters",
        ));
    }
    Ok(())
}
