//! The HTTP API: health, the n8n-shaped `/api/v1` resources, the OpenAPI document and Swagger UI.

mod credentials;
pub mod error;
mod executions;
pub mod extract;
mod health;
mod node_types;
pub mod pagination;
pub mod state;
mod tags;
mod time;
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
        (name = "credentials", description = "Secrets nodes use, stored encrypted and never returned"),
    )
)]
struct ApiDoc;

/// Registers every route. All of `/api/v1` passes through the one scope built here, which is
/// where authentication will be wrapped.
pub fn routes(cfg: &mut ServiceConfig<'_>) {
    health::routes(cfg);
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(workflows::routes)
            .configure(executions::routes)
            .configure(node_types::routes)
            .configure(tags::routes)
            .configure(credentials::routes),
    );
}

/// The OpenAPI document of [`routes`], collected from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    api
}

/// The document as committed in `openapi/openapi.json` (pretty, trailing newline omitted).
pub fn openapi_json() -> String {
    openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Answers any request no route matched.
pub async fn no_route(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NoRoute {
        method: req.method().to_string(),
        path: req.path().to_owned(),
    })
}
