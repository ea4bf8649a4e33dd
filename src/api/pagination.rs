//! `limit` and `cursor` query parameters, validated into a `PageRequest`; the `{data, nextCursor}` page.

use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ApiError;
use crate::store::{Cursor, Page, PageRequest};

pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 250;

/// Validates n8n's paging parameters: `limit` 1–250 (default 100) and an opaque `cursor`.
pub fn page_request(limit: Option<u64>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
        ));
    }
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(
            Cursor::decode(raw).map_err(|e| ApiError::invalid_field("cursor", e.to_string()))?,
        ),
    };
    Ok(PageRequest { limit, after })
}

/// Paging parameters shared by every list endpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1 to 250.
    #[param(minimum = 1, maximum = 250, default = 100)]
    pub limit: Option<u64>,
    /// The `nextCursor` of the previous page.
    #[param(pattern = "^([A-Za-z0-9_-]{32})?$")]
    pub cursor: Option<String>,
}

/// The `nextCursor` of a page: `null` on the last one.
pub fn next_cursor<T>(page: &Page<T>) -> Option<String> {
    page.next.map(|c| c.encode())
}
