//! The body and answer of the share endpoints of workflows and credentials.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::error::ApiError;
use crate::api::extract::parse_id;
use crate::store::access::{Share, ShareRole};

/// The most users one resource is shared with.
const MAX_SHARES: usize = 100;

/// One user and their part.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareItem {
    #[schema(format = Uuid)]
    pub user_id: String,
    /// `viewer` reads it (and uses a credential); `editor` also changes and runs it.
    #[schema(example = "viewer", pattern = "^(viewer|editor)$")]
    pub role: String,
}

/// Everyone a resource is shared with (a `PUT` replaces the whole list; `[]` stops sharing).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareList {
    /// Each user at most once.
    #[schema(max_items = 100)]
    pub shares: Vec<ShareItem>,
}

impl ShareList {
    /// The checked shares: known roles, well-formed ids, each user once.
    pub fn parse(&self) -> Result<Vec<Share>, ApiError> {
        if self.shares.len() > MAX_SHARES {
            return Err(ApiError::invalid_field(
                "shares",
                format!("must hold at most {MAX_SHARES} users"),
            ));
        }
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(self.shares.len());
        for (at, item) in self.shares.iter().enumerate() {
            let user_id = parse_id(&item.user_id, "user").map_err(|_| {
                ApiError::invalid_field(format!("shares[{at}].userId"), "is not a user id")
            })?;
            let role = ShareRole::parse(&item.role).ok_or_else(|| {
                ApiError::invalid_field(format!("shares[{at}].role"), "must be viewer or editor")
            })?;
            if !seen.insert(user_id) {
                return Err(ApiError::invalid_field(
                    format!("shares[{at}].userId"),
                    "names a user twice",
                ));
            }
            out.push(Share { user_id, role });
        }
        Ok(out)
    }

    pub fn from_shares(shares: &[Share]) -> Self {
        Self {
            shares: shares
                .iter()
                .map(|s| ShareItem {
                    user_id: s.user_id.to_string(),
                    role: s.role.as_str().to_owned(),
                })
                .collect(),
        }
    }
}
