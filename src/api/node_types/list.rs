//! `GET /api/v1/node-types`.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use weft_engine::run::NodeKind;

use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypeResponse {
    /// The n8n type name, e.g. `n8n-nodes-base.set`.
    #[schema(example = "n8n-nodes-base.set")]
    pub name: String,
    /// The `typeVersion`s this server runs.
    pub versions: Vec<f64>,
    /// `trigger` (starts executions) or `regular`.
    pub kind: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypeList {
    pub data: Vec<NodeTypeResponse>,
}

/// List supported node types
///
/// Every node type and `typeVersion` this server can run; a workflow using any other is
/// refused on save and activation.
#[utoipa::path(tag = "node-types", responses((status = 200, description = "Supported node types, by name", body = NodeTypeList)))]
#[get("/node-types")]
pub async fn list_node_types(state: web::Data<AppState>) -> HttpResponse {
    let data = state
        .runner
        .registry()
        .types()
        .into_iter()
        .map(|t| NodeTypeResponse {
            name: t.type_name().to_owned(),
            versions: t.versions().to_vec(),
            kind: match t.kind() {
                NodeKind::Trigger => "trigger",
                NodeKind::Regular => "regular",
            },
        })
        .collect();
    HttpResponse::Ok().json(NodeTypeList { data })
}
