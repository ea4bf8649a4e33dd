//! Digests, HMACs and RSA signatures as Node's `crypto` makes them, and their text encodings.

use base64::Engine;
use hmac::{Hmac, Mac};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::Digest;
use weft_engine::run::NodeError;

/// Digest names as Node's `crypto` accepts them (case-insensitive, `RSA-` prefix allowed).
fn normalise(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_prefix("rsa-").unwrap_or(&lower).to_owned();
    lower.replace("sha-", "sha")
}

fn unknown_digest(name: &str) -> NodeError {
    NodeError::new(format!("Digest method not supported: {name}"))
}

pub(crate) fn hash(kind: &str, input: &[u8]) -> Result<Vec<u8>, NodeError> {
    Ok(match normalise(kind).as_str() {
        "md5" => md5::Md5::digest(input).to_vec(),
        "sha1" => sha1::Sha1::digest(input).to_vec(),
        "sha224" => sha2::Sha224::digest(input).to_vec(),
        "sha256" => sha2::Sha256::digest(input).to_vec(),
        "sha384" => sha2::Sha384::digest(input).to_vec(),
        "sha512" => sha2::Sha512::digest(input).to_vec(),
        "sha3-256" => sha3::Sha3_256::digest(input).to_vec(),
        "sha3-384" => sha3::Sha3_384::digest(input).to_vec(),
        "sha3-512" => sha3::Sha3_512::digest(input).to_vec(),
        _ => return Err(unknown_digest(kind)),
    })
}

pub(crate) fn hmac(kind: &str, key: &[u8], input: &[u8]) -> Result<Vec<u8>, NodeError> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], input: &[u8]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
            .expect("HMAC accepts keys of any length");
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    }
    Ok(match normalise(kind).as_str() {
        "md5" => run::<Hmac<md5::Md5>>(key, input),
        "sha1" => run::<Hmac<sha1::Sha1>>(key, input),
        "sha224" => run::<Hmac<sha2::Sha224>>(key, input),
        "sha256" => run::<Hmac<sha2::Sha256>>(key, input),
        "sha384" => run::<Hmac<sha2::Sha384>>(key, input),
        "sha512" => run::<Hmac<sha2::Sha512>>(key, input),
        "sha3-256" => run::<Hmac<sha3::Sha3_256>>(key, input),
        "sha3-384" => run::<Hmac<sha3::Sha3_384>>(key, input),
        "sha3-512" => run::<Hmac<sha3::Sha3_512>>(key, input),
        _ => return Err(unknown_digest(kind)),
    })
}

/// An RSASSA-PKCS1-v1_5 signature, as Node's `createSign(algorithm).sign(pem)` makes with an
/// RSA key (PKCS#1 or PKCS#8 PEM).
pub fn sign(algorithm: &str, pem: &str, input: &[u8]) -> Result<Vec<u8>, NodeError> {
    let key = RsaPrivateKey::from_pkcs1_pem(pem.trim())
        .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem.trim()))
        .map_err(|_| {
            NodeError::new(
                "The private key is not an RSA private key in PEM format (PKCS#1 or PKCS#8)",
            )
        })?;
    let digest = hash(algorithm, input)?;
    let scheme = match normalise(algorithm).as_str() {
        "md5" => Pkcs1v15Sign::new::<md5::Md5>(),
        "sha1" => Pkcs1v15Sign::new::<sha1::Sha1>(),
        "sha224" => Pkcs1v15Sign::new::<sha2::Sha224>(),
        "sha256" => Pkcs1v15Sign::new::<sha2::Sha256>(),
        "sha384" => Pkcs1v15Sign::new::<sha2::Sha384>(),
        "sha512" => Pkcs1v15Sign::new::<sha2::Sha512>(),
        _ => return Err(unknown_digest(algorithm)),
    };
    key.sign(scheme, &digest)
        .map_err(|e| NodeError::new(format!("Signing failed: {e}")))
}

pub fn encode(bytes: &[u8], encoding: &str) -> Result<String, NodeError> {
    match encoding {
        "hex" => Ok(hex(bytes)),
        "base64" => Ok(base64::engine::general_purpose::STANDARD.encode(bytes)),
        other => Err(NodeError::new(format!(
            "The encoding \"{other}\" is not known"
        ))),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_nodes_crypto_for_every_supported_type() {
        let h = |k: &str| hex(&hash(k, b"test").unwrap());
        assert_eq!(h("MD5"), "098f6bcd4621d373cade4e832627b4f6");
        assert_eq!(h("SHA1"), "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3");
        assert_eq!(
            h("SHA256"),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
        assert_eq!(
            h("SHA3-256"),
            "36f028580bb02cc8272a9a020f4200e346e276ae664e45ee80745574e2f5ab80"
        );
        assert!(hash("whirlpool", b"x").is_err());
    }

    #[test]
    fn hmac_uses_the_secret_as_utf8_bytes() {
        let mac = hmac(
            "SHA256",
            b"key",
            b"The quick brown fox jumps over the lazy dog",
        )
        .unwrap();
        assert_eq!(
            hex(&mac),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn a_key_that_is_not_rsa_pem_is_a_clear_error() {
        let err = sign("RSA-SHA256", "not a key", b"x").unwrap_err();
        assert!(err.message.contains("PEM"), "{}", err.message);
    }

    #[test]
    fn unknown_encodings_are_refused() {
        assert!(encode(b"x", "latin1").is_err());
        assert_eq!(encode(&[0xde, 0xad], "hex").unwrap(), "dead");
    }
}
