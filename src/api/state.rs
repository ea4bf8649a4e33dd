//! `AppState`: what handlers share — the database handles, the optional Redis client, limits.

use crate::db::Db;

pub struct AppState {
    pub db: Db,
    pub redis: Option<redis::Client>,
    pub max_body_bytes: usize,
}

impl AppState {
    pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
}
