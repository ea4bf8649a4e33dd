//! `WorkflowName`: a non-blank workflow name of at most 128 characters (n8n's limit).

use serde::{Deserialize, Serialize};

/// A workflow's display name: trimmed, not empty, at most [`WorkflowName::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WorkflowName(String);

impl WorkflowName {
    /// n8n's column limit for workflow names.
    pub const MAX_CHARS: usize = 128;

    /// Parses a name, trimming surrounding white space.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("must not be empty".into());
        }
        let chars = name.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(format!(
                "must be at most {} characters, got {chars}",
                Self::MAX_CHARS
            ));
        }
        if name.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for WorkflowName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::WorkflowName;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(
            WorkflowName::parse("  My flow ").unwrap().as_str(),
            "My flow"
        );
    }

    #[test]
    fn invalid_names_are_refused() {
        for bad in ["", "   ", "a\u{0}b", &"x".repeat(129)] {
            assert!(
                WorkflowName::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn a_name_of_exactly_128_characters_is_accepted() {
        assert!(WorkflowName::parse(&"é".repeat(128)).is_ok());
    }
}
