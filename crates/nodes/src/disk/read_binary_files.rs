//! `n8n-nodes-base.readBinaryFiles` v1: reads files matching a glob into binary items — only
//! inside the operator's files root; without one, the node refuses to touch the host.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

/// Most files one glob may read.
const MAX_FILES: usize = 10_000;

pub struct ReadBinaryFiles {
    pub root: Option<PathBuf>,
}

impl NodeType for ReadBinaryFiles {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.readBinaryFiles"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let root = super::root(self.root.as_deref())?;
            let selector = match ctx.parameter("fileSelector", 0)? {
                Value::String(s) => s,
                _ => return Err(NodeError::new("The parameter \"fileSelector\" is required")),
            };
            let property = match ctx.parameter("dataPropertyName", 0)? {
                Value::String(s) => s,
                _ => "data".to_owned(),
            };
            let files = find(root, &selector)?;
            let mut out = Vec::with_capacity(files.len());
            for path in files {
                out.push(read(root, &path, &property)?);
            }
            Ok(Some(vec![out]))
        })
    }
}

/// The files under `root` matching `pattern`; an absolute pattern is taken relative to `root`.
pub(super) fn find(root: &Path, pattern: &str) -> Result<Vec<PathBuf>, NodeError> {
    let relative = pattern.trim_start_matches('/');
    if Path::new(relative)
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err(NodeError::new(format!(
            "The file selector \"{pattern}\" leaves the files folder"
        )));
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in relative.split('/').filter(|s| !s.is_empty()) {
        // `**/**` matches what `**` does: runs collapse, so they cannot multiply the walk.
        if !(segment == "**" && segments.last() == Some(&"**")) {
            segments.push(segment);
        }
    }
    if segments.len() > MAX_SEGMENTS {
        return Err(NodeError::new(format!(
            "The file selector has more than {MAX_SEGMENTS} path segments"
        )));
    }
    let mut found = walk(root, &segments)?;
    found.sort();
    Ok(found)
}

/// Path segments a selector may have (and folders the walk goes down).
const MAX_SEGMENTS: usize = 64;

/// The files under `root` that `segments` match, walked with a work list (no recursion) that
/// visits each (folder, segment) pair once, so `**` over a deep tree stays polynomial.
fn walk(root: &Path, segments: &[&str]) -> Result<Vec<PathBuf>, NodeError> {
    let mut found = Vec::new();
    let mut seen: std::collections::HashSet<(PathBuf, usize)> = std::collections::HashSet::new();
    let mut pending = vec![(root.to_path_buf(), 0usize, 0usize)];
    while let Some((dir, at, depth)) = pending.pop() {
        let Some(segment) = segments.get(at) else {
            continue;
        };
        if depth > MAX_SEGMENTS || !seen.insert((dir.clone(), at)) {
            continue;
        }
        if found.len() > MAX_FILES {
            return Err(NodeError::new(format!(
                "The file selector matches more than {MAX_FILES} files"
            )));
        }
        if *segment == "**" {
            pending.push((dir.clone(), at + 1, depth));
            for entry in entries(&dir) {
                if entry.is_dir() && !is_link(&entry) {
                    pending.push((entry, at, depth + 1));
                }
            }
            continue;
        }
        let last = at + 1 == segments.len();
        for entry in entries(&dir) {
            let name = entry
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if is_link(&entry) || !glob_match(segment.as_bytes(), name.as_bytes()) {
                continue;
            }
            if last {
                if entry.is_file() && !found.contains(&entry) {
                    found.push(entry);
                }
            } else if entry.is_dir() {
                pending.push((entry, at + 1, depth + 1));
            }
        }
    }
    if found.len() > MAX_FILES {
        return Err(NodeError::new(format!(
            "The file selector matches more than {MAX_FILES} files"
        )));
    }
    Ok(found)
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// Symbolic links are never followed: one could point outside the root.
fn is_link(path: &Path) -> bool {
    path.symlink_metadata()
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(true)
}

/// `*` and `?` within one path segment, matched in one pass that returns to the last `*` on a
/// mismatch (linear in the name for each `*`, with no recursion).
pub(crate) fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || name.get(n) == Some(&c) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

fn read(root: &Path, path: &Path, property: &str) -> Result<Item, NodeError> {
    let mut binary = Map::new();
    binary.insert(
        property.to_owned(),
        Value::Object(super::read_entry(root, path)?),
    );
    Ok(Item {
        binary: Some(binary),
        ..Item::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_segments_match_like_a_shell() {
        assert!(glob_match(b"*.data", b"binary.data"));
        assert!(glob_match(b"b?nary.*", b"binary.data"));
        assert!(!glob_match(b"*.csv", b"binary.data"));
    }

    #[test]
    fn hostile_selectors_neither_recurse_nor_backtrack_without_end() {
        let stars = "*".repeat(100_000);
        assert!(glob_match(stars.as_bytes(), b"anything"));
        let pattern = "*a".repeat(100) + "b";
        let name = "a".repeat(255);
        assert!(!glob_match(pattern.as_bytes(), name.as_bytes()));
        assert!(glob_match(b"*x*y", b"axbxcy"));
        assert!(!glob_match(b"a?c", b"ac"));
        let root = std::env::temp_dir();
        assert!(find(&root, &"**/".repeat(100_000)).is_ok());
        assert!(find(&root, &"a/".repeat(100)).is_err());
    }

    #[test]
    fn a_selector_cannot_climb_out_of_the_root() {
        let root = std::env::temp_dir();
        assert!(find(&root, "/../etc/passwd").is_err());
        assert!(find(&root, "a/../../x").is_err());
    }

    #[test]
    fn files_under_the_root_are_read_with_their_metadata() {
        let root = std::env::temp_dir().join(format!("weft-rbf-{}", std::process::id()));
        std::fs::create_dir_all(root.join("test")).unwrap();
        std::fs::write(root.join("test/binary.data"), b"test").unwrap();
        let found = find(&root, "/test/*.data").unwrap();
        assert_eq!(found.len(), 1);
        let item = read(&root, &found[0], "data").unwrap();
        let meta = &item.binary.unwrap()["data"];
        assert_eq!(meta["data"], "dGVzdA==");
        assert_eq!(meta["fileName"], "binary.data");
        assert_eq!(meta["directory"], "/test");
        std::fs::remove_dir_all(root).unwrap();
    }
}
