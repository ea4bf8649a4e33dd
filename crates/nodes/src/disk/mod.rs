//! Nodes that read and write files on the host (Read Binary File(s), Write Binary File,
//! Read/Write Files from Disk): every path is taken inside the operator's files root
//! (`WEFT_FILES_ROOT`; a path that looks absolute is read from the root), `..` and symbolic
//! links are refused, and without a root the nodes refuse to touch the host.

mod read_binary_file;
mod read_binary_files;
mod read_write_file;
mod write_binary_file;

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};
use weft_engine::run::NodeError;

pub use read_binary_file::ReadBinaryFile;
pub use read_binary_files::ReadBinaryFiles;
#[cfg(test)]
pub(crate) use read_binary_files::glob_match;
pub use read_write_file::ReadWriteFile;
pub use write_binary_file::WriteBinaryFile;

/// Largest file a node reads into an item.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The files root, or the node error saying files are off on this server.
fn root(root: Option<&Path>) -> Result<&Path, NodeError> {
    root.ok_or_else(|| {
        NodeError::new("Reading files is disabled on this server")
            .with_description("An operator can allow it inside one folder with WEFT_FILES_ROOT")
    })
}

fn not_allowed(path: &str) -> NodeError {
    NodeError::new("Access to the file is not allowed.").with_description(format!(
        "\"{path}\" is outside the server's files folder (WEFT_FILES_ROOT) or passes through a symbolic link"
    ))
}

/// Whether any part of `path` below `root` is a symbolic link.
fn through_link(root: &Path, path: &Path) -> bool {
    let mut at = root.to_path_buf();
    for part in path.strip_prefix(root).unwrap_or(path).components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// Where `path` (as the workflow names it) is under `root`: `..` and links are refused.
fn inside(root: &Path, path: &str) -> Result<PathBuf, NodeError> {
    let relative = Path::new(path.trim_start_matches('/'));
    if path.trim().is_empty()
        || relative
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err(not_allowed(path));
    }
    let full = root.join(relative);
    if through_link(root, &full) {
        return Err(not_allowed(path));
    }
    Ok(full)
}

/// `path` as the workflow sees it: from the root, starting with `/`.
fn shown(root: &Path, path: &Path) -> PathBuf {
    Path::new("/").join(path.strip_prefix(root).unwrap_or(path))
}

/// The binary entry n8n makes for a file read from disk: the MIME type from its extension,
/// its name, extension, folder and size.
fn read_entry(root: &Path, path: &Path) -> Result<Map<String, Value>, NodeError> {
    let seen = shown(root, path);
    let fail = |e: std::io::Error| {
        NodeError::new(format!(
            "The file \"{}\" could not be accessed.",
            seen.display()
        ))
        .with_description(e.to_string())
    };
    let size = std::fs::metadata(path).map_err(fail)?.len();
    if size > MAX_FILE_BYTES {
        return Err(NodeError::new(format!(
            "{} is larger than {MAX_FILE_BYTES} bytes",
            seen.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(fail)?;
    let name = seen
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let Value::Object(mut entry) = crate::files::entry_for(&bytes, Some(name), None) else {
        unreachable!("a binary entry is an object")
    };
    if let Some(dir) = seen.parent().map(|p| p.display().to_string()) {
        entry.insert("directory".into(), json!(dir));
    }
    Ok(entry)
}

/// Writes `bytes` to `path` (under `root`), appending or replacing, never through a link.
fn write(root: &Path, path: &Path, bytes: &[u8], append: bool) -> Result<(), NodeError> {
    use std::os::unix::fs::OpenOptionsExt;
    let seen = shown(root, path);
    let mut options = std::fs::OpenOptions::new();
    options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    if append {
        options.append(true).create(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    let refused = |e: std::io::Error| {
        NodeError::new(format!("The file \"{}\" is not writable.", seen.display()))
            .with_description(e.to_string())
    };
    options
        .open(path)
        .map_err(refused)?
        .write_all(bytes)
        .map_err(refused)
}
