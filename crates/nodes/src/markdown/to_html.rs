//! Markdown to HTML written the way showdown writes it (the library n8n's Markdown node uses):
//! header ids, `…` for `...`, blocks joined by single newlines, `<br />`, `<hr />`.

use std::collections::HashMap;

use pulldown_cmark::{CodeBlockKind, Event, Options as Extensions, Parser, Tag, TagEnd};
use serde_json::Value;

/// The showdown options n8n exposes that change the output here.
pub struct Options {
    complete_document: bool,
    no_header_id: bool,
    prefix_header_id: Option<String>,
    gh_compatible_header_id: bool,
    header_level_start: u8,
    open_links_in_new_window: bool,
    simple_line_breaks: bool,
    extensions: Extensions,
}

impl From<&Value> for Options {
    fn from(o: &Value) -> Self {
        let flag = |k: &str| o.get(k).and_then(Value::as_bool).unwrap_or(false);
        let mut extensions = Extensions::empty();
        if flag("tables") {
            extensions |= Extensions::ENABLE_TABLES;
        }
        if flag("strikethrough") {
            extensions |= Extensions::ENABLE_STRIKETHROUGH;
        }
        if flag("tasklists") {
            extensions |= Extensions::ENABLE_TASKLISTS;
        }
        let prefix_header_id = match o.get("prefixHeaderId") {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Bool(true)) => Some("section-".into()),
            _ => None,
        };
        Self {
            complete_document: flag("completeHTMLDocument"),
            no_header_id: flag("noHeaderId"),
            prefix_header_id,
            gh_compatible_header_id: flag("ghCompatibleHeaderId"),
            header_level_start: o
                .get("headerLevelStart")
                .and_then(Value::as_u64)
                .map_or(1, |n| n.clamp(1, 6) as u8),
            open_links_in_new_window: flag("openLinksInNewWindow"),
            simple_line_breaks: flag("simpleLineBreaks"),
            extensions,
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_attr(text: &str) -> String {
    escape(text).replace('"', "&quot;")
}

fn header_id(text: &str, o: &Options, seen: &mut HashMap<String, usize>) -> String {
    let prefixed = format!(
        "{}{text}",
        o.prefix_header_id.as_deref().unwrap_or_default()
    );
    let base = if o.gh_compatible_header_id {
        prefixed
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .collect::<String>()
            .replace(' ', "-")
            .to_lowercase()
    } else {
        prefixed
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
            .to_lowercase()
    };
    let count = seen.entry(base.clone()).or_insert(0);
    let id = if *count == 0 {
        base
    } else {
        format!("{base}-{count}")
    };
    *count += 1;
    id
}

/// Renders Markdown as HTML.
pub fn render(markdown: &str, o: &Options) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, o.extensions).collect();
    let mut out = String::new();
    let mut seen = HashMap::new();
    let mut heading: Option<(u8, usize, String)> = None;
    let mut in_code = false;
    let mut image_alt: Option<String> = None;
    let tight_at = tight_lists(&events);
    let mut tight = Vec::<bool>::new();
    let mut table_head = false;
    for (index, event) in events.iter().enumerate() {
        if let Some(alt) = image_alt.as_mut() {
            match event {
                Event::End(TagEnd::Image) => {}
                Event::Text(t) | Event::Code(t) => {
                    alt.push_str(t);
                    continue;
                }
                _ => continue,
            }
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph if !tight.last().copied().unwrap_or(false) => out.push_str("<p>"),
                Tag::Heading { level, .. } => {
                    let n = (*level as u8 + o.header_level_start - 1).min(6);
                    heading = Some((n, out.len(), String::new()));
                    out.push_str(&format!("<h{n}>"));
                }
                Tag::BlockQuote(_) => out.push_str("<blockquote>\n"),
                Tag::CodeBlock(kind) => {
                    in_code = true;
                    match kind {
                        CodeBlockKind::Fenced(lang) if !lang.is_empty() => {
                            let lang = escape_attr(lang.split_whitespace().next().unwrap_or_default());
                            out.push_str(&format!("<pre><code class=\"{lang} language-{lang}\">"));
                        }
                        _ => out.push_str("<pre><code>"),
                    }
                }
                Tag::List(Some(start)) => {
                    tight.push(tight_at.get(index).copied().unwrap_or(true));
                    if *start == 1 {
                        out.push_str("<ol>\n");
                    } else {
                        out.push_str(&format!("<ol start=\"{start}\">\n"));
                    }
                }
                Tag::List(None) => {
                    tight.push(tight_at.get(index).copied().unwrap_or(true));
                    out.push_str("<ul>\n");
                }
                Tag::Item => out.push_str("<li>"),
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::Strikethrough => out.push_str("<del>"),
                Tag::Link { dest_url, title, .. } => {
                    out.push_str(&format!("<a href=\"{}\"", escape_attr(dest_url)));
                    if !title.is_empty() {
                        out.push_str(&format!(" title=\"{}\"", escape_attr(title)));
                    }
                    if o.open_links_in_new_window {
                        out.push_str(" rel=\"noopener noreferrer\" target=\"_blank\"");
                    }
                    out.push('>');
                }
                Tag::Image { dest_url, title, .. } => {
                    out.push_str(&format!("<img src=\"{}\"", escape_attr(dest_url)));
                    if !title.is_empty() {
                        out.push_str(&format!(" title=\"{}\"", escape_attr(title)));
                    }
                    image_alt = Some(String::new());
                }
                Tag::Table(_) => out.push_str("<table>\n"),
                Tag::TableHead => {
                    table_head = true;
                    out.push_str("<thead>\n<tr>\n");
                }
                Tag::TableRow => out.push_str("<tr>\n"),
                Tag::TableCell => out.push_str(if table_head { "<th>" } else { "<td>" }),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph if !tight.last().copied().unwrap_or(false) => out.push_str("</p>\n"),
                TagEnd::Heading(_) => {
                    if let Some((n, at, text)) = heading.take() {
                        if !o.no_header_id {
                            let id = header_id(&text, o, &mut seen);
                            out.insert_str(at + 3, &format!(" id=\"{}\"", escape_attr(&id)));
                        }
                        out.push_str(&format!("</h{n}>\n"));
                    }
                }
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
                TagEnd::CodeBlock => {
                    in_code = false;
                    out.push_str("</code></pre>\n");
                }
                TagEnd::List(ordered) => {
                    tight.pop();
                    out.push_str(if *ordered { "</ol>\n" } else { "</ul>\n" });
                }
                TagEnd::Item => {
                    if out.ends_with('\n') {
                        out.pop();
                    }
                    out.push_str("</li>\n");
                }
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::Strikethrough => out.push_str("</del>"),
                TagEnd::Link => out.push_str("</a>"),
                TagEnd::Image => {
                    let alt = image_alt.take().unwrap_or_default();
                    out.push_str(&format!(" alt=\"{}\" />", escape_attr(&alt)));
                }
                TagEnd::Table => out.push_str("</tbody>\n</table>\n"),
                TagEnd::TableHead => {
                    table_head = false;
                    out.push_str("</tr>\n</thead>\n<tbody>\n");
                }
                TagEnd::TableRow => out.push_str("</tr>\n"),
                TagEnd::TableCell => out.push_str(if table_head { "</th>\n" } else { "</td>\n" }),
                _ => {}
            },
            Event::Text(t) => {
                if in_code {
                    out.push_str(&escape(t));
                } else {
                    if let Some((_, _, text)) = heading.as_mut() {
                        text.push_str(t);
                    }
                    out.push_str(&escape(&t.replace("...", "…")));
                }
            }
            Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(t);
                }
                out.push_str(&format!("<code>{}</code>", escape(t)));
            }
            Event::Html(h) | Event::InlineHtml(h) => out.push_str(h),
            Event::SoftBreak => out.push_str(if o.simple_line_breaks { "<br />\n" } else { "\n" }),
            Event::HardBreak => out.push_str("<br />\n"),
            Event::Rule => out.push_str("<hr />\n"),
            Event::TaskListMarker(done) => out.push_str(if *done {
                "<input type=\"checkbox\" disabled style=\"margin: 0px 0.35em 0.25em -1.6em; vertical-align: middle;\" checked> "
            } else {
                "<input type=\"checkbox\" disabled style=\"margin: 0px 0.35em 0.25em -1.6em; vertical-align: middle;\"> "
            }),
            _ => {}
        }
    }
    let body = out.trim_end_matches('\n').to_owned();
    if o.complete_document {
        format!(
            "<!DOCTYPE HTML>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n{}\n</body>\n</html>",
            body.trim()
        )
    } else {
        body
    }
}

