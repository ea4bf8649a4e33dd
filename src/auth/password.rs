//! Passwords: n8n's rules (8 to 64 characters, a digit, an upper-case letter), hashed with
//! argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Why a password is refused, in n8n's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join(" "))]
pub struct PasswordError(pub Vec<&'static str>);

fn hasher() -> Argon2<'static> {
    // OWASP's argon2id minimum: m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks `password` against n8n's rules and hashes it (PHC string).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if !(8..=64).contains(&len) {
        problems.push("Password must be 8 to 64 characters long.");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push("Password must contain at least 1 number.");
    }
    if !password.chars().any(char::is_uppercase) {
        problems.push("Password must contain at least 1 uppercase letter.");
    }
    if !problems.is_empty() {
        return Err(PasswordError(problems));
    }
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError(vec!["The password could not be hashed."]))
}

/// Spends the time a real check would on a password for an account that has none (or does
/// not exist), so answer times do not tell which emails have accounts.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("Unused password 1").unwrap_or_default());
    let _ = verify_password(password, dummy);
}

/// Whether `password` is the one hashed as `stored` (constant time in the hash comparison).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| hasher().verify_password(password.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::{hash_password, verify_password};

    #[test]
    fn passwords_follow_n8ns_rules_and_verify_against_their_argon2id_hash() {
        let hash = hash_password("Correct horse 1").expect("acceptable");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("Correct horse 1", &hash));
        assert!(!verify_password("Correct horse 2", &hash));
        assert!(!verify_password("anything", "not a hash"));
        let err = hash_password("short").unwrap_err().to_string();
        assert_eq!(
            err,
            "Password must be 8 to 64 characters long. Password must contain at least 1 number. \
             Password must contain at least 1 uppercase letter."
        );
        assert!(hash_password("lowercase only 1").is_err());
        assert!(hash_password(&"A1".repeat(33)).is_err());
    }
}
