//! MIME types by file extension and n8n's human-readable file sizes, for nodes that make files.

/// The MIME type n8n records for a file extension (lower-case, without the dot).
pub fn from_extension(extension: &str) -> &'static str {
    match extension.to_ascii_lowercase().as_str() {
        "txt" | "text" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "md" => "text/markdown",
        "ics" => "text/calendar",
        "rtf" => "application/rtf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/octet-stream",
    }
}

/// A size as the `pretty-bytes` package writes it (n8n's `fileSize`): `4 B`, `1.23 kB`.
pub fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let exponent = ((bytes as f64).log10() / 3.0).floor().min(4.0) as i32;
    let value = bytes as f64 / 1000f64.powi(exponent);
    // toPrecision(3), then Number(): three significant digits without trailing zeros.
    let digits = 2 - value.log10().floor() as i32;
    let rounded = format!("{:.*}", digits.max(0) as usize, value);
    let trimmed = if rounded.contains('.') {
        rounded
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        rounded
    };
    format!("{trimmed} {}", UNITS[exponent as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_pretty_bytes_writes_them() {
        assert_eq!(human_size(4), "4 B");
        assert_eq!(human_size(1000), "1 kB");
        assert_eq!(human_size(1234), "1.23 kB");
        assert_eq!(human_size(45_678), "45.7 kB");
        assert_eq!(human_size(2_500_000), "2.5 MB");
    }

    #[test]
    fn unknown_extensions_are_octet_streams() {
        assert_eq!(from_extension("CSV"), "text/csv");
        assert_eq!(from_extension("weird"), "application/octet-stream");
    }
}
