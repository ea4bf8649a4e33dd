//! The access rule of every `/api/v1` operation, and its place in the OpenAPI document.

use crate::auth::Scope;
pub use crate::store::access::Level;

/// What an operation asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone (owner setup, login).
    Public,
    /// Any signed-in caller, whatever its key's scopes.
    SignedIn,
    /// A caller whose credential has this scope.
    Scope(Scope),
    /// A caller whose credential has every scope (managing API keys: a limited key must not be
    /// able to make itself an unlimited one).
    FullAccess,
}

/// What an operation asks of the caller's part in the resource it names, beyond the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// Nothing more (lists show only what the caller may see; what one makes is one's own).
    Any,
    /// The workflow `{id}`, at least at this level: hidden ones are 404, lower levels 403.
    Workflow(Level),
    /// The credential `{id}`, likewise.
    Credential(Level),
    /// The execution `{id}`: its workflow's level.
    Execution(Level),
    /// The owner or an admin (managing users and variables, deleting tags others use).
    Admins,
}

use Level::{Editor, Owner, Viewer};
use On::{Admins, Any, Credential, Execution, Workflow};
use Rule::{FullAccess, Public, Scope as Needs, SignedIn};
use Scope::*;

/// `(method, path as routed, rule, part in the resource)` for every operation under `/api/v1`.
pub const RULES: &[(&str, &str, Rule, On)] = &[
    ("GET", "/api/v1/workflows", Needs(WorkflowRead), Any),
    ("POST", "/api/v1/workflows", Needs(WorkflowWrite), Any),
    (
        "GET",
        "/api/v1/workflows/{id}",
        Needs(WorkflowRead),
        Workflow(Viewer),
    ),
    (
        "PUT",
        "/api/v1/workflows/{id}",
        Needs(WorkflowWrite),
        Workflow(Editor),
    ),
    (
        "DELETE",
        "/api/v1/workflows/{id}",
        Needs(WorkflowWrite),
        Workflow(Owner),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/activate",
        Needs(WorkflowWrite),
        Workflow(Editor),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/deactivate",
        Needs(WorkflowWrite),
        Workflow(Editor),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/publish",
        Needs(WorkflowWrite),
        Workflow(Editor),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/unpublish",
        Needs(WorkflowWrite),
        Workflow(Editor),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/run",
        Needs(WorkflowExecute),
        Workflow(Editor),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/test-webhook",
        Needs(WorkflowExecute),
        Workflow(Editor),
    ),
    (
        "GET",
        "/api/v1/workflows/{id}/tags",
        Needs(WorkflowRead),
        Workflow(Viewer),
    ),
    (
        "PUT",
        "/api/v1/workflows/{id}/tags",
        Needs(WorkflowWrite),
        Workflow(Editor),
    ),
    (
        "GET",
        "/api/v1/workflows/{id}/share",
        Needs(WorkflowRead),
        Workflow(Viewer),
    ),
    (
        "PUT",
        "/api/v1/workflows/{id}/share",
        Needs(WorkflowWrite),
        Workflow(Owner),
    ),
    ("GET", "/api/v1/executions", Needs(ExecutionRead), Any),
    (
        "GET",
        "/api/v1/executions/{id}",
        Needs(ExecutionRead),
        Execution(Viewer),
    ),
    (
        "DELETE",
        "/api/v1/executions/{id}",
        Needs(ExecutionWrite),
        Execution(Editor),
    ),
    (
        "POST",
        "/api/v1/executions/{id}/retry",
        Needs(ExecutionWrite),
        Execution(Editor),
    ),
    (
        "POST",
        "/api/v1/executions/{id}/stop",
        Needs(ExecutionWrite),
        Execution(Editor),
    ),
    ("GET", "/api/v1/node-types", SignedIn, Any),
    ("GET", "/api/v1/tags", Needs(TagRead), Any),
    ("POST", "/api/v1/tags", Needs(TagWrite), Any),
    ("GET", "/api/v1/tags/{id}", Needs(TagRead), Any),
    ("PUT", "/api/v1/tags/{id}", Needs(TagWrite), Any),
    ("DELETE", "/api/v1/tags/{id}", Needs(TagWrite), Admins),
    ("GET", "/api/v1/variables", Needs(VariableRead), Any),
    ("POST", "/api/v1/variables", Needs(VariableWrite), Admins),
    (
        "PUT",
        "/api/v1/variables/{id}",
        Needs(VariableWrite),
        Admins,
    ),
    (
        "DELETE",
        "/api/v1/variables/{id}",
        Needs(VariableWrite),
        Admins,
    ),
    ("GET", "/api/v1/credentials", Needs(CredentialRead), Any),
    ("POST", "/api/v1/credentials", Needs(CredentialWrite), Any),
    (
        "GET",
        "/api/v1/credentials/schema/{credentialTypeName}",
        Needs(CredentialRead),
        Any,
    ),
    (
        "GET",
        "/api/v1/credentials/{id}",
        Needs(CredentialRead),
        Credential(Viewer),
    ),
    (
        "PATCH",
        "/api/v1/credentials/{id}",
        Needs(CredentialWrite),
        Credential(Editor),
    ),
    (
        "DELETE",
        "/api/v1/credentials/{id}",
        Needs(CredentialWrite),
        Credential(Owner),
    ),
    (
        "GET",
        "/api/v1/credentials/{id}/share",
        Needs(CredentialRead),
        Credential(Viewer),
    ),
    (
        "PUT",
        "/api/v1/credentials/{id}/share",
        Needs(CredentialWrite),
        Credential(Owner),
    ),
    ("GET", "/api/v1/queue", Needs(ExecutionRead), Admins),
    ("GET", "/api/v1/users", Needs(UserRead), Any),
    ("POST", "/api/v1/users", Needs(UserWrite), Admins),
    ("GET", "/api/v1/users/{id}", Needs(UserRead), Any),
    ("PATCH", "/api/v1/users/{id}", Needs(UserWrite), Admins),
    ("DELETE", "/api/v1/users/{id}", Needs(UserWrite), Admins),
    ("PATCH", "/api/v1/users/{id}/role", Needs(UserWrite), Admins),
    ("GET", "/api/v1/api-keys", FullAccess, Any),
    ("POST", "/api/v1/api-keys", FullAccess, Any),
    ("DELETE", "/api/v1/api-keys/{id}", FullAccess, Any),
    ("POST", "/api/v1/owner/setup", Public, Any),
    ("POST", "/api/v1/auth/login", Public, Any),
    ("POST", "/api/v1/auth/refresh", Public, Any),
    ("POST", "/api/v1/auth/logout", Public, Any),
];

