//! `/api/v1/tags`: create, list, read, rename and delete tags.

mod create;
mod delete;
mod get;
mod list;
mod update;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::error::ApiError;
use crate::api::time::iso;
use crate::store::tags::{TagName, TagRecord};

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create::create_tag)
        .service(list::list_tags)
        .service(get::get_tag)
        .service(update::update_tag)
        .service(delete::delete_tag);
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagResponse {
    pub id: String,
    #[schema(example = "production")]
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<TagRecord> for TagResponse {
    fn from(t: TagRecord) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name,
            created_at: iso(t.created_at),
            updated_at: iso(t.updated_at),
        }
    }
}

/// The body of a tag create or rename.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagWrite {
    /// 1 to 24 characters once leading and trailing whitespace is trimmed, no control
    /// characters, unique.
    #[schema(
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f](?:[^\u0000-\u001f\u007f-\u009f]{0,22}[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f])?[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
        example = "production"
    )]
    pub name: String,
}

impl TagWrite {
    fn name(&self) -> Result<TagName, ApiError> {
        TagName::parse(&self.name).map_err(|m| ApiError::invalid_field("name", m))
    }
}

/// A page of tags.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagList {
    pub data: Vec<TagResponse>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
