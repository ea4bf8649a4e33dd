//! `n8n-nodes-base.html` v1–1.2 (template, extract, table) and the legacy
//! `n8n-nodes-base.htmlExtract` v1: CSS-selector extraction with cheerio's semantics.

pub mod nesting;
mod table;
mod text;

use scraper::{ElementRef, Selector};
use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use crate::set::path::lodash_get;
use crate::util::{js_string, paired};

pub struct Html;
pub struct HtmlExtract;

impl NodeType for Html {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.html"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1, 1.2]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let operation = ctx.parameter("operation", 0)?;
            match operation.as_str().unwrap_or("generateHtmlTemplate") {
                "extractHtmlContent" => extract(
                    &ctx,
                    Flavour::Html(ctx.node.type_version.as_f64().unwrap_or(1.0)),
                ),
                "convertToHtmlTable" => table::convert(&ctx),
                "generateHtmlTemplate" => table::template(&ctx),
                other => Err(NodeError::new(format!(
                    "The operation \"{other}\" is not known"
                ))),
            }
        })
    }
}

impl NodeType for HtmlExtract {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.htmlExtract"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move { extract(&ctx, Flavour::Legacy) })
    }
}

#[derive(Clone, Copy)]
enum Flavour {
    /// The HTML node at this version.
    Html(f64),
    /// HTML Extract v1: trims unless told not to; text is cheerio's `.text()`.
    Legacy,
}

/// The HTML strings item `i` holds at the configured source.
fn sources(
    ctx: &NodeContext<'_>,
    item: &Item,
    i: usize,
    flavour: Flavour,
) -> Result<Vec<String>, NodeError> {
    let name = match ctx.parameter("dataPropertyName", i)? {
        Value::String(s) => s,
        _ => "data".to_owned(),
    };
    let missing = || NodeError::new(format!("No property named \"{name}\" exists!"));
    if ctx.parameter("sourceData", i)?.as_str() == Some("binary") {
        let bytes = crate::util::binary_bytes(item, &name, i)?;
        return Ok(vec![String::from_utf8_lossy(&bytes).into_owned()]);
    }
    let value = match flavour {
        Flavour::Html(v) if v < 1.1 => {
            let key = ["['", "[\""]
                .iter()
                .zip(["']", "\"]"])
                .find_map(|(open, close)| {
                    name.strip_prefix(open)
                        .and_then(|s| s.strip_suffix(close))
                        .filter(|inner| {
                            !item.json.contains_key(&name) && item.json.contains_key(*inner)
                        })
                })
                .unwrap_or(&name);
            item.json.get(key)
        }
        _ => lodash_get(&item.json, &name),
    };
    match value.ok_or_else(missing)? {
        Value::Array(list) => Ok(list.iter().map(js_string).collect()),
        other => Ok(vec![js_string(other)]),
    }
}

fn extract(ctx: &NodeContext<'_>, flavour: Flavour) -> Result<Option<Vec<Vec<Item>>>, NodeError> {
    let mut out = Vec::new();
    for (i, item) in ctx.items().iter().enumerate() {
        let at = |e: NodeError| NodeError {
            item_index: Some(i),
            ..e
        };
        let values = ctx.parameter("extractionValues", i)?;
        let values = values
            .get("values")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let options = ctx.parameter("options", i)?;
        for html in sources(ctx, item, i, flavour).map_err(at)? {
            let doc = nesting::parse(&html).map_err(at)?;
            let mut json = Map::new();
            for spec in &values {
                let key = spec.get("key").map(js_string).unwrap_or_default();
                let css = spec.get("cssSelector").map(js_string).unwrap_or_default();
                let selector = Selector::parse(&css).map_err(|_| {
                    at(NodeError::new(format!(
                        "The CSS selector \"{css}\" is not valid"
                    )))
                })?;
                let matches: Vec<ElementRef<'_>> = doc.select(&selector).collect();
                let value = if spec.get("returnArray").and_then(Value::as_bool) == Some(true) {
                    let list = matches
                        .iter()
                        .map(|m| value_of(std::slice::from_ref(m), spec, &options, flavour))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(at)?;
                    Some(Value::Array(
                        list.into_iter().map(|v| v.unwrap_or(Value::Null)).collect(),
                    ))
                } else {
                    value_of(&matches, spec, &options, flavour).map_err(at)?
                };
                if let Some(value) = value {
                    json.insert(key, value);
                }
            }
            out.push(paired(Item::new(json), i));
        }
    }
    Ok(Some(vec![out]))
}

