//! `PUT /api/v1/workflows/{id}`: full replace as a new version, guarded by `If-Match`.

use actix_web::http::header::IF_MATCH;
use actix_web::{HttpRequest, HttpResponse, put, web};
use uuid::Uuid;

use super::dto::{WorkflowResponse, WorkflowWrite, check_credentials, check_supported};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::state::AppState;
use crate::store;

/// What `If-Match` asks for: nothing, any current version (`*`), or one of these versions.
#[derive(Debug, PartialEq)]
enum Precondition {
    None,
    Any,
    OneOf(Vec<Uuid>),
}

/// Parses `If-Match`. A value that is not `*` or a list of entity tags is malformed (400).
/// Weak tags never match (RFC 9110 strong comparison), and a tag that is not a version id
/// cannot match either; if nothing can match the request fails with 412.
fn precondition(req: &HttpRequest) -> Result<Precondition, ApiError> {
    let values: Vec<&str> = req
        .headers()
        .get_all(IF_MATCH)
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    if values.is_empty() {
        return Ok(Precondition::None);
    }
    let mut versions = Vec::new();
    let tags: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let well_formed = |t: &&str| {
        *t == "*"
            || t.strip_prefix("W/")
                .unwrap_or(t)
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .is_some_and(|inner| !inner.contains('"'))
    };
    if tags.is_empty() || !tags.iter().all(well_formed) {
        return Err(ApiError::invalid_field(
            "If-Match",
            "must be * or a list of quoted versionIds",
        ));
    }
    for tag in tags {
        if tag == "*" {
            return Ok(Precondition::Any);
        }
        if let Some(inner) = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
            && let Ok(id) = Uuid::try_parse(inner)
        {
            versions.push(id);
        }
    }
    if versions.is_empty() {
        return Err(ApiError::PreconditionFailed(
            "If-Match names no current version of this workflow".into(),
        ));
    }
    Ok(Precondition::OneOf(versions))
}

/// Update a workflow
///
/// Replaces name, nodes, connections, settings, static and pinned data, and gives the
/// workflow a new `versionId` (recorded in its history). Send `If-Match: "<versionId>"` to
/// save only over the version you read; a mismatch is 412.
#[utoipa::path(
    tag = "workflows",
    request_body = WorkflowWrite,
    params(
        ("id" = String, Path, description = "Workflow id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            pattern = r#"^\s*(\*|"[0-9a-fA-F-]{36}"(\s*,\s*"[0-9a-fA-F-]{36}")*)\s*$"#,
            description = "The versionId you read, quoted, or *"),
    ),
    responses(
        (status = 200, description = "The saved workflow", body = WorkflowResponse,
            headers(("ETag" = String, description = "The new versionId, quoted"))),
        (status = 400, description = "Malformed JSON or If-Match, an invalid workflow, unsupported node types, or an active workflow left with no trigger or calling a workflow that is not active", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Saved by another request meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current version", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over WEFT_MAX_BODY_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/workflows/{id}")]
pub async fn update_workflow(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<WorkflowWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let def = body.0.into_definition()?;
    let precondition = precondition(&req)?;
    check_supported(&def, state.runner.registry())?;
    let owner = store::access::workflow_owner(&state.db, id).await?;
    check_credentials(&state, &def, owner).await?;
    let expected: &[Uuid] = match &precondition {
        Precondition::None | Precondition::Any => &[],
        Precondition::OneOf(v) => v,
    };
    let saved = store::workflows::update(&state.db, id, &def, expected).await?;
    Ok(WorkflowResponse::new(saved, true)
        .warn_about(&def, state.runner.registry())
        .ok())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::{Precondition, precondition};

    fn parse(value: &str) -> Result<Precondition, String> {
        let req = TestRequest::default()
            .insert_header(("If-Match", value))
            .to_http_request();
        precondition(&req).map_err(|e| e.to_string())
    }

    #[test]
    fn if_match_accepts_star_and_quoted_versions() {
        let id = uuid::Uuid::now_v7();
        assert_eq!(parse("*"), Ok(Precondition::Any));
        assert_eq!(
            parse(&format!("\"{id}\"")),
            Ok(Precondition::OneOf(vec![id]))
        );
        assert_eq!(
            parse(&format!("\"x\", \"{id}\"")),
            Ok(Precondition::OneOf(vec![id]))
        );
    }

    #[test]
    fn if_match_with_weak_or_foreign_tags_cannot_match() {
        let id = uuid::Uuid::now_v7();
        assert!(parse(&format!("W/\"{id}\"")).is_err());
        assert!(parse("\"v1\"").is_err());
    }

    #[test]
    fn a_malformed_if_match_is_a_bad_request() {
        let id = uuid::Uuid::now_v7();
        for bad in [id.to_string(), "null".into(), "\"a\"b\"".into()] {
            let err = parse(&bad).unwrap_err();
            assert!(err.contains("If-Match: must be"), "{bad}: {err}");
        }
    }
}
