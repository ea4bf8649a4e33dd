//! HTML to plain text with html-to-text's default rules (the library n8n's HTML node uses):
//! blocks separated by line breaks, headings upper-cased, links as `text [href]`, words wrapped
//! at 80 columns.

use scraper::node::Node;
use scraper::{ElementRef, Selector};

const WRAP: usize = 80;
const WHITESPACE: &[char] = &[' ', '\t', '\r', '\n', '\u{000c}', '\u{200b}'];

/// One open block: its finished text and the words of the line being built.
#[derive(Default)]
struct Block {
    text: String,
    leading: usize,
    stash: usize,
    /// Inline runs: words, with `None` marking a forced line break (`<br>`).
    words: Vec<Option<String>>,
    /// The last inline text ended in whitespace: the next text starts a new word.
    space: bool,
    uppercase: bool,
    pre: bool,
}

impl Block {
    fn add_text(&mut self, text: &str, leading: usize, trailing: usize) {
        if text.is_empty() {
            return;
        }
        if self.text.is_empty() {
            self.leading = self.leading.max(leading);
            self.text.push_str(text);
        } else {
            let breaks = self.stash.max(leading);
            self.text.push_str(&"\n".repeat(breaks));
            self.text.push_str(text);
        }
        self.stash = trailing;
    }

    fn commit_inline(&mut self) {
        if self.words.is_empty() {
            return;
        }
        let text = wrap(&std::mem::take(&mut self.words));
        self.space = false;
        self.add_text(&text, 0, 0);
    }

    fn push_text(&mut self, raw: &str) {
        if self.pre {
            let mut lines = raw.split('\n');
            if let Some(first) = lines.next() {
                self.glue(first);
            }
            for line in lines {
                self.words.push(None);
                self.words.push(Some(line.to_owned()));
            }
            return;
        }
        let starts_with_space = raw.starts_with(WHITESPACE);
        let ends_with_space = raw.ends_with(WHITESPACE);
        let mut parts = raw.split(WHITESPACE).filter(|w| !w.is_empty());
        let Some(first) = parts.next() else {
            if !raw.is_empty() {
                self.space = true;
            }
            return;
        };
        let uppercase = self.uppercase;
        let transform = |w: &str| {
            if uppercase {
                w.to_uppercase()
            } else {
                w.to_owned()
            }
        };
        let first = transform(first);
        if starts_with_space || self.space {
            self.words.push(Some(first));
        } else {
            self.glue(&first);
        }
        let rest: Vec<String> = parts.map(transform).collect();
        self.words.extend(rest.into_iter().map(Some));
        self.space = ends_with_space;
    }

    /// Appends to the last word (no whitespace between two text runs).
    fn glue(&mut self, text: &str) {
        match self.words.last_mut() {
            Some(Some(word)) => word.push_str(text),
            _ => self.words.push(Some(text.to_owned())),
        }
    }

    fn push_word(&mut self, word: String) {
        if self.space || self.words.is_empty() {
            self.words.push(Some(word));
        } else {
            self.glue(&word);
        }
        self.space = false;
    }
}

/// Greedy word wrap; a word longer than the limit gets a line of its own.
fn wrap(words: &[Option<String>]) -> String {
    let mut out = String::new();
    let mut line_len = 0usize;
    for word in words {
        match word {
            None => {
                out.push('\n');
                line_len = 0;
            }
            Some(w) => {
                let len = w.chars().count();
                if line_len == 0 {
                    out.push_str(w);
                    line_len = len;
                } else if line_len + 1 + len <= WRAP {
                    out.push(' ');
                    out.push_str(w);
                    line_len += 1 + len;
                } else {
                    out.push('\n');
                    out.push_str(w);
                    line_len = len;
                }
            }
        }
    }
    out
}

struct Walker<'s> {
    stack: Vec<Block>,
    skip: &'s [Selector],
}

