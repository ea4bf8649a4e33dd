//! Who may call what: every `/api/v1` operation's rule, declared once in [`rules::RULES`]. The
//! guard enforces it on each request and the OpenAPI document states it (security and scopes on
//! each operation), both read from that one table.

mod authenticate;
mod guard;
mod principal;
pub mod rules;

pub use crate::cache::KeyCache;
pub use guard::guard;
pub use rules::document_security;
