//! Request and response bodies of the workflow endpoints, and their OpenAPI schemas.

use actix_web::HttpResponse;
use actix_web::http::header::{ETAG, EntityTag};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use weft_engine::{Connections, Node, WorkflowDefinition, WorkflowDraft, WorkflowName};

use weft_engine::run::NodeRegistry;

use crate::api::error::{ApiError, FieldError};
use crate::api::tags::TagResponse;
use crate::api::time::iso;
use crate::state::AppState;
use crate::store::{self, access::Actor, workflows::StoredWorkflow};

/// A workflow to create or to save over an existing one: an n8n export is accepted as is
/// (its read-only keys such as `id`, `active`, `tags` and `versionId` are ignored).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowWrite {
    /// 1 to 128 characters once leading and trailing whitespace is trimmed, no control characters.
    #[schema(value_type = String, pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f](?:[^\u0000-\u001f\u007f-\u009f]{0,126}[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f])?[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", example = "Order sync")]
    pub name: WorkflowName,
    /// Nodes as n8n writes them: `name` (unique), `type`, `typeVersion`, `parameters`,
    /// `position`, and any other n8n node keys, kept verbatim.
    #[schema(value_type = Vec<Object>)]
    pub nodes: Vec<Node>,
    /// `{"Source": {"main": [[{"node": "Target", "type": "main", "index": 0}]]}}`.
    #[schema(value_type = Object)]
    pub connections: Connections,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Map<String, Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub static_data: Option<Map<String, Value>>,
    /// Pinned output per node name.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub pin_data: Option<Map<String, Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub meta: Option<Map<String, Value>>,
}

/// Refuses a workflow with node types this server cannot run, naming each node.
pub fn check_supported(def: &WorkflowDefinition, registry: &NodeRegistry) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = def
        .nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| !registry.unsupported(std::iter::once(*n)).is_empty())
        .map(|(i, n)| FieldError {
            path: format!("nodes[{i}].type"),
            message: format!(
                "{}@{} is not a node type this server supports",
                n.node_type, n.type_version
            ),
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let mut kinds: Vec<String> = registry
        .unsupported(def.nodes())
        .into_iter()
        .map(|(t, v)| format!("{t}@{v}"))
        .collect();
    kinds.dedup();
    Err(ApiError::Invalid {
        detail: format!(
            "unsupported node types: {} (see GET /api/v1/node-types)",
            kinds.join(", ")
        ),
        errors,
    })
}

impl WorkflowWrite {
    /// Checks the structure (unique names, connections to existing nodes, …).
    pub fn into_definition(self) -> Result<WorkflowDefinition, ApiError> {
        WorkflowDefinition::try_from(WorkflowDraft {
            name: self.name,
            nodes: self.nodes,
            connections: self.connections,
            settings: self.settings,
            static_data: self.static_data.map(Value::Object),
            pin_data: self.pin_data,
            meta: self.meta.map(Value::Object),
        })
        .map_err(ApiError::invalid_workflow)
    }
}

/// A stored workflow, as n8n's public API returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowResponse {
    #[schema(example = "0193a5f2-8c1e-7b3a-9f00-2b6c1d4e5f60")]
    pub id: String,
    pub name: String,
    pub active: bool,
    pub is_archived: bool,
    #[schema(example = "2026-11-21T10:30:00.000Z")]
    pub created_at: String,
    pub updated_at: String,
    #[schema(value_type = Vec<Object>)]
    pub nodes: Value,
    #[schema(value_type = Object)]
    pub connections: Value,
    #[schema(value_type = Object)]
    pub settings: Value,
    #[schema(value_type = Option<Object>)]
    pub static_data: Option<Value>,
    /// Omitted with `excludePinnedData=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub pin_data: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub meta: Option<Value>,
    /// Changes on every save; also the `ETag`.
    pub version_id: String,
    pub trigger_count: i32,
    pub tags: Vec<TagResponse>,
    /// On save and activation only: what the server noticed but accepted, e.g. a node version
    /// newer than any it knows, which runs as the newest it knows (as n8n does).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl WorkflowResponse {
    /// Adds the warnings of saving or activating `def`, and logs them.
    pub fn warn_about(mut self, def: &WorkflowDefinition, registry: &NodeRegistry) -> Self {
        for (node_type, version, runs_as) in registry.newer_than_known(def.nodes()) {
            tracing::warn!(workflow = %self.id, node_type, version, runs_as, "node version newer than known");
            self.warnings.push(format!(
                "{node_type} version {version} is newer than any this server knows; it runs as version {runs_as}"
            ));
        }
        self
    }

    pub fn new(w: StoredWorkflow, include_pin_data: bool) -> Self {
        Self {
            id: w.id.to_string(),
            name: w.name,
            active: w.active,
            is_archived: false,
            created_at: iso(w.created_at),
            updated_at: iso(w.updated_at),
            nodes: w.nodes,
            connections: w.connections,
            settings: w.settings,
            static_data: w.static_data.filter(Value::is_object),
            pin_data: if include_pin_data {
                Some(w.pin_data.unwrap_or_else(|| Value::Object(Map::new())))
            } else {
                None
            },
            meta: w.meta.filter(Value::is_object),
            version_id: w.version_id.to_string(),
            trigger_count: w.trigger_count,
            warnings: Vec::new(),
            tags: w.tags.into_iter().map(TagResponse::from).collect(),
        }
    }

    /// 200 with the workflow and its version as a strong `ETag`.
    pub fn ok(self) -> HttpResponse {
        let tag = EntityTag::new_strong(self.version_id.clone());
        HttpResponse::Ok()
            .insert_header((ETAG, tag.to_string()))
            .json(self)
    }
}

/// A page of workflows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowList {
    pub data: Vec<WorkflowResponse>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `excludePinnedData` on single-workflow reads.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// Leave `pinData` out of the response.
    #[serde(default)]
    pub exclude_pinned_data: bool,
}

/// Refuses a workflow naming credentials its owner (`owner`; `None`: a workflow from before
/// users) may not use, naming each node. Runs check again at every lookup.
pub async fn check_credentials(
    state: &AppState,
    def: &WorkflowDefinition,
    owner: Option<Actor>,
) -> Result<(), ApiError> {
    let Some(owner) = owner else {
        return Ok(());
    };
    let refused = store::access::unusable_credentials(
        &state.db,
        owner,
        def.nodes()
            .iter()
            .filter_map(|n| n.extra.get("credentials")),
    )
    .await?;
    if refused.is_empty() {
        return Ok(());
    }
    let errors: Vec<FieldError> = def
        .nodes()
        .iter()
        .enumerate()
        .flat_map(|(i, n)| {
            let refused = &refused;
            n.extra
                .get("credentials")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(move |(_, c)| {
                    c.get("id")
                        .and_then(Value::as_str)
                        .and_then(|id| uuid::Uuid::try_parse(id.trim()).ok())
                        .is_some_and(|id| refused.contains(&id))
                })
                .map(move |(kind, _)| FieldError {
                    path: format!("nodes[{i}].credentials.{kind}"),
                    message: "is not a credential the workflow's owner may use (theirs or shared with them)".into(),
                })
        })
        .collect();
    Err(ApiError::Invalid {
        detail: "the workflow uses credentials its owner may not use".into(),
        errors,
    })
}
