//! Timestamps as n8n's API writes them: ISO 8601, UTC, milliseconds (`2025-01-15T10:30:00.000Z`).

use chrono::{DateTime, SecondsFormat, Utc};

pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
