//! `POST /api/v1/api-keys`.

use actix_web::{HttpResponse, post, web};

use super::{ApiKeyCreate, ApiKeyResponse, CreatedApiKey};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::auth::{Principal, Scopes};
use crate::state::AppState;
use crate::store::{self, api_keys::NewApiKey};

/// Create an API key
///
/// A key for the caller, with the scopes and lifetime asked for. The key is in the answer
/// once and never again (only its hash is stored). Needs a credential with every scope.
#[utoipa::path(
    tag = "api-keys",
    request_body = ApiKeyCreate,
    responses(
        (status = 201, description = "The new key, shown this once", body = CreatedApiKey),
        (status = 400, description = "A bad label, scope or lifetime", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<ApiKeyCreate>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let label_ok = (1..=100).contains(&body.label.chars().count())
        && !body.label.chars().any(char::is_control);
    if !label_ok {
        return Err(ApiError::invalid_field(
            "label",
            "must be 1 to 100 characters without control characters",
        ));
    }
    let scopes = match &body.scopes {
        None => Scopes::All,
        Some(names) => {
            let names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
            Scopes::parse(&names).map_err(|m| ApiError::invalid_field("scopes", m))?
        }
    };
    // A JSON integer may be written `30.0`.
    let expires_at = match body.expires_in_days {
        None => None,
        Some(days) if days.fract() == 0.0 && (1.0..=3650.0).contains(&days) => {
            Some(store::now() + chrono::Duration::days(days as i64))
        }
        Some(_) => {
            return Err(ApiError::invalid_field(
                "expiresInDays",
                "must be a whole number between 1 and 3650",
            ));
        }
    };
    let (record, secret) = store::api_keys::create(
        &state.db,
        &NewApiKey {
            user_id: principal.user_id,
            label: body.label,
            scopes,
            expires_at,
        },
    )
    .await?;
    tracing::info!(user = %principal.user_id, key_prefix = record.prefix, "API key created");
    Ok(HttpResponse::Created().json(CreatedApiKey {
        key: ApiKeyResponse::from(record),
        api_key: secret.expose().to_owned(),
    }))
}
