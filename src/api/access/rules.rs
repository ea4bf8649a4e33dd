//! The access rule of every `/api/v1` operation, and its place in the OpenAPI document.

use crate::auth::Scope;

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

use Rule::{FullAccess, Public, Scope as Needs, SignedIn};
use Scope::*;

/// `(method, path as routed, rule)` for every operation under `/api/v1`.
pub const RULES: &[(&str, &str, Rule)] = &[
    ("GET", "/api/v1/workflows", Needs(WorkflowRead)),
    ("POST", "/api/v1/workflows", Needs(WorkflowWrite)),
    ("GET", "/api/v1/workflows/{id}", Needs(WorkflowRead)),
    ("PUT", "/api/v1/workflows/{id}", Needs(WorkflowWrite)),
    ("DELETE", "/api/v1/workflows/{id}", Needs(WorkflowWrite)),
    (
        "POST",
        "/api/v1/workflows/{id}/activate",
        Needs(WorkflowWrite),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/deactivate",
        Needs(WorkflowWrite),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/publish",
        Needs(WorkflowWrite),
    ),
    (
        "POST",
        "/api/v1/workflows/{id}/unpublish",
        Needs(WorkflowWrite),
    ),
    ("POST", "/api/v1/workflows/{id}/run", Needs(WorkflowExecute)),
    (
        "POST",
        "/api/v1/workflows/{id}/test-webhook",
        Needs(WorkflowExecute),
    ),
    ("GET", "/api/v1/workflows/{id}/tags", Needs(WorkflowRead)),
    ("PUT", "/api/v1/workflows/{id}/tags", Needs(WorkflowWrite)),
    ("GET", "/api/v1/executions", Needs(ExecutionRead)),
    ("GET", "/api/v1/executions/{id}", Needs(ExecutionRead)),
    ("DELETE", "/api/v1/executions/{id}", Needs(ExecutionWrite)),
    (
        "POST",
        "/api/v1/executions/{id}/retry",
        Needs(ExecutionWrite),
    ),
    (
        "POST",
        "/api/v1/executions/{id}/stop",
        Needs(ExecutionWrite),
    ),
    ("GET", "/api/v1/node-types", SignedIn),
    ("GET", "/api/v1/tags", Needs(TagRead)),
    ("POST", "/api/v1/tags", Needs(TagWrite)),
    ("GET", "/api/v1/tags/{id}", Needs(TagRead)),
    ("PUT", "/api/v1/tags/{id}", Needs(TagWrite)),
    ("DELETE", "/api/v1/tags/{id}", Needs(TagWrite)),
    ("GET", "/api/v1/credentials", Needs(CredentialRead)),
    ("POST", "/api/v1/credentials", Needs(CredentialWrite)),
    (
        "GET",
        "/api/v1/credentials/schema/{credentialTypeName}",
        Needs(CredentialRead),
    ),
    ("GET", "/api/v1/credentials/{id}", Needs(CredentialRead)),
    ("PATCH", "/api/v1/credentials/{id}", Needs(CredentialWrite)),
    ("DELETE", "/api/v1/credentials/{id}", Needs(CredentialWrite)),
    ("GET", "/api/v1/api-keys", FullAccess),
    ("POST", "/api/v1/api-keys", FullAccess),
    ("DELETE", "/api/v1/api-keys/{id}", FullAccess),
    ("POST", "/api/v1/owner/setup", Public),
    ("POST", "/api/v1/auth/login", Public),
    ("POST", "/api/v1/auth/refresh", Public),
    ("POST", "/api/v1/auth/logout", Public),
];

/// The rule of `method` on the routed `path`, if one is declared.
pub fn rule_for(method: &str, path: &str) -> Option<Rule> {
    RULES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, rule)| *rule)
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
            let scopes: Vec<String> = match rule_for(method, path) {
                None | Some(Rule::Public) => continue,
                Some(Rule::SignedIn) => Vec::new(),
                Some(Rule::Scope(scope)) => vec![scope.as_str().to_owned()],
                Some(Rule::FullAccess) => vec!["*".to_owned()],
            };
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
                problem("The API key lacks the scope this operation needs").into(),
            );
        }
    }
}
