//! Who may see and change which workflow, credential and execution: the owner of each, the
//! users it is shared with (`viewer` or `editor`), and the owner and admins, who see everything.
//! Every per-resource check and every "what may this user list" filter is made here.

mod level;
mod shares;
mod usable;

pub use level::{Found, credential_level, execution_level, workflow_level};
pub use shares::{credential_shares, set_credential_shares, set_workflow_shares, workflow_shares};
pub use usable::{actor_of_user, unusable_credentials, workflow_owner, workflow_owner_id};

use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use uuid::Uuid;

/// What a user may do with one resource, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Read it (and use a credential in one's own workflows).
    Viewer,
    /// Also change and run it.
    Editor,
    /// Also delete and share it: its owner, an admin or the instance owner.
    Owner,
}

/// The part a user is given on a shared resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShareRole {
    Viewer,
    Editor,
}

impl ShareRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareRole::Viewer => "viewer",
            ShareRole::Editor => "editor",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "viewer" => Some(ShareRole::Viewer),
            "editor" => Some(ShareRole::Editor),
            _ => None,
        }
    }

    pub fn level(self) -> Level {
        match self {
            ShareRole::Viewer => Level::Viewer,
            ShareRole::Editor => Level::Editor,
        }
    }
}

/// One user a resource is shared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub user_id: Uuid,
    pub role: ShareRole,
}

/// The user a check is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    /// The owner and admins see and change everything.
    pub sees_all: bool,
}

impl Actor {
    /// The caller an API request authenticated as.
    pub fn of(principal: &crate::auth::Principal) -> Self {
        Self {
            user_id: principal.user_id,
            sees_all: principal.role != crate::auth::Role::Member,
        }
    }

    /// The user whose own and shared resources a list is limited to (`None`: everything).
    pub fn limited_to(self) -> Option<Uuid> {
        (!self.sees_all).then_some(self.user_id)
    }
}

/// `id_column IN (owned by user) OR IN (shared with user)`, for `table` (`workflows` or
/// `credentials`) and its share table.
pub(crate) fn visible(
    id_column: SimpleExpr,
    table: &'static str,
    shares: &'static str,
    share_column: &'static str,
    user: Uuid,
) -> SimpleExpr {
    use sea_orm::sea_query::Alias;
    let owned = Query::select()
        .column(Alias::new("id"))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("owner_id")).eq(user))
        .to_owned();
    let shared = Query::select()
        .column(Alias::new(share_column))
        .from(Alias::new(shares))
        .and_where(Expr::col(Alias::new("user_id")).eq(user))
        .to_owned();
    id_column
        .clone()
        .in_subquery(owned)
        .or(id_column.in_subquery(shared))
}

/// Workflows `user` owns or is given.
pub(crate) fn visible_workflows(id_column: SimpleExpr, user: Uuid) -> SimpleExpr {
    visible(
        id_column,
        "workflows",
        "workflow_shares",
        "workflow_id",
        user,
    )
}

/// Credentials `user` owns or is given.
pub(crate) fn visible_credentials(id_column: SimpleExpr, user: Uuid) -> SimpleExpr {
    visible(
        id_column,
        "credentials",
        "credential_shares",
        "credential_id",
        user,
    )
}
