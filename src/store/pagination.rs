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
    /// The pattern every cursor matches (and every string matching it decodes): 24 bytes —
    /// the timestamp in microseconds (big-endian) and the id — in unpadded base64url.
    pub const PATTERN: &'static str = "^[A-Za-z0-9_-]{32}$";

    pub fn encode(&self) -> String {
        let mut raw = [0u8; 24];
        let (micros, id) = raw.split_at_mut(8);
        micros.copy_from_slice(&self.at.timestamp_micros().to_be_bytes());
        id.copy_from_slice(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// The cursor `encoded` names. Any 32 base64url characters decode; a timestamp outside
    /// the years 1 to 9999 is brought within them (no row is there, so the page is the same).
    pub fn decode(encoded: &str) -> Result<Self, InvalidCursor> {
        if encoded.len() != 32 {
            return Err(InvalidCursor);
        }
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| InvalidCursor)?;
        let (Some(micros), Some(id)) = (bytes.get(..8), bytes.get(8..24)) else {
            return Err(InvalidCursor);
        };
        let micros = i64::from_be_bytes(micros.try_into().map_err(|_| InvalidCursor)?);
        let id = Uuid::from_slice(id).map_err(|_| InvalidCursor)?;
        const FIRST: i64 = -62_135_596_800_000_000; // 0001-01-01T00:00:00Z
        const LAST: i64 = 253_402_300_799_999_999; // 9999-12-31T23:59:59.999999Z
        let at = DateTime::from_timestamp_micros(micros.clamp(FIRST, LAST)).ok_or(InvalidCursor)?;
        Ok(Self { at, id })
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
