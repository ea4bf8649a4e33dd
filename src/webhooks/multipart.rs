//! `multipart/form-data` bodies (RFC 7578), parsed from the buffered body: text fields become
//! the item's `body`, files its binary data. File metadata is ours: the client's filename is
//! kept only as a name (path parts dropped), never used to touch the file system.

use base64::Engine as _;
use serde_json::{Map, Value, json};

/// `body` fields and `binary` entries of one multipart request.
pub struct Parsed {
    pub fields: Map<String, Value>,
    pub files: Map<String, Value>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The `boundary` parameter of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

/// A `Content-Disposition` parameter (`name`, `filename`).
fn disposition_param(header: &str, wanted: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case(wanted)
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Parses the body; `binary_name` is the Webhook node's `binaryPropertyName` option, which
/// names files `{binary_name}{index}` instead of by their field.
pub fn parse(body: &[u8], content_type: &str, binary_name: Option<&str>) -> Result<Parsed, String> {
    let boundary = boundary(content_type)
        .ok_or("the multipart content type has no valid boundary parameter")?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut at = find(body, &delimiter, 0).ok_or("no multipart boundary found in the body")?
        + delimiter.len();
    let next_delimiter = [b"\r\n".as_slice(), &delimiter].concat();
    let mut parsed = Parsed {
        fields: Map::new(),
        files: Map::new(),
    };
    let mut file_count = 0usize;
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(parsed);
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err("a multipart boundary is not followed by a line break".into());
        }
        let head_start = at + 2;
        let head_end =
            find(body, b"\r\n\r\n", head_start).ok_or("a multipart part has no header end")?;
        let head = std::str::from_utf8(&body[head_start..head_end])
            .map_err(|_| "multipart part headers are not UTF-8")?;
        let content_start = head_end + 4;
        let content_end = find(body, &next_delimiter, content_start)
            .ok_or("the multipart body ends before its closing boundary")?;
        let content = &body[content_start..content_end];
        at = content_end + next_delimiter.len();

        let mut disposition = None;
        let mut mime = None;
        for line in head.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                return Err(format!("malformed multipart header line {line:?}"));
            };
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                disposition = Some(value.trim().to_owned());
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                mime = Some(value.trim().to_ascii_lowercase());
            }
        }
        let disposition = disposition.ok_or("a multipart part has no Content-Disposition")?;
        let name =
            disposition_param(&disposition, "name").ok_or("a multipart part has no field name")?;
        match disposition_param(&disposition, "filename") {
            None => {
                let text = String::from_utf8(content.to_vec())
                    .map_err(|_| format!("multipart field {name:?} is not UTF-8 text"))?;
                match parsed.fields.get_mut(&name) {
                    Some(Value::Array(list)) => list.push(Value::String(text)),
                    Some(first) => *first = json!([first.clone(), text]),
                    None => {
                        parsed.fields.insert(name, Value::String(text));
                    }
                }
            }
            Some(filename) => {
                let file_name = filename
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let key = match binary_name {
                    Some(prefix) => format!("{prefix}{file_count}"),
                    None => name.trim_end_matches("[]").to_owned(),
                };
                let key = if binary_name.is_none() && parsed.files.contains_key(&key) {
                    format!("{key}{file_count}")
                } else {
                    key
                };
                let mut entry = json!({
                    "data": base64::engine::general_purpose::STANDARD.encode(content),
                    "mimeType": mime.unwrap_or_else(|| "application/octet-stream".into()),
                    "fileSize": content.len(),
                });
                if !file_name.is_empty() {
                    if let Some((_, ext)) = file_name.rsplit_once('.') {
                        entry["fileExtension"] = json!(ext.to_ascii_lowercase());
                    }
                    entry["fileName"] = json!(file_name);
                }
                parsed.files.insert(key, entry);
                file_count += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=XyZ";

    #[test]
    fn fields_and_files_are_split_and_paths_in_filenames_dropped() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"who\"\r\n\r\nada\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XyZ--\r\n";
        let p = parse(body, CT, None).unwrap();
        assert_eq!(p.fields["who"], "ada");
        assert_eq!(p.files["file"]["fileName"], "passwd.txt");
        assert_eq!(p.files["file"]["mimeType"], "text/plain");
        assert_eq!(p.files["file"]["data"], "aGk=");
        let named = parse(body, CT, Some("data")).unwrap();
        assert!(named.files.contains_key("data0"));
    }

    #[test]
    fn a_json_body_declared_as_multipart_does_not_parse() {
        let body = br#"{"files": [{"filepath": "/etc/passwd"}]}"#;
        assert!(parse(body, CT, None).is_err());
        assert!(parse(body, "multipart/form-data", None).is_err());
        let unterminated = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx";
        assert!(parse(unterminated, CT, None).is_err());
    }
}
