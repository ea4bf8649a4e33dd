//! A cheap scan of HTML source that refuses documents nested deeper than any walker may go,
//! before a parser builds their tree (html5ever has no depth limit of its own, and deep trees
//! make its scope checks quadratic).

use weft_engine::run::NodeError;

/// Elements that never hold children, or whose end tag may be left out and that the parser
/// closes itself when a sibling starts, so they do not count as nesting.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "p", "li", "dt", "dd", "td", "th", "tr", "tbody", "thead", "tfoot",
    "option", "colgroup", "html", "head", "body",
];

/// Elements whose content is raw text: tags inside them are not tags.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "plaintext"];

/// The deepest element nesting accepted; see [`weft_engine::MAX_NESTING`].
pub const MAX_DEPTH: usize = weft_engine::MAX_NESTING;

fn too_deep() -> NodeError {
    NodeError::new(format!(
        "The HTML is nested more than {MAX_DEPTH} elements deep"
    ))
}

/// Parses an HTML document, refusing one nested deeper than [`MAX_DEPTH`]: a scan of its tags
/// first (so a hostile document costs little), then the tree the parser built, measured
/// without recursion (the parser repairs markup, so only the tree is the truth).
pub fn parse(html: &str) -> Result<scraper::Html, NodeError> {
    check(html)?;
    let doc = scraper::Html::parse_document(html);
    let mut depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(_) => {
                depth += 1;
                if depth > MAX_DEPTH + 2 {
                    return Err(too_deep());
                }
            }
            ego_tree::iter::Edge::Close(_) => depth = depth.saturating_sub(1),
        }
    }
    Ok(doc)
}

/// `Ok` when `html`'s tags, read as the parser would pair them, nest at most [`MAX_DEPTH`]
/// deep. An end tag closes the nearest open element of its name, and one with none open is
/// ignored, as the parser does.
pub fn check(html: &str) -> Result<(), NodeError> {
    let bytes = html.as_bytes();
    let lower = html.to_ascii_lowercase();
    let mut open: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(offset) = bytes
        .get(i..)
        .and_then(|b| b.iter().position(|c| *c == b'<'))
    {
        i += offset + 1;
        if lower.get(i..).is_some_and(|r| r.starts_with("!--")) {
            i = lower
                .get(i..)
                .and_then(|r| r.find("-->"))
                .map_or(bytes.len(), |e| i + e + 3);
            continue;
        }
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let name_len = bytes.get(name_start..).map_or(0, |b| {
            b.iter().take_while(|c| c.is_ascii_alphanumeric()).count()
        });
        if name_len == 0 || !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name = lower
            .get(name_start..name_start + name_len)
            .unwrap_or_default();
        i = tag_end(bytes, name_start + name_len);
        if NOT_NESTING.contains(&name) {
            continue;
        }
        if closing {
            if let Some(at) = open.iter().rposition(|n| *n == name) {
                open.truncate(at);
            }
            continue;
        }
        if RAW_TEXT.contains(&name) {
            let close = format!("</{name}");
            i = lower
                .get(i..)
                .and_then(|r| r.find(&close))
                .map_or(bytes.len(), |e| i + e);
            continue;
        }
        open.push(name);
        if open.len() > MAX_DEPTH {
            return Err(too_deep());
        }
    }
    Ok(())
}

/// The index just past the `>` that ends the tag whose attributes start at `from` (quoted
/// attribute values may hold `>`).
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote = None;
    let mut i = from;
    while let Some(&c) = bytes.get(i) {
        i += 1;
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'>') => return i,
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, check};

    #[test]
    fn deep_nesting_is_refused_and_ordinary_pages_pass() {
        assert!(check(&"<div>".repeat(20_000)).is_err());
        assert!(check(&"<span><b>".repeat(MAX_DEPTH)).is_err());
        let fine = "<div>".repeat(MAX_DEPTH) + &"</div>".repeat(MAX_DEPTH);
        assert!(check(&fine).is_ok());
        let sloppy = "<ul>".to_owned() + &"<li>item<p>text<br>".repeat(5_000) + "</ul>";
        assert!(check(&sloppy).is_ok());
        let script = format!("<script>{}</script><p>", "<div>".repeat(5_000));
        assert!(check(&script).is_ok());
        let attrs = "<a title=\"x > y\">".repeat(10) + "<!-- <div><div> -->";
        assert!(check(&attrs).is_ok());
    }

    #[test]
    fn markup_the_parser_repairs_into_deep_trees_is_refused_too() {
        for hostile in [
            "<div/>".repeat(5_000),
            "<span></div>".repeat(5_000),
            "<optgroup>".repeat(5_000),
            "<rt>".repeat(5_000),
        ] {
            assert!(super::parse(&hostile).is_err(), "{}", &hostile[..20]);
        }
        assert!(super::parse("<p>a<b>b</b></p>").is_ok());
    }
}
