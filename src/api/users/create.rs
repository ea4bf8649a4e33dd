//! `POST /api/v1/users`: adds users, n8n's array in and array out.

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_name, given_role};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::auth::{Email, Role, hash_password};
use crate::state::AppState;
use crate::store::{self, StoreError, users::NewUser};

/// The most users one request adds (each password costs an argon2 hash).
const MAX_USERS: usize = 100;

/// A user to add. Without a password the user is pending: they use API keys an admin makes
/// for them, or sign in once a password is set with `PATCH /users/{id}`.
// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUserItem {
    #[schema(
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+$",
        max_length = 254,
        example = "grace@example.com"
    )]
    pub email: String,
    /// `global:member` (default) or `global:admin`.
    #[schema(example = "global:member")]
    #[serde(default)]
    pub role: Option<String>,
    /// 8 to 64 characters with a digit and an upper-case letter (Weft; n8n sends an invitation).
    #[schema(min_length = 8, max_length = 64)]
    #[serde(default)]
    pub password: Option<String>,
    #[schema(max_length = 32)]
    #[serde(default)]
    pub first_name: Option<String>,
    #[schema(max_length = 32)]
    #[serde(default)]
    pub last_name: Option<String>,
}

/// The user made from one item (n8n's shape).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUserRef {
    pub id: String,
    pub email: String,
    /// Weft sends no email: always `false`.
    pub email_sent: bool,
    pub role: String,
}

/// What became of one item: the user, or why it was not made.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<CreatedUserRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A checked item, ready to store.
fn parse(item: NewUserItem, at: usize) -> Result<(NewUser, Option<String>), ApiError> {
    let field = |f: &str| format!("[{at}].{f}");
    let email = Email::parse(&item.email)
        .map_err(|e| ApiError::invalid_field(field("email"), e.to_string()))?;
    let role = match item.role.as_deref() {
        Some(raw) => given_role(raw, &field("role"))?,
        None => Role::Member,
    };
    check_name(&field("firstName"), item.first_name.as_ref())?;
    check_name(&field("lastName"), item.last_name.as_ref())?;
    let new = NewUser {
        email: email.to_string(),
        role,
        password_hash: None,
        first_name: item.first_name,
        last_name: item.last_name,
    };
    Ok((new, item.password))
}

/// Add users
///
/// Adds each user of the array and answers, item by item, the user made or why not (a taken
/// email). The owner and admins only; nobody is made owner.
#[utoipa::path(
    tag = "users",
    request_body = Vec<NewUserItem>,
    responses(
        (status = 201, description = "One answer per item, in order", body = Vec<CreatedUser>),
        (status = 400, description = "A bad email, role, name or password, or not 1 to 100 items", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_users(
    state: web::Data<AppState>,
    body: JsonBody<Vec<NewUserItem>>,
) -> Result<HttpResponse, ApiError> {
    let items = body.0;
    if items.is_empty() || items.len() > MAX_USERS {
        return Err(ApiError::invalid_field(
            "body",
            format!("must hold 1 to {MAX_USERS} users"),
        ));
    }
    // Everything is checked before anything is stored.
    let mut parsed = Vec::with_capacity(items.len());
    for (at, item) in items.into_iter().enumerate() {
        parsed.push(parse(item, at)?);
    }
    let mut ready = Vec::with_capacity(parsed.len());
    for (at, (mut new, password)) in parsed.into_iter().enumerate() {
        if let Some(password) = password {
            new.password_hash = Some(
                web::block(move || hash_password(&password))
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))?
                    .map_err(|e| {
                        ApiError::invalid_field(format!("[{at}].password"), e.to_string())
                    })?,
            );
        }
        ready.push(new);
    }
    let mut answers = Vec::with_capacity(ready.len());
    for new in ready {
        answers.push(match store::users::create(&state.db, &new).await {
            Ok(user) => {
                tracing::info!(user = %user.id, role = %user.role, "user created");
                CreatedUser {
                    user: Some(CreatedUserRef {
                        id: user.id.to_string(),
                        email: user.email,
                        email_sent: false,
                        role: format!("global:{}", user.role),
                    }),
                    error: None,
                }
            }
            Err(StoreError::Conflict(why)) => CreatedUser {
                user: None,
                error: Some(why),
            },
            Err(other) => return Err(other.into()),
        });
    }
    Ok(HttpResponse::Created().json(answers))
}
