//! `ApiError`: every way a request can fail, and the one place that picks its HTTP status and
//! renders it as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;
use weft_engine::ValidationIssue;

use crate::store::StoreError;

/// An RFC 9457 problem document. `code` is stable and machine-readable; `message` repeats
/// `detail` because n8n API clients read `message`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:weft:problem:not-found")]
    pub problem_type: String,
    #[schema(example = "Not Found")]
    pub title: String,
    #[schema(example = 404)]
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// Stable identifier of the kind of problem, e.g. `validation`, `not-found`.
    pub code: String,
    /// Same as `detail` (n8n clients read this field).
    pub message: String,
    /// For validation problems: each field that is wrong.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field: where in the body, and what is wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    #[schema(example = "nodes[1].name")]
    pub path: String,
    #[schema(example = "duplicate node name \"Set\" (also nodes[0])")]
    pub message: String,
}

impl From<ValidationIssue> for FieldError {
    fn from(i: ValidationIssue) -> Self {
        Self {
            path: i.path,
            message: i.message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("{path} does not answer {method}; it answers {allow}")]
    MethodNotAllowed {
        method: String,
        path: String,
        allow: String,
    },
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    RequestTimeout(String),
    /// No credential, or one that is not accepted (n8n's message).
    #[error("{0}")]
    Unauthorized(String),
    /// A valid credential without the scope the operation needs.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    /// Over a rate limit: when to come back.
    #[error("too many requests; retry in {} s", .0.retry_after_secs)]
    TooManyRequests(crate::rate::Decision),
    #[error("{0}")]
    Unavailable(String),
    /// The cause is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn invalid_field(path: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError {
            path: path.into(),
            message: message.into(),
        };
        Self::Invalid {
            detail: format!("{}: {}", error.path, error.message),
            errors: vec![error],
        }
    }

    pub fn invalid_workflow(issues: Vec<ValidationIssue>) -> Self {
        let n = issues.len();
        Self::Invalid {
            detail: format!(
                "the workflow is invalid ({n} problem{})",
                if n == 1 { "" } else { "s" }
            ),
            errors: issues.into_iter().map(Into::into).collect(),
        }
    }

    fn kind(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not Found"),
            Self::NoRoute { .. } => (StatusCode::NOT_FOUND, "no-route", "Not Found"),
            Self::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method Not Allowed",
            ),
            Self::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON"),
            Self::Invalid { .. } => (StatusCode::BAD_REQUEST, "validation", "Invalid Request"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad Request"),
            Self::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported Media Type",
            ),
            Self::PayloadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload Too Large",
            ),
            Self::RequestTimeout(_) => (
                StatusCode::REQUEST_TIMEOUT,
                "request-timeout",
                "Request Timeout",
            ),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            Self::PreconditionFailed(_) => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition Failed",
            ),
            Self::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too Many Requests",
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service Unavailable",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal Server Error",
            ),
        }
    }
}

impl From<crate::body::BodyError> for ApiError {
    fn from(err: crate::body::BodyError) -> Self {
        use crate::body::BodyError;
        match err {
            BodyError::TooLarge(limit) => Self::PayloadTooLarge { limit },
            BodyError::TimedOut(_) => Self::RequestTimeout(err.to_string()),
            BodyError::Read(_) => Self::BadRequest(err.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { entity, id } => {
                Self::NotFound(format!("{entity} {id} was not found"))
            }
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::VersionMismatch { current } => Self::PreconditionFailed(format!(
                "If-Match does not match the current version (\"{current}\"); fetch the workflow again"
            )),
            StoreError::Rule(m) => Self::BadRequest(m),
            StoreError::Invalid(problems) => {
                let errors: Vec<FieldError> = problems
                    .into_iter()
                    .map(|(path, message)| FieldError { path, message })
                    .collect();
                Self::Invalid {
                    detail: errors
                        .iter()
                        .map(|e| format!("{}: {}", e.path, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                    errors,
                }
            }
            StoreError::Database(e) if matches!(e, sea_orm::DbErr::ConnectionAcquire(_)) => {
                tracing::warn!(error = %e, "database pool exhausted");
                Self::Unavailable("the database is busy; retry shortly".into())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code, title) = self.kind();
        let (detail, errors) = match self {
            Self::Internal(cause) => {
                tracing::error!(cause = %cause, "request failed");
                (
                    "the server could not complete the request".to_owned(),
                    Vec::new(),
                )
            }
            Self::Invalid { detail, errors } => (detail.clone(), errors.clone()),
            other => (other.to_string(), Vec::new()),
        };
        let problem = Problem {
            problem_type: format!("urn:weft:problem:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            message: detail.clone(),
            detail,
            code: code.to_owned(),
            errors,
        };
        let mut res = HttpResponse::build(status);
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Self::TooManyRequests(d) = self {
            for (name, value) in [
                ("retry-after", d.retry_after_secs),
                ("ratelimit-limit", u64::from(d.limit)),
                ("ratelimit-remaining", u64::from(d.remaining)),
                ("ratelimit-reset", d.reset_secs),
            ] {
                res.insert_header((name, value.to_string()));
            }
        }
        if let Self::Unauthorized(_) = self {
            res.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("ApiKey header=\"X-N8N-API-KEY\""),
            ));
        }
        if let Self::MethodNotAllowed { allow, .. } = self
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            res.insert_header((header::ALLOW, value));
        }
        res.body(serde_json::to_vec(&problem).unwrap_or_default())
    }
}
