//! API keys: `weft_` + a 12-character public prefix + a 40-character secret, base62, from the
//! operating system's random source. Stored as the prefix (to find the key) and a SHA-256 hash
//! of the whole key (compared in constant time); the key itself is shown once.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const TAG: &str = "weft_";
const PREFIX_LEN: usize = 12;
const SECRET_LEN: usize = 40;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A key as presented (or as just made).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl std::fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeySecret({}…)", self.prefix())
    }
}

/// Why a presented key cannot be one of ours (its text is never part of the error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the API key is not in Weft's format")]
pub struct KeyParseError;

/// `len` random base62 characters from the operating system's random source.
pub fn random_text(len: usize) -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(len);
    let mut bytes = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut bytes)?;
        // Bytes ≥ 248 are skipped so every character is equally likely (248 = 4 × 62).
        for b in bytes {
            if b < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}

impl ApiKeySecret {
    /// A new random key.
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self(format!(
            "{TAG}{}{}",
            random_text(PREFIX_LEN)?,
            random_text(SECRET_LEN)?
        )))
    }

    /// A presented key, checked for shape only.
    pub fn parse(raw: &str) -> Result<Self, KeyParseError> {
        let body = raw.strip_prefix(TAG).ok_or(KeyParseError)?;
        let sound =
            body.len() == PREFIX_LEN + SECRET_LEN && body.bytes().all(|b| ALPHABET.contains(&b));
        if sound {
            Ok(Self(raw.to_owned()))
        } else {
            Err(KeyParseError)
        }
    }

    /// The public part the key is found by.
    pub fn prefix(&self) -> &str {
        self.0
            .get(TAG.len()..TAG.len() + PREFIX_LEN)
            .unwrap_or_default()
    }

    /// The stored hash of the key (hex SHA-256).
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// Whether this key is the one stored as `hash`, compared in constant time.
    pub fn matches(&self, hash: &str) -> bool {
        self.hash().as_bytes().ct_eq(hash.as_bytes()).into()
    }

    /// The key itself, to show once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::ApiKeySecret;

    #[test]
    fn a_generated_key_parses_back_and_matches_only_its_own_hash() {
        let key = ApiKeySecret::generate().expect("random");
        assert_eq!(key.expose().len(), 5 + 12 + 40);
        let again = ApiKeySecret::parse(key.expose()).expect("parses");
        assert_eq!(again.prefix(), key.prefix());
        assert!(again.matches(&key.hash()));
        let other = ApiKeySecret::generate().expect("random");
        assert!(!other.matches(&key.hash()));
        assert_ne!(other.prefix(), key.prefix());
        assert!(!format!("{key:?}").contains(&key.expose()[17..]));
        for bad in [
            "",
            "weft_",
            "weft_short",
            "n8n_api_x",
            &format!("{}!", &key.expose()[..56]),
        ] {
            assert!(ApiKeySecret::parse(bad).is_err(), "{bad}");
        }
    }
}
