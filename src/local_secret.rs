//! Secrets the embedded database keeps in its data directory (`jwt-secret`): made once, with
//! mode 0600, by whichever process gets there first; every process then reads the same one.

use std::io::Write;
use std::path::Path;

/// The secret in `dir/name`, made from 48 random characters if the file does not exist yet.
pub fn load_or_create(dir: &Path, name: &str) -> std::io::Result<String> {
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(dir)?;
        let secret =
            crate::auth::random_text(48).map_err(|e| std::io::Error::other(e.to_string()))?;
        let staging = dir.join(format!(".{name}.{}", uuid::Uuid::now_v7().simple()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&staging)?;
        file.write_all(secret.as_bytes())?;
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
    let secret = std::fs::read_to_string(&path)?.trim().to_owned();
    if secret.chars().count() < 32 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} holds no usable secret", path.display()),
        ));
    }
    Ok(secret)
}
