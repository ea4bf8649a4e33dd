//! `GET /healthz`: the process is up and serving.

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Liveness {
    #[schema(example = "ok")]
    status: &'static str,
}

/// Liveness probe
///
/// Answers 200 as long as the process can serve requests; it checks no dependency.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Liveness)))]
#[get("/healthz")]
pub async fn liveness() -> HttpResponse {
    HttpResponse::Ok().json(Liveness { status: "ok" })
}
