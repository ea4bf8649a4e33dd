//! Request parsing at the edge: JSON bodies (content type, size, syntax, shape), ids, query strings.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::QueryPayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use utoipa::PartialSchema;
use uuid::Uuid;

use super::error::ApiError;
use crate::body::BodyLimits;
use crate::state::AppState;

/// A JSON request body parsed into `T`. Refuses a non-JSON content type (415), a body over
/// the configured limit (413), malformed JSON (400) and a body of the wrong shape (400, with
/// the path of the offending field).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + PartialSchema + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = body_of(req, payload);
        Box::pin(async move {
            let body = body.await?;
            parsed(&body).map(JsonBody)
        })
    }
}

/// The request's body, once its headers are checked (JSON content type, declared size) and
/// it is read within the configured limit.
fn body_of(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<web::BytesMut, ApiError>> + 'static {
    let limits = req
        .app_data::<web::Data<AppState>>()
        .map_or_else(BodyLimits::default, |s| s.body);
    let checked = check_headers(req, limits.max_bytes);
    let payload = payload.take();
    async move {
        checked?;
        Ok(crate::body::read(payload, limits).await?)
    }
}

/// A JSON body as `T`: valid JSON of `T`'s shape.
fn parsed<T: DeserializeOwned + PartialSchema>(body: &[u8]) -> Result<T, ApiError> {
    let parsed = parse_json(body)?;
    check_shape::<T>(body)?;
    Ok(parsed)
}

/// Like [`JsonBody`], but a request without a body (no `Content-Type`, no or zero
/// `Content-Length`), or with a JSON `null`, yields `T::default()`.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub T);

impl<T: DeserializeOwned + PartialSchema + Default + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let chunked = headers.contains_key(header::TRANSFER_ENCODING);
        if length.unwrap_or(0) == 0 && !chunked && !headers.contains_key(header::CONTENT_TYPE) {
            return Box::pin(async { Ok(OptionalJsonBody(T::default())) });
        }
        let body = body_of(req, payload);
        Box::pin(async move {
            let body = body.await?;
            // A JSON `null` is no body too (the schema's body is nullable).
            if body.trim_ascii() == b"null" {
                return Ok(OptionalJsonBody(T::default()));
            }
            parsed(&body).map(OptionalJsonBody)
        })
    }
}

fn check_headers(req: &HttpRequest, limit: usize) -> Result<(), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !(essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json")))
    {
        let got = if essence.is_empty() {
            "none".to_owned()
        } else {
            format!("{essence:?}")
        };
        return Err(ApiError::UnsupportedMediaType(format!(
            "expected Content-Type application/json, got {got}"
        )));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(())
}

/// Whether the body has the JSON type `T`'s schema gives it: an object where it is an object,
/// objects as the elements of an array of objects. serde alone would read `[a, b]` as a
/// struct's fields in order, accepting a body the contract refuses.
fn check_shape<T: PartialSchema>(body: &[u8]) -> Result<(), ApiError> {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
    let is_object = |schema: &RefOr<Schema>| match schema {
        // Every component a request body refers to is an object.
        RefOr::Ref(_) => true,
        RefOr::T(Schema::Object(o)) => o.schema_type == SchemaType::Type(Type::Object),
        RefOr::T(_) => false,
    };
    let not_object = |path: String| ApiError::invalid_field(path, "must be a JSON object");
    match T::schema() {
        schema @ RefOr::T(Schema::Object(_)) if is_object(&schema) => {
            let first = body.iter().find(|c| !c.is_ascii_whitespace());
            if first != Some(&b'{') {
                return Err(not_object("(body)".into()));
            }
        }
        RefOr::T(Schema::Array(array)) => {
            if let ArrayItems::RefOrSchema(items) = &array.items
                && is_object(items)
            {
                let value: serde_json::Value = serde_json::from_slice(body)
                    .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
                if let Some(at) = value
                    .as_array()
                    .and_then(|items| items.iter().position(|v| !v.is_object()))
                {
                    return Err(not_object(format!("[{at}]")));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Parses JSON into `T`, telling a syntax error from a value of the wrong shape.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so a truncated body is reported as malformed even where its valid
    // prefix already has the wrong shape.
    serde_json::from_slice::<serde::de::IgnoredAny>(body)
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let path = if path == "." {
                    "(body)".to_owned()
                } else {
                    path
                };
                ApiError::invalid_field(path, without_position(&inner))
            }
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    Ok(value)
}

/// serde_json appends "at line 1 column 9", which means nothing once the path is given.
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// A path id: anything that is not a UUID names nothing here, so it is a 404.
pub fn parse_id(raw: &str, entity: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw.trim())
        .map_err(|_| ApiError::NotFound(format!("{entity} {raw} was not found")))
}

/// Query strings that do not parse (`limit=abc`, `active=maybe`) are 400s.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let detail = match &err {
            QueryPayloadError::Deserialize(e) => format!("invalid query string: {e}"),
            other => format!("invalid query string: {other}"),
        };
        ApiError::BadRequest(detail).into()
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use utoipa::ToSchema;

    use super::check_shape;

    #[derive(Debug, Deserialize, ToSchema)]
    #[allow(dead_code)]
    struct Patch {
        name: Option<String>,
    }

    #[test]
    fn an_array_is_not_accepted_where_an_object_is_documented() {
        assert!(check_shape::<Patch>(br#" {"name": null}"#).is_ok());
        // serde alone would take `[null]` as the struct's fields in order.
        assert!(serde_json::from_slice::<Patch>(b"[null]").is_ok());
        assert!(check_shape::<Patch>(b"[null]").is_err());
        assert!(check_shape::<Patch>(b"[]").is_err());
    }

    #[test]
    fn elements_of_an_array_of_objects_must_be_objects() {
        assert!(check_shape::<Vec<Patch>>(br#"[{"name": "a"}, {}]"#).is_ok());
        assert!(check_shape::<Vec<Patch>>(br#"[{}, ["a"]]"#).is_err());
        assert!(check_shape::<Vec<String>>(br#"["a"]"#).is_ok());
    }
}
