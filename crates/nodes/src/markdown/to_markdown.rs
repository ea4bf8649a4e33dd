//! HTML to Markdown with node-html-markdown's default rules (the library n8n's Markdown node
//! uses), including its quirks: a leading doctype leaves a space, `ignore` only applies to
//! elements that are not block elements.

use scraper::ElementRef;
use scraper::node::Node;
use serde_json::Value;
use weft_engine::run::NodeError;

const IGNORED: &[&str] = &[
    "area", "base", "col", "command", "embed", "head", "input", "keygen", "link", "meta", "param",
    "script", "source", "style", "track", "wbr", "title", "template",
];
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "audio",
    "blockquote",
    "body",
    "canvas",
    "center",
    "dd",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "isindex",
    "li",
    "main",
    "menu",
    "nav",
    "noframes",
    "noscript",
    "ol",
    "output",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// The Markdown node's `htmlToMarkdown` options.
pub struct Options {
    bullet: String,
    em: String,
    strong: String,
    fence: String,
    indented_code: bool,
    max_newlines: usize,
    keep_data_images: bool,
    ignore: Vec<String>,
    blocks: Vec<String>,
    replace: Vec<(String, String)>,
}

impl From<&Value> for Options {
    fn from(o: &Value) -> Self {
        let s = |k: &str, d: &str| {
            o.get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .unwrap_or(d)
                .to_owned()
        };
        let list = |k: &str| {
            o.get(k)
                .and_then(Value::as_str)
                .map(|v| {
                    v.split(',')
                        .map(|e| e.trim().to_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let replace = o
            .pointer("/textReplace/values")
            .and_then(Value::as_array)
            .map(|rows| {
                rows.iter()
                    .map(|r| {
                        let f = |k: &str| {
                            r.get(k)
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned()
                        };
                        (f("pattern"), f("replacement"))
                    })
                    .filter(|(p, _)| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            bullet: s("bulletMarker", "*"),
            em: s("emDelimiter", "_"),
            strong: s("strongDelimiter", "**"),
            fence: s("codeFence", "```"),
            // n8n offers "fence" while the library checks for "fenced": choosing it indents.
            indented_code: o
                .get("codeBlockStyle")
                .and_then(Value::as_str)
                .is_some_and(|v| v != "fenced"),
            max_newlines: o
                .get("maxConsecutiveNewlines")
                .and_then(Value::as_u64)
                .filter(|n| *n > 0)
                .unwrap_or(3) as usize,
            keep_data_images: o
                .get("keepDataImages")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            ignore: list("ignore"),
            blocks: list("blockElements"),
            replace,
        }
    }
}

struct Writer<'o> {
    out: String,
    o: &'o Options,
    list_depth: usize,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '~' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    // Markdown that a line start would trigger: `+ `, `=`, `>`, `-`, `# `, `1. `.
    let lead = out.len() - out.trim_start().len();
    let (ws, rest) = out.split_at(lead);
    let hashes = rest.chars().take_while(|c| *c == '#').count();
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let needs = rest.starts_with("+ ")
        || rest.starts_with(['=', '>', '-'])
        || ((1..=6).contains(&hashes) && rest[hashes..].starts_with(' '))
        || (digits > 0 && rest[digits..].starts_with(". "));
    if !needs {
        return out;
    }
    if digits > 0 && !rest.starts_with(['+', '=', '>', '-', '#']) {
        format!("{ws}{}\\{}", &rest[..digits], &rest[digits..])
    } else {
        format!("{ws}\\{rest}")
    }
}

impl Writer<'_> {
    fn newlines(&mut self, n: usize) {
        let have = self.out.len() - self.out.trim_end_matches('\n').len();
        if n > have {
            self.out.push_str(&"\n".repeat(n - have));
        }
    }

    fn text(&mut self, raw: &str) {
        if raw.chars().all(char::is_whitespace) {
            if !self.out.is_empty() && !self.out.ends_with(char::is_whitespace) {
                self.out.push(' ');
            }
            return;
        }
        let keep = |c: Option<char>| c.is_some_and(|c| c.is_whitespace() && c != '\n' && c != '\r');
        let lead = if keep(raw.chars().next()) { " " } else { "" };
        let trail = if keep(raw.chars().last()) { " " } else { "" };
        let words: Vec<&str> = raw.split_whitespace().collect();
        let mut text = escape(&format!("{lead}{}{trail}", words.join(" ")));
        for (pattern, replacement) in &self.o.replace {
            text = text.replacen(pattern.as_str(), replacement, 1);
        }
        self.out.push_str(&text);
    }

    fn children(&mut self, e: ElementRef<'_>) {
        for child in e.children() {
            match child.value() {
                Node::Text(t) => self.text(t),
                Node::Element(_) => {
                    if let Some(c) = ElementRef::wrap(child) {
                        self.element(c);
                    }
                }
                _ => {}
            }
        }
    }

    /// The Markdown of `e`'s children alone.
    fn inner(&mut self, e: ElementRef<'_>) -> String {
        let saved = std::mem::take(&mut self.out);
        self.children(e);
        std::mem::replace(&mut self.out, saved)
    }

    fn wrap(&mut self, e: ElementRef<'_>, delimiter: &str) {
        let inner = self.inner(e);
        if inner.trim().is_empty() {
            return;
        }
        if self.out.ends_with(delimiter.chars().next().unwrap_or(' ')) {
            self.out.push(' ');
        }
        self.out.push_str(&format!("{delimiter}{inner}{delimiter}"));
    }

    fn element(&mut self, e: ElementRef<'_>) {
        let name = e.value().name().to_ascii_lowercase();
        let is_block = BLOCKS.contains(&name.as_str()) || self.o.blocks.contains(&name);
        if IGNORED.contains(&name.as_str()) || (!is_block && self.o.ignore.contains(&name)) {
            return;
        }
        match name.as_str() {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = usize::from(name.as_bytes()[1] - b'0');
                self.newlines(2);
                self.out.push_str(&format!("{} ", "#".repeat(level)));
                self.children(e);
                self.newlines(2);
            }
            "br" => self.out.push_str("  \n"),
            "hr" => {
                self.newlines(2);
                self.out.push_str("---");
                self.newlines(2);
            }
            "strong" | "b" => {
                let d = self.o.strong.clone();
                self.wrap(e, &d);
            }
            "em" | "i" => {
                let d = self.o.em.clone();
                self.wrap(e, &d);
            }
            "del" | "s" | "strike" => self.wrap(e, "~~"),
            "code" | "kbd" | "samp" => {
                let inner: String = e.text().collect();
                self.out.push_str(&format!("`{inner}`"));
            }
            "pre" => self.pre(e),
            "a" => self.link(e),
            "img" => self.image(e),
            "ul" | "ol" => self.list(e, name == "ol"),
            "blockquote" => {
                let inner = self.inner(e);
                let quoted: Vec<String> = inner
                    .trim_matches('\n')
                    .lines()
                    .map(|l| format!("> {l}"))
                    .collect();
                self.newlines(2);
                self.out.push_str(&quoted.join("\n"));
                self.newlines(2);
            }
            _ if is_block => {
                self.newlines(2);
                self.children(e);
                self.newlines(2);
            }
            _ => self.children(e),
        }
    }

    fn pre(&mut self, e: ElementRef<'_>) {
        let code: String = e.text().collect();
        let lang = e
            .children()
            .filter_map(ElementRef::wrap)
            .find_map(|c| c.value().attr("class"))
            .and_then(|c| {
                c.split_whitespace()
                    .find_map(|k| k.strip_prefix("language-"))
            })
            .unwrap_or_default()
            .to_owned();
        self.newlines(2);
        if self.o.indented_code {
            let lines: Vec<String> = code
                .trim_end_matches('\n')
                .lines()
                .map(|l| format!("    {l}"))
                .collect();
            self.out.push_str(&lines.join("\n"));
        } else {
            let fence = self.o.fence.clone();
            self.out.push_str(&format!(
                "{fence}{lang}\n{}\n{fence}",
                code.trim_end_matches('\n')
            ));
        }
        self.newlines(2);
    }

    fn link(&mut self, e: ElementRef<'_>) {
        let href = e.value().attr("href").unwrap_or_default().to_owned();
        let inner = self.inner(e);
        if href.is_empty() {
            self.out.push_str(&inner);
            return;
        }
        let text: String = e.text().collect();
        if text == href {
            self.out.push_str(&format!("<{href}>"));
            return;
        }
        let href = href
            .replace('(', "%28")
            .replace(')', "%29")
            .replace('_', "%5F")
            .replace('*', "%2A");
        let title = e
            .value()
            .attr("title")
            .map(|t| format!(" \"{t}\""))
            .unwrap_or_default();
        self.out
            .push_str(&format!("[{}]({href}{title})", inner.trim()));
    }

    fn image(&mut self, e: ElementRef<'_>) {
        let src = e.value().attr("src").unwrap_or_default();
        if src.is_empty() || (src.starts_with("data:") && !self.o.keep_data_images) {
            return;
        }
        let alt = e.value().attr("alt").unwrap_or_default();
        let title = e
            .value()
            .attr("title")
            .map(|t| format!(" \"{t}\""))
            .unwrap_or_default();
        self.out.push_str(&format!("![{alt}]({src}{title})"));
    }

    fn list(&mut self, e: ElementRef<'_>, ordered: bool) {
        let nested = self.list_depth > 0;
        self.newlines(if nested { 1 } else { 2 });
        self.list_depth += 1;
        let start = e
            .value()
            .attr("start")
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(1);
        let indent = "   ".repeat(self.list_depth - 1);
        for (n, li) in e
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|c| c.value().name() == "li")
            .enumerate()
        {
            let marker = if ordered {
                format!("{}. ", start.saturating_add(n))
            } else {
                format!("{} ", self.o.bullet)
            };
            self.newlines(1);
            let inner = self.inner(li);
            self.out.push_str(&format!(
                "{indent}{marker}{}",
                inner.trim_matches('\n').trim_start()
            ));
        }
        self.list_depth -= 1;
        self.newlines(if nested { 1 } else { 2 });
    }
}

/// What node-html-parser leaves of a leading `<!doctype …>` after the doctype rule strips it:
/// a space when a space or tab follows it, else nothing.
fn doctype_remainder(html: &str) -> &'static str {
    let head = html.get(..9).unwrap_or_default();
    if !head.eq_ignore_ascii_case("<!doctype") {
        return "";
    }
    let Some(end) = html.find('>') else { return "" };
    let after = &html[end + 1..];
    let run: &str = &after[..after
        .find(|c: char| !c.is_whitespace())
        .unwrap_or(after.len())];
    if run.ends_with([' ', '\t']) { " " } else { "" }
}

/// Translates an HTML document or fragment to Markdown.
pub fn translate(html: &str, o: &Options) -> Result<String, NodeError> {
    let doc = crate::html::nesting::parse(html)?;
    let mut w = Writer {
        out: doctype_remainder(html).to_owned(),
        o,
        list_depth: 0,
    };
    w.element(doc.root_element());
    let out = collapse_newlines(&w.out, o.max_newlines);
    Ok(out.trim_matches('\n').to_owned())
}

/// Caps runs of blank lines at `max` newlines (whitespace between them counts as part of the run).
fn collapse_newlines(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let mut newlines = 0;
    for c in text.chars() {
        if c == '\n' || (newlines > 0 && c.is_whitespace()) {
            if c == '\n' {
                newlines += 1;
            }
            run.push(c);
            continue;
        }
        if newlines > max {
            out.push_str(&"\n".repeat(max));
        } else {
            out.push_str(&run);
        }
        run.clear();
        newlines = 0;
        out.push(c);
    }
    if newlines > max {
        out.push_str(&"\n".repeat(max));
    } else {
        out.push_str(&run);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn md(html: &str) -> String {
        translate(html, &Options::from(&json!({}))).unwrap()
    }

    #[test]
    fn headings_paragraphs_links_and_emphasis() {
        assert_eq!(
            md("<h2>Hi</h2><p>a <b>bold</b> <a href=\"https://x.y/a_b\">link</a></p>"),
            "## Hi\n\na **bold** [link](https://x.y/a%5Fb)"
        );
    }

    #[test]
    fn markdown_characters_in_text_are_escaped() {
        assert_eq!(
            md("<p>1. not a list *really*</p>"),
            "1\\. not a list \\*really\\*"
        );
    }

    #[test]
    fn lists_and_code_blocks() {
        assert_eq!(md("<ul><li>a</li><li>b</li></ul>"), "* a\n* b");
        assert_eq!(
            md("<pre><code class=\"language-rs\">let x;\n</code></pre>"),
            "```rs\nlet x;\n```"
        );
    }

    #[test]
    fn a_doctype_followed_by_a_space_leaves_a_space() {
        assert_eq!(
            md("<!doctype html> <html><body><p>x</p></body></html>"),
            " \n\nx"
        );
        assert_eq!(md("<!doctype html><html><body><p>x</p></body></html>"), "x");
    }
}