/// The rule of `method` on the routed `path`, if one is declared.
pub fn rule_for(method: &str, path: &str) -> Option<(Rule, On)> {
    RULES
        .iter()
        .find(|(m, p, _, _)| *m == method && *p == path)
        .map(|(_, _, rule, on)| (*rule, *on))
}

/// The security scheme names in the OpenAPI document (n8n's).
pub const API_KEY_SCHEME: &str = "ApiKeyAuth";
pub const BEARER_SCHEME: &str = "BearerAuth";

/// Writes each operation's rule into the document: the `X-N8N-API-KEY` scheme, a security
/// requirement naming the scope on every protected operation, and its 401/403 answers.
pub fn document_security(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
    };
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        API_KEY_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-N8N-API-KEY",
            "An API key (n8n's header). `weft serve` writes the owner's first key to \
             `$WEFT_DATA_DIR/owner-api-key` on first start; `weft api-key create --owner` prints one.",
        ))),
    );
    components.add_security_scheme(
        BEARER_SCHEME,
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from `POST /api/v1/auth/login` (all of the user's rights).",
                ))
                .build(),
        ),
    );
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, operation) in [
            ("GET", item.get.as_mut()),
            ("POST", item.post.as_mut()),
            ("PUT", item.put.as_mut()),
            ("PATCH", item.patch.as_mut()),
            ("DELETE", item.delete.as_mut()),
        ] {
            let Some(operation) = operation else { continue };
            let Some((rule, on)) = rule_for(method, path) else {
                continue;
            };
            let scopes: Vec<String> = match rule {
                Rule::Public => continue,
                Rule::SignedIn => Vec::new(),
                Rule::Scope(scope) => vec![scope.as_str().to_owned()],
                Rule::FullAccess => vec!["*".to_owned()],
            };
            if let Some(who) = describe(on) {
                let text = operation.description.get_or_insert_with(String::new);
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                text.push_str(&format!("**Who:** {who}"));
            }
            operation.security = Some(vec![
                SecurityRequirement::new(API_KEY_SCHEME, scopes),
                SecurityRequirement::new(BEARER_SCHEME, Vec::<String>::new()),
            ]);
            operation.responses.responses.insert(
                "401".into(),
                problem(
                    "No credential, or an API key or access token that is unknown, expired, \
                     revoked or of a disabled user",
                )
                .into(),
            );
            operation.responses.responses.insert(
                "429".into(),
                problem("Over the caller's budget of calls (`WEFT_RATE_LIMIT_API_PER_MINUTE`); see `Retry-After`").into(),
            );
            operation.responses.responses.insert(
                "403".into(),
                problem(
                    "The API key lacks the scope this operation needs, or the caller's part in \
                     the resource is too small (a viewer changing it, a member managing users)",
                )
                .into(),
            );
        }
    }
}

/// Who may call an operation, in words for its documentation.
fn describe(on: On) -> Option<String> {
    let resource = |kind: &str, l: Level| {
        let shared = match l {
            Level::Viewer => ", and users it is shared with",
            Level::Editor => ", and users it is shared with as `editor` (a `viewer` gets 403)",
            Level::Owner => " (users it is only shared with get 403)",
        };
        format!("the {kind}'s owner, admins and the instance owner{shared}; others get 404.")
    };
    match on {
        On::Any => None,
        On::Workflow(l) => Some(resource("workflow", l)),
        On::Credential(l) => Some(resource("credential", l)),
        On::Execution(l) => Some(resource("execution's workflow", l)),
        On::Admins => Some("the instance owner and admins (members get 403).".into()),
    }
}
