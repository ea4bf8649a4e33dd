//! `/api/v1/variables`: n8n's variables (`$vars` in every expression and Code node). The
//! owner and admins write them; every user reads them.

mod create;
mod delete;
mod list;
mod update;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::error::ApiError;
use crate::store::variables::{NewVariable, VariableRecord};

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create::create_variable)
        .service(list::list_variables)
        .service(update::update_variable)
        .service(delete::delete_variable);
}

/// A variable, as n8n shows one.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariableResponse {
    pub id: String,
    #[schema(example = "API_BASE")]
    pub key: String,
    #[schema(example = "https://api.example.com")]
    pub value: String,
    /// Always `string`.
    #[schema(example = "string")]
    pub r#type: &'static str,
}

impl From<VariableRecord> for VariableResponse {
    fn from(v: VariableRecord) -> Self {
        Self {
            id: v.id.to_string(),
            key: v.key,
            value: v.value,
            r#type: "string",
        }
    }
}

/// The body of a variable create or update.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VariableWrite {
    /// Letters, digits and underscores, not starting with a digit; 1 to 50 characters; unique.
    #[schema(pattern = "^[A-Za-z_][A-Za-z0-9_]{0,49}$", example = "API_BASE")]
    pub key: String,
    /// At most 1,000 characters.
    #[schema(max_length = 1000, example = "https://api.example.com")]
    pub value: String,
    /// `string`, the only type (optional).
    #[schema(pattern = "^string$")]
    pub r#type: Option<String>,
}

impl VariableWrite {
    fn parse(&self) -> Result<NewVariable, ApiError> {
        if let Some(t) = &self.r#type
            && t != "string"
        {
            return Err(ApiError::invalid_field(
                "type",
                "Invalid enum value. Expected 'string'",
            ));
        }
        NewVariable::parse(&self.key, &self.value)
            .map_err(|(field, message)| ApiError::invalid_field(field, message))
    }
}

/// A page of variables.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariableList {
    pub data: Vec<VariableResponse>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
