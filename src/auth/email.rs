//! An email address as Weft accepts it: one `@` with something on each side, no whitespace or
//! control characters, at most 254 characters; kept lower-case so lookups ignore case.

use std::fmt;

/// The OpenAPI pattern that describes exactly what [`Email::parse`] accepts (after trimming).
pub const EMAIL_PATTERN: &str = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+$";

/// A checked, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

/// Why an email address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not an email address")]
pub struct EmailError;

impl Email {
    /// Checks `raw` (surrounding whitespace ignored).
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let email = raw.trim();
        let bad = |c: char| c.is_whitespace() || c.is_control() || c == '@';
        let ok = email.chars().count() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.is_empty()
                    && !local.chars().any(bad)
                    && !domain.chars().any(bad)
            });
        if ok {
            Ok(Self(email.to_lowercase()))
        } else {
            Err(EmailError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_address_is_accepted_and_lower_cased() {
        assert_eq!(
            Email::parse(" Ada@Example.com ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn unicode_letters_are_accepted_on_both_sides() {
        assert!(Email::parse("\u{1f60d}7@\u{23a}").is_ok());
    }

    #[test]
    fn addresses_without_exactly_one_at_or_with_blank_parts_are_refused() {
        for bad in [
            "ada",
            "@example.com",
            "ada@",
            "a@b@c",
            "a b@c",
            "a\u{85}@c",
            "a\u{12}@c",
            "a@\u{0}",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad:?}");
        }
    }

    #[test]
    fn addresses_longer_than_254_characters_are_refused() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError));
    }
}
