//! Crypto v2's Encrypt and Decrypt, byte for byte as n8n 2.41 writes them: symmetric
//! `0x01 | salt(16) | iv(12) | tag(16) | ciphertext` in base64, the key from scrypt (N=2^16, r=8,
//! p=1) over the credential's passphrase, AES-GCM or ChaCha20-Poly1305; asymmetric RSA-OAEP
//! with SHA-256. PEM keys pasted on one line are repaired as n8n's `formatPemBlock` does.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::aes::Aes192;
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm};
use base64::Engine;
use chacha20poly1305::ChaCha20Poly1305;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use weft_engine::run::NodeError;

const VERSION: u8 = 0x01;
const SALT: usize = 16;
const IV: usize = 12;
const TAG: usize = 16;
const HEADER: usize = 1 + SALT + IV + TAG;

/// The symmetric ciphers n8n offers, by its names.
#[derive(Debug, Clone, Copy)]
pub enum Cipher {
    Aes128Gcm,
    Aes192Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
}

impl Cipher {
    pub fn parse(name: &str) -> Result<Self, NodeError> {
        Ok(match name {
            "aes-128-gcm" => Self::Aes128Gcm,
            "aes-192-gcm" => Self::Aes192Gcm,
            "aes-256-gcm" => Self::Aes256Gcm,
            "chacha20-poly1305" => Self::ChaCha20Poly1305,
            other => return Err(NodeError::new(format!("Invalid cipher: {other}"))),
        })
    }

    fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes192Gcm => 24,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
        }
    }

    /// Ciphertext followed by its 16-byte tag (or `None` when the tag does not verify, on open).
    fn run(self, key: &[u8], iv: &[u8], data: &[u8], seal: bool) -> Option<Vec<u8>> {
        fn go<C>(key: &[u8], iv: &[u8], data: &[u8], seal: bool) -> Option<Vec<u8>>
        where
            C: KeyInit + Aead + aes_gcm::aead::AeadCore<NonceSize = U12>,
        {
            let c = C::new_from_slice(key).ok()?;
            let nonce: [u8; 12] = iv.try_into().ok()?;
            let nonce = aes_gcm::Nonce::from(nonce);
            if seal {
                c.encrypt(&nonce, data).ok()
            } else {
                c.decrypt(&nonce, data).ok()
            }
        }
        match self {
            Self::Aes128Gcm => go::<Aes128Gcm>(key, iv, data, seal),
            Self::Aes192Gcm => go::<AesGcm<Aes192, U12>>(key, iv, data, seal),
            Self::Aes256Gcm => go::<Aes256Gcm>(key, iv, data, seal),
            Self::ChaCha20Poly1305 => go::<ChaCha20Poly1305>(key, iv, data, seal),
        }
    }
}

fn derive(passphrase: &str, salt: &[u8], len: usize) -> Vec<u8> {
    let params = scrypt::Params::new(16, 8, 1, len).expect("n8n's scrypt parameters are valid");
    let mut key = vec![0u8; len];
    scrypt::scrypt(passphrase.as_bytes(), salt, &params, &mut key)
        .expect("the key length is one scrypt allows");
    key
}

fn random(n: usize) -> Result<Vec<u8>, NodeError> {
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| NodeError::new(format!("No random bytes available: {e}")))?;
    Ok(bytes)
}

/// `plaintext` sealed under `passphrase`, in n8n's layout, as standard base64.
pub fn encrypt_symmetric(
    cipher: Cipher,
    passphrase: &str,
    plaintext: &str,
) -> Result<String, NodeError> {
    let salt = random(SALT)?;
    let iv = random(IV)?;
    let key = derive(passphrase, &salt, cipher.key_len());
    let sealed = cipher
        .run(&key, &iv, plaintext.as_bytes(), true)
        .ok_or_else(|| NodeError::new("Encryption failed"))?;
    let (ciphertext, tag) = sealed.split_at(sealed.len() - TAG);
    let mut out = Vec::with_capacity(HEADER + ciphertext.len());
    out.push(VERSION);
    out.extend_from_slice(&salt);
    out.extend_from_slice(&iv);
    out.extend_from_slice(tag);
    out.extend_from_slice(ciphertext);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

fn decrypt_failed() -> NodeError {
    NodeError::new("Decryption failed: wrong passphrase, key, cipher, or corrupted payload")
}

/// Node's lenient base64 reading: both alphabets, anything else skipped, padding optional.
fn lenient_base64(text: &str) -> Vec<u8> {
    let cleaned: String = text
        .chars()
        .filter_map(|c| match c {
            '-' => Some('+'),
            '_' => Some('/'),
            c if c.is_ascii_alphanumeric() || c == '+' || c == '/' => Some(c),
            _ => None,
        })
        .collect();
    // A dangling single character carries no whole byte; Node drops it.
    let usable = if cleaned.len() % 4 == 1 {
        &cleaned[..cleaned.len() - 1]
    } else {
        &cleaned[..]
    };
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(usable)
        .unwrap_or_default()
}

/// The text sealed in `payload` (base64), or n8n's error for it.
pub fn decrypt_symmetric(
    cipher: Cipher,
    passphrase: &str,
    payload: &str,
) -> Result<String, NodeError> {
    let bytes = lenient_base64(payload);
    if bytes.len() < HEADER {
        return Err(NodeError::new("Ciphertext is malformed or truncated"));
    }
    if bytes[0] != VERSION {
        return Err(NodeError::new(format!(
            "Unsupported ciphertext version 0x{:02x}",
            bytes[0]
        )));
    }
    let salt = &bytes[1..1 + SALT];
    let iv = &bytes[1 + SALT..1 + SALT + IV];
    let tag = &bytes[1 + SALT + IV..HEADER];
    let mut sealed = bytes[HEADER..].to_vec();
    sealed.extend_from_slice(tag);
    let key = derive(passphrase, salt, cipher.key_len());
    let plain = cipher
        .run(&key, iv, &sealed, false)
        .ok_or_else(decrypt_failed)?;
    Ok(String::from_utf8_lossy(&plain).into_owned())
}

/// `plaintext` under the RSA public key `pem` (SPKI or PKCS#1), RSA-OAEP-SHA256, in base64.
pub fn encrypt_rsa(pem: &str, plaintext: &str) -> Result<String, NodeError> {
    let key = RsaPublicKey::from_public_key_pem(pem.trim())
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem.trim()))
        .or_else(|_| private_key(pem).map(|k| k.to_public_key()))
        .map_err(|_| {
            NodeError::new("The encryption public key is not an RSA public key in PEM format")
        })?;
    let limit = key_size(&key).saturating_sub(2 * 32 + 2);
    if plaintext.len() > limit {
        return Err(NodeError::new(
            "Plaintext is too large for the RSA key. Use symmetric mode for larger data.",
        ));
    }
    let mut rng = rsa::rand_core::OsRng;
    let sealed = key
        .encrypt(&mut rng, Oaep::new::<sha2::Sha256>(), plaintext.as_bytes())
        .map_err(|e| NodeError::new(format!("Encryption failed: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
}

fn key_size(key: &RsaPublicKey) -> usize {
    use rsa::traits::PublicKeyParts;
    key.size()
}

fn private_key(pem: &str) -> Result<RsaPrivateKey, ()> {
    RsaPrivateKey::from_pkcs8_pem(pem.trim())
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem.trim()))
        .map_err(drop)
}