impl Walker<'_> {
    fn top(&mut self) -> &mut Block {
        self.stack.last_mut().expect("a base block")
    }

    fn open(&mut self, leading: usize) {
        self.top().commit_inline();
        let (uppercase, pre) = (self.top().uppercase, self.top().pre);
        self.stack.push(Block {
            leading,
            uppercase,
            pre,
            ..Block::default()
        });
    }

    fn close(&mut self, trailing: usize, map: impl FnOnce(String) -> String) {
        let mut block = self.stack.pop().expect("an open block");
        block.commit_inline();
        let text = if block.text.is_empty() {
            String::new()
        } else {
            map(block.text)
        };
        let trailing = trailing.max(block.stash);
        self.top().add_text(&text, block.leading, trailing);
    }

    fn children(&mut self, element: ElementRef<'_>) {
        for child in element.children() {
            match child.value() {
                Node::Text(t) => self.top().push_text(t),
                Node::Element(_) => {
                    if let Some(e) = ElementRef::wrap(child) {
                        self.element(e);
                    }
                }
                _ => {}
            }
        }
    }

    fn block(&mut self, element: ElementRef<'_>, lines: usize, map: impl FnOnce(String) -> String) {
        self.open(lines);
        self.children(element);
        self.close(lines, map);
    }

    fn element(&mut self, element: ElementRef<'_>) {
        if self.skip.iter().any(|s| s.matches(&element)) {
            return;
        }
        let name = element.value().name();
        match name {
            "script" | "style" | "head" | "title" | "template" | "noscript" => {}
            "div" | "article" | "aside" | "footer" | "form" | "header" | "main" | "nav"
            | "section" => self.block(element, 1, |t| t),
            "p" | "table" | "pre" => {
                let was = self.top().pre;
                if name == "pre" {
                    self.top().pre = true;
                }
                self.block(element, 2, |t| t);
                self.top().pre = was;
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let lead = if matches!(name, "h1" | "h2" | "h3") {
                    3
                } else {
                    2
                };
                self.open(lead);
                self.top().uppercase = true;
                self.children(element);
                self.close(2, |t| t);
            }
            "blockquote" => self.block(element, 2, |t| {
                t.lines()
                    .map(|l| format!("> {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
            "ul" | "ol" => self.list(element, name == "ol"),
            "hr" => {
                self.open(2);
                self.top().words.push(Some("-".repeat(WRAP)));
                self.close(2, |t| t);
            }
            "br" => {
                let top = self.top();
                top.words.push(None);
                top.space = false;
            }
            "a" => self.anchor(element),
            "img" => {
                let alt = element.value().attr("alt").unwrap_or_default();
                let src = element.value().attr("src").unwrap_or_default();
                let text = match (alt.is_empty(), src.is_empty()) {
                    (_, true) => alt.to_owned(),
                    (true, false) => format!("[{src}]"),
                    (false, false) => format!("{alt} [{src}]"),
                };
                if !text.is_empty() {
                    self.top().push_text(&text);
                }
            }
            _ => self.children(element),
        }
    }

    fn anchor(&mut self, element: ElementRef<'_>) {
        let href = element.value().attr("href").unwrap_or_default();
        let href = href.strip_prefix("mailto:").unwrap_or(href).to_owned();
        let before = self.top().words.len();
        self.children(element);
        if href.is_empty() || href.starts_with('#') {
            return;
        }
        let had_text = self.top().words.len() > before;
        if had_text {
            self.top().space = true;
            self.top().push_word(format!("[{href}]"));
        } else {
            self.top().push_word(href);
        }
    }

    fn list(&mut self, element: ElementRef<'_>, ordered: bool) {
        let nested = self.stack.len() > 2;
        let lines = if nested { 1 } else { 2 };
        self.open(lines);
        let start = element
            .value()
            .attr("start")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(1);
        let mut n = start;
        for child in element.children() {
            let Some(li) = ElementRef::wrap(child) else {
                continue;
            };
            if li.value().name() != "li" {
                continue;
            }
            let prefix = if ordered {
                format!(" {n}. ")
            } else {
                " * ".to_owned()
            };
            n = n.saturating_add(1);
            self.open(1);
            self.children(li);
            let pad = " ".repeat(prefix.chars().count());
            self.close(1, |t| {
                let mut lines = t.lines();
                let first = lines.next().unwrap_or_default();
                let mut out = format!("{prefix}{first}");
                for line in lines {
                    out.push('\n');
                    out.push_str(&pad);
                    out.push_str(line);
                }
                out
            });
        }
        self.close(lines, |t| t);
    }
}

/// Converts the content of `element` (its inner HTML) to text; if it holds a `<body>`, only the
/// body is converted. Elements matching `skip` are left out.
pub fn convert(element: ElementRef<'_>, skip: &[Selector]) -> String {
    let body = Selector::parse("body").expect("valid selector");
    let base = element.select(&body).next().unwrap_or(element);
    let mut walker = Walker {
        stack: vec![Block::default()],
        skip,
    };
    walker.children(base);
    let mut root = walker.stack.pop().expect("the base block");
    root.commit_inline();
    root.text
}

#[cfg(test)]
mod tests {
    use scraper::Html;

    use super::*;

    fn text_of(html: &str) -> String {
        let doc = Html::parse_document(html);
        convert(doc.root_element(), &[])
    }

    #[test]
    fn blocks_are_separated_by_the_larger_of_their_line_breaks() {
        assert_eq!(text_of("a<div>b</div>c<p>d</p>e"), "a\nb\nc\n\nd\n\ne");
    }

    #[test]
    fn headings_are_upper_case_and_links_show_their_href() {
        assert_eq!(
            text_of("<h1>Title</h1><p>see <a href=\"https://x.y\">this</a></p>"),
            "TITLE\n\nsee this [https://x.y]"
        );
    }

    #[test]
    fn lists_get_bullets_and_long_lines_wrap_at_80() {
        assert_eq!(text_of("<ul><li>a</li><li>b</li></ul>"), " * a\n * b");
        let long = "word ".repeat(30);
        let text = text_of(&format!("<p>{long}</p>"));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn script_style_and_head_are_dropped() {
        assert_eq!(
            text_of(
                "<html><head><title>T</title><style>x{}</style></head><body><script>1</script>ok</body></html>"
            ),
            "ok"
        );
    }
}