/// One extraction from a selection; `None` is JavaScript's `undefined` (the key is left out).
fn value_of(
    matches: &[ElementRef<'_>],
    spec: &Value,
    options: &Value,
    flavour: Flavour,
) -> Result<Option<Value>, NodeError> {
    let first = matches.first();
    let kind = spec
        .get("returnValue")
        .and_then(Value::as_str)
        .unwrap_or("text");
    let value = match kind {
        "attribute" => {
            let name = spec
                .get("attribute")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match first {
                None => None,
                Some(e) if name.is_empty() => Some(Value::Object(
                    e.value()
                        .attrs()
                        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                        .collect(),
                )),
                Some(e) => e.value().attr(name).map(|v| Value::String(v.to_owned())),
            }
        }
        "html" => first
            .map(|e| e.inner_html())
            .filter(|s| !s.is_empty())
            .map(Value::String),
        "value" => first.and_then(|e| form_value(*e)).map(Value::String),
        "text" => match flavour {
            Flavour::Html(v) if v >= 1.2 => {
                let skip = skip_selectors(spec)?;
                Some(Value::String(
                    first.map(|e| text::convert(*e, &skip)).unwrap_or_default(),
                ))
            }
            Flavour::Html(_) => Some(cheerio_text(matches))
                .filter(|s| !s.is_empty())
                .map(Value::String),
            Flavour::Legacy => Some(Value::String(cheerio_text(matches))),
        },
        other => {
            return Err(NodeError::new(format!(
                "The return value \"{other}\" is not known"
            )));
        }
    };
    let Some(Value::String(mut s)) = value else {
        return Ok(value);
    };
    let option = |k: &str| options.get(k).and_then(Value::as_bool);
    let trim = match flavour {
        Flavour::Legacy => option("trimValues") != Some(false),
        Flavour::Html(_) => option("trimValues") == Some(true),
    };
    if trim {
        s = s.trim().to_owned();
    }
    if matches!(flavour, Flavour::Html(_)) && option("cleanUpText") == Some(true) {
        s = s
            .trim()
            .replace(['\r', '\n'], "")
            .split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
    Ok(Some(Value::String(s)))
}

fn skip_selectors(spec: &Value) -> Result<Vec<Selector>, NodeError> {
    let raw = spec
        .get("skipSelectors")
        .and_then(Value::as_str)
        .unwrap_or_default();
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            Selector::parse(s)
                .map_err(|_| NodeError::new(format!("The CSS selector \"{s}\" is not valid")))
        })
        .collect()
}

/// cheerio's `.text()`: the text of every match, script and style left out.
fn cheerio_text(matches: &[ElementRef<'_>]) -> String {
    fn walk(e: ElementRef<'_>, out: &mut String) {
        for child in e.children() {
            match child.value() {
                scraper::Node::Text(t) => out.push_str(t),
                scraper::Node::Element(el) if !matches!(el.name(), "script" | "style") => {
                    if let Some(c) = ElementRef::wrap(child) {
                        walk(c, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    for m in matches {
        walk(*m, &mut out);
    }
    out
}

/// cheerio's `.val()` of a form control.
fn form_value(e: ElementRef<'_>) -> Option<String> {
    match e.value().name() {
        "input" | "option" | "button" => e
            .value()
            .attr("value")
            .map(str::to_owned)
            .or_else(|| (e.value().name() == "option").then(|| e.text().collect())),
        "textarea" => Some(e.text().collect()),
        "select" => {
            let options = Selector::parse("option").expect("valid selector");
            let selected: Vec<String> = e
                .select(&options)
                .filter(|o| o.value().attr("selected").is_some())
                .filter_map(form_value)
                .collect();
            if e.value().attr("multiple").is_some() {
                Some(selected.join(","))
            } else {
                selected
                    .into_iter()
                    .next()
                    .or_else(|| e.select(&options).next().and_then(form_value))
            }
        }
        _ => None,
    }
}