/// The text RSA-OAEP-SHA256 sealed in `payload` (base64) for the private key `pem`.
pub fn decrypt_rsa(pem: &str, payload: &str) -> Result<String, NodeError> {
    let key = private_key(pem).map_err(|()| decrypt_failed())?;
    let plain = key
        .decrypt(Oaep::new::<sha2::Sha256>(), &lenient_base64(payload))
        .map_err(|_| decrypt_failed())?;
    Ok(String::from_utf8_lossy(&plain).into_owned())
}

/// n8n's `formatPemBlock`: a PEM pasted on one line (or with literal `\n`) made whole again;
/// anything with real line breaks, or no `-----BEGIN `, is returned as it is.
pub fn format_pem(pem: &str, public: bool) -> String {
    if pem.is_empty() || pem.contains('\n') || !pem.contains("-----BEGIN ") {
        return pem.to_owned();
    }
    let trimmed = pem.trim();
    let label_ok = |label: &str| {
        if public {
            label.ends_with("PUBLIC KEY")
        } else {
            label.ends_with("PRIVATE KEY") || label == "CERTIFICATE"
        }
    };
    if trimmed.matches("-----BEGIN ").count() == 1
        && let Some(rest) = trimmed.strip_prefix("-----BEGIN ")
        && let Some((label, rest)) = rest.split_once("-----")
        && label_ok(label)
        && let Some(body) = rest.strip_suffix(&format!("-----END {label}-----"))
    {
        let body = body.replace("\\n", "\n");
        let body = body.trim();
        let lines: Vec<String> = if body.chars().any(char::is_whitespace) {
            body.split_whitespace().map(str::to_owned).collect()
        } else {
            body.as_bytes()
                .chunks(64)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()
        };
        return format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----",
            lines.join("\n")
        );
    }
    pem.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cipher_round_trips_in_n8ns_layout() {
        for name in [
            "aes-128-gcm",
            "aes-192-gcm",
            "aes-256-gcm",
            "chacha20-poly1305",
        ] {
            let c = Cipher::parse(name).unwrap();
            let sealed = encrypt_symmetric(c, "pass", "héllo").unwrap();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&sealed)
                .unwrap();
            assert_eq!(bytes[0], 1);
            assert_eq!(bytes.len(), HEADER + "héllo".len());
            assert_eq!(decrypt_symmetric(c, "pass", &sealed).unwrap(), "héllo");
            let wrong = decrypt_symmetric(c, "other", &sealed).unwrap_err();
            assert!(
                wrong.message.starts_with("Decryption failed"),
                "{}",
                wrong.message
            );
        }
    }

    #[test]
    fn short_or_foreign_payloads_get_n8ns_messages() {
        let c = Cipher::Aes256Gcm;
        assert_eq!(
            decrypt_symmetric(c, "p", "AQID").unwrap_err().message,
            "Ciphertext is malformed or truncated"
        );
        let foreign = base64::engine::general_purpose::STANDARD.encode([0xffu8; 50]);
        assert_eq!(
            decrypt_symmetric(c, "p", &foreign).unwrap_err().message,
            "Unsupported ciphertext version 0xff"
        );
    }

    #[test]
    fn a_one_line_pem_is_rewrapped() {
        let one = "-----BEGIN PUBLIC KEY----- QUJD REVG -----END PUBLIC KEY-----";
        assert_eq!(
            format_pem(one, true),
            "-----BEGIN PUBLIC KEY-----\nQUJD\nREVG\n-----END PUBLIC KEY-----"
        );
        let long = format!(
            "-----BEGIN PRIVATE KEY-----{}-----END PRIVATE KEY-----",
            "A".repeat(70)
        );
        assert_eq!(
            format_pem(&long, false),
            format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n{}\n-----END PRIVATE KEY-----",
                "A".repeat(64),
                "A".repeat(6)
            )
        );
        assert_eq!(format_pem("a\nb", false), "a\nb");
    }
}
