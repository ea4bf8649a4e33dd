//! Keyset pagination: an opaque cursor over `(timestamp, id)` and the page it yields.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The position after the last row of a page: its sort timestamp and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this server issued")]
pub struct InvalidCursor;

impl Cursor {
    const VERSION: &'static str = "1";

    pub fn encode(&self) -> String {
        let raw = format!(
            "{}:{}:{}",
            Self::VERSION,
            self.at.timestamp_micros(),
            self.id.simple()
        );
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn decode(encoded: &str) -> Result<Self, InvalidCursor> {
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded.trim())
            .map_err(|_| InvalidCursor)?;
        let raw = std::str::from_utf8(&bytes).map_err(|_| InvalidCursor)?;
        let mut parts = raw.split(':');
        let (Some(Self::VERSION), Some(micros), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidCursor);
        };
        let micros: i64 = micros.parse().map_err(|_| InvalidCursor)?;
        Ok(Self {
            at: DateTime::from_timestamp_micros(micros).ok_or(InvalidCursor)?,
            id: Uuid::try_parse(id).map_err(|_| InvalidCursor)?,
        })
    }
}

/// How many rows, starting after which cursor.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<Cursor>,
}

/// One page of rows and the cursor of the next page, if there is one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only tells that more follow.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, key: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next = if more { rows.last().map(key) } else { None };
        Self { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn a_cursor_round_trips() {
        let c = Cursor {
            at: crate::store::now(),
            id: crate::store::new_id(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
    }

    #[test]
    fn foreign_cursors_are_refused() {
        for bad in ["", "abc", "!!!", "MTpub3RhbnVtYmVyOng", "Mjox"] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?}");
        }
    }
}