/// For each event, whether the list it starts is tight: none of its own items holds a
/// paragraph event (pulldown-cmark omits them then). One pass with a stack of open lists, so
/// deeply nested lists cost no more than flat ones.
fn tight_lists(events: &[Event<'_>]) -> Vec<bool> {
    let mut tight = vec![true; events.len()];
    let mut open: Vec<usize> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::List(_)) => open.push(index),
            Event::End(TagEnd::List(_)) => {
                open.pop();
            }
            Event::Start(Tag::Paragraph) => {
                if let Some(slot) = open.last().and_then(|at| tight.get_mut(*at)) {
                    *slot = false;
                }
            }
            _ => {}
        }
    }
    tight
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn html(md: &str) -> String {
        render(md, &Options::from(&json!({})))
    }

    #[test]
    fn headers_get_showdown_ids_and_dots_become_an_ellipsis() {
        assert_eq!(
            html("# Example Domain\n\nMore information..."),
            "<h1 id=\"exampledomain\">Example Domain</h1>\n<p>More information…</p>"
        );
    }

    #[test]
    fn lists_code_and_rules() {
        assert_eq!(html("* a\n* b"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
        assert_eq!(
            html("```js\nlet x = 1 < 2;\n```"),
            "<pre><code class=\"js language-js\">let x = 1 &lt; 2;\n</code></pre>"
        );
        assert_eq!(html("---"), "<hr />");
    }

    #[test]
    fn a_complete_document_wraps_the_body() {
        let o = Options::from(&json!({"completeHTMLDocument": true, "noHeaderId": true}));
        assert_eq!(
            render("# T", &o),
            "<!DOCTYPE HTML>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n<h1>T</h1>\n</body>\n</html>"
        );
    }
}
