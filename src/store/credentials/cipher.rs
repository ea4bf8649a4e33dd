//! Encryption of credential data at rest: AES-256-GCM with a fresh nonce per write and the
//! credential's id as associated data, so a ciphertext copied onto another row does not open.

use std::io::Write as _;
use std::path::Path;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Layout version of a sealed value: `[VERSION][12-byte nonce][ciphertext + tag]`.
const VERSION: u8 = 1;
const NONCE: usize = 12;
/// The key file SQLite deployments keep when no key is configured.
pub const KEY_FILE: &str = "encryption-key";

#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("the stored value is not in a format this server writes")]
    Format,
    #[error("the stored value does not open with the configured encryption key")]
    WrongKey,
    #[error("the value is too large to encrypt")]
    TooLarge,
}

impl Cipher {
    /// A cipher whose key is derived from `passphrase` (`WEFT_ENCRYPTION_KEY`).
    pub fn from_passphrase(passphrase: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"weft credentials v1\0");
        hash.update(passphrase.as_bytes());
        let key: [u8; 32] = hash.finalize().into();
        Self {
            aead: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)),
        }
    }

    /// A cipher with a random key that lives as long as the process (in-memory databases).
    pub fn ephemeral() -> Self {
        let key = Aes256Gcm::generate_key(OsRng);
        Self {
            aead: Aes256Gcm::new(&key),
        }
    }

    /// The key kept in `dir/encryption-key`, made (random, owner-only) when there is none.
    /// Creation is atomic, so processes starting together agree on one key.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join(KEY_FILE);
        if !path.exists() {
            std::fs::create_dir_all(dir)?;
            let key: [u8; 32] = Aes256Gcm::generate_key(OsRng).into();
            let staging = dir.join(format!(".{KEY_FILE}.{}", Uuid::now_v7().simple()));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&staging)?;
            file.write_all(hex::encode(key).as_bytes())?;
            file.sync_all()?;
            drop(file);
            // A hard link fails if the name exists: whoever links first wins, the rest read it.
            let linked = std::fs::hard_link(&staging, &path);
            let _ = std::fs::remove_file(&staging);
            match linked {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        let passphrase = std::fs::read_to_string(&path)?;
        let passphrase = passphrase.trim();
        if passphrase.len() < 16 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} holds no usable key", path.display()),
            ));
        }
        Ok(Self::from_passphrase(passphrase))
    }

    /// Encrypts `plaintext` for the credential `id`.
    pub fn seal(&self, id: Uuid, plaintext: &[u8]) -> Result<Vec<u8>, CipherError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .aead
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| CipherError::TooLarge)?;
        let mut out = Vec::with_capacity(1 + NONCE + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`Cipher::seal`] wrote for the credential `id`.
    pub fn open(&self, id: Uuid, sealed: &[u8]) -> Result<Vec<u8>, CipherError> {
        if sealed.len() < 1 + NONCE + 16 || sealed[0] != VERSION {
            return Err(CipherError::Format);
        }
        let nonce: [u8; NONCE] = sealed[1..=NONCE]
            .try_into()
            .map_err(|_| CipherError::Format)?;
        let nonce = Nonce::from(nonce);
        self.aead
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed[1 + NONCE..],
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| CipherError::WrongKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_its_id() {
        let cipher = Cipher::from_passphrase("a long enough passphrase");
        let id = Uuid::now_v7();
        let sealed = cipher.seal(id, b"{\"password\":\"hunter2\"}").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(
            cipher.open(id, &sealed).unwrap(),
            b"{\"password\":\"hunter2\"}"
        );
        // Two seals of one value differ (fresh nonce).
        assert_ne!(
            cipher.seal(id, b"x").unwrap(),
            cipher.seal(id, b"x").unwrap()
        );
        let other = Cipher::from_passphrase("another long passphrase");
        assert!(matches!(
            other.open(id, &sealed),
            Err(CipherError::WrongKey)
        ));
        assert!(matches!(
            cipher.open(Uuid::now_v7(), &sealed),
            Err(CipherError::WrongKey)
        ));
        assert!(matches!(
            cipher.open(id, b"\x01short"),
            Err(CipherError::Format)
        ));
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = Cipher::load_or_create(dir.path()).unwrap();
        let id = Uuid::now_v7();
        let sealed = first.seal(id, b"secret").unwrap();
        let again = Cipher::load_or_create(dir.path()).unwrap();
        assert_eq!(again.open(id, &sealed).unwrap(), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
