//! The HTTP API: health, the n8n-shaped `/api/v1` resources, the OpenAPI document and Swagger UI.

pub mod access;
mod api_keys;
mod credentials;
pub mod error;
mod executions;
pub mod extract;
pub mod headers;
mod health;
mod node_types;
pub mod pagination;
mod queue;
mod sessions;
mod shares;
mod tags;
mod time;
mod users;
mod variables;
mod workflows;

use actix_web::{App, HttpRequest};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt as _;
use utoipa_actix_web::service_config::ServiceConfig;

use error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Weft API",
        description = "n8n-compatible workflow automation. Errors are RFC 9457 problem documents.",
        license(name = "Apache-2.0")
    ),
    components(schemas(error::Problem, error::FieldError)),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "workflows", description = "Workflows in n8n's public API v1 shape"),
        (name = "executions", description = "Runs of workflows and their data"),
        (name = "node-types", description = "The node types this server runs"),
        (name = "tags", description = "Tags for organising workflows"),
        (name = "variables", description = "Variables every workflow reads as `$vars` (the owner and admins write them)"),
        (name = "credentials", description = "Secrets nodes use, stored encrypted and never returned"),
        (name = "users", description = "Users of the instance (the owner and admins manage them)"),
        (name = "api-keys", description = "The caller's API keys (`X-N8N-API-KEY`)"),
        (name = "auth", description = "Owner setup and sign-in (access and refresh tokens)"),
    )
)]
struct ApiDoc;

/// Registers every route. All of `/api/v1` passes through the one scope built here, guarded by
/// [`access::guard`] with the rules of [`access::rules::RULES`].
pub fn routes(cfg: &mut ServiceConfig<'_>) {
    health::routes(cfg);
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .wrap(actix_web::middleware::from_fn(access::guard))
            .configure(workflows::routes)
            .configure(executions::routes)
            .configure(node_types::routes)
            .configure(queue::routes)
            .configure(tags::routes)
            .configure(variables::routes)
            .configure(credentials::routes)
            .configure(users::routes)
            .configure(api_keys::routes)
            .configure(sessions::routes),
    );
}

/// The OpenAPI document of [`routes`], collected from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    document_edge_answers(&mut api);
    access::document_security(&mut api);
    api
}

/// The answers the request edge gives any operation, documented on each one it applies to (so
/// the handlers' annotations cannot forget them): a body that is too large (413), too slow
/// (408) or not JSON (415), and a query string that does not parse (400).
fn document_edge_answers(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, path::ParameterIn};
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
    for item in api.paths.paths.values_mut() {
        let operations = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in operations.into_iter().flatten() {
            let answers = &mut op.responses.responses;
            if op.request_body.is_some() {
                for (code, why) in [
                    ("408", "The body did not arrive within WEFT_BODY_TIMEOUT_MS"),
                    ("413", "Body over WEFT_MAX_BODY_BYTES"),
                    ("415", "Content-Type is not JSON"),
                ] {
                    answers
                        .entry(code.to_owned())
                        .or_insert_with(|| problem(why).into());
                }
            }
            let has_query =
                op.parameters.iter().flatten().any(
                    |p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)),
                );
            if has_query {
                answers
                    .entry("400".to_owned())
                    .or_insert_with(|| problem("Malformed query string").into());
            }
        }
    }
}

/// The document as committed in `openapi/openapi.json` (pretty, trailing newline omitted).
pub fn openapi_json() -> String {
    openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Every documented path with the methods it answers, read once from the OpenAPI document.
fn documented_methods() -> &'static [(actix_web::dev::ResourceDef, Vec<&'static str>)] {
    static TABLE: std::sync::OnceLock<Vec<(actix_web::dev::ResourceDef, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        openapi()
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                    ("TRACE", item.trace.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, on)| on.then_some(m))
                .collect();
                (actix_web::dev::ResourceDef::new(path.as_str()), methods)
            })
            .collect()
    })
}

/// Answers any request no route matched: 405 with `Allow` for a documented path asked with a
/// method it does not answer, else 404.
pub async fn no_route(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let mut allow: Vec<&'static str> = documented_methods()
        .iter()
        .filter(|(def, _)| def.is_match(req.path()))
        .flat_map(|(_, methods)| methods.iter().copied())
        .collect();
    allow.sort_unstable();
    allow.dedup();
    if !allow.is_empty() {
        return Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            path: req.path().to_owned(),
            allow: allow.join(", "),
        });
    }
    Err(ApiError::NoRoute {
        method: req.method().to_string(),
        path: req.path().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_documented_email_pattern_is_the_one_the_server_checks() {
        let doc: serde_json::Value = serde_json::from_str(&super::openapi_json()).unwrap();
        let mut seen = 0;
        let mut stack = vec![&doc];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Object(map) => {
                    if let Some(email) = map.get("properties").and_then(|p| p.get("email"))
                        && let Some(pattern) = email.get("pattern")
                    {
                        assert_eq!(pattern, crate::auth::EMAIL_PATTERN);
                        seen += 1;
                    }
                    stack.extend(map.values());
                }
                serde_json::Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
        assert!(seen > 0, "no email field carries a pattern");
    }
}
