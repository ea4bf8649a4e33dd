//! Reading a request body under the server's limits: at most `max_bytes`, and all of it within
//! `timeout`, so a client trickling bytes cannot hold a connection for as long as it likes.

use std::time::Duration;

use actix_web::error::PayloadError;
use actix_web::web::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt as _};

/// The limits every request body is read under (`WEFT_MAX_BODY_BYTES`, `WEFT_BODY_TIMEOUT_MS`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the request body is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error("the request body did not arrive within {0} ms")]
    TimedOut(u128),
    #[error("could not read the request body: {0}")]
    Read(String),
}

/// The whole body, or why it could not be had within the limits.
pub async fn read<S>(mut payload: S, limits: BodyLimits) -> Result<BytesMut, BodyError>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let collect = async {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| BodyError::Read(e.to_string()))?;
            if body.len().saturating_add(chunk.len()) > limits.max_bytes {
                return Err(BodyError::TooLarge(limits.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(limits.timeout, collect)
        .await
        .map_err(|_| BodyError::TimedOut(limits.timeout.as_millis()))?
}
