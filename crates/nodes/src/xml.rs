//! `n8n-nodes-base.xml` v1: XML to JSON and back, with xml2js's rules (the library n8n uses).

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use crate::util::{js_string, paired};

pub struct Xml;

impl NodeType for Xml {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.xml"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(ctx.items().len());
            for (i, item) in ctx.items().iter().enumerate() {
                let at = |e: NodeError| NodeError {
                    item_index: Some(i),
                    ..e
                };
                let mode = ctx.parameter("mode", i)?;
                let property = match ctx.parameter("dataPropertyName", i)? {
                    Value::String(s) => s,
                    _ => "data".to_owned(),
                };
                let options = ctx.parameter("options", i)?;
                let options = options.as_object().cloned().unwrap_or_default();
                let json = if mode.as_str() == Some("jsonToxml") {
                    let text = build(
                        &Value::Object(item.json.clone()),
                        &BuildOptions::from(&options),
                    );
                    let mut json = Map::new();
                    json.insert(property, Value::String(text));
                    json
                } else {
                    let source = item.json.get(&property).ok_or_else(|| {
                        at(NodeError::new(format!(
                            "Item has no JSON property called \"{property}\""
                        )))
                    })?;
                    let text = match source {
                        Value::String(s) => s.clone(),
                        other => js_string(other),
                    };
                    match parse(&text, &ParseOptions::from(&options)).map_err(at)? {
                        Value::Object(map) => map,
                        other => Item::from_value(other).json,
                    }
                };
                out.push(paired(Item::new(json), i));
            }
            Ok(Some(vec![out]))
        })
    }
}

fn opt_bool(options: &Map<String, Value>, key: &str, default: bool) -> bool {
    options.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn opt_str(options: &Map<String, Value>, key: &str, default: &str) -> String {
    options
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(default)
        .to_owned()
}

/// xml2js parser options, with n8n's defaults (`mergeAttrs: true`, `explicitArray: false`).
pub struct ParseOptions {
    attr_key: String,
    char_key: String,
    explicit_array: bool,
    explicit_root: bool,
    ignore_attrs: bool,
    merge_attrs: bool,
    normalize: bool,
    normalize_tags: bool,
    trim: bool,
}

impl From<&Map<String, Value>> for ParseOptions {
    fn from(o: &Map<String, Value>) -> Self {
        Self {
            attr_key: opt_str(o, "attrkey", "$"),
            char_key: opt_str(o, "charkey", "_"),
            explicit_array: opt_bool(o, "explicitArray", false),
            explicit_root: opt_bool(o, "explicitRoot", true),
            ignore_attrs: opt_bool(o, "ignoreAttrs", false),
            merge_attrs: opt_bool(o, "mergeAttrs", true),
            normalize: opt_bool(o, "normalize", false),
            normalize_tags: opt_bool(o, "normalizeTags", false),
            trim: opt_bool(o, "trim", false),
        }
    }
}

struct Open {
    name: String,
    obj: Map<String, Value>,
    text: String,
    cdata: bool,
}

fn assign_or_push(obj: &mut Map<String, Value>, key: String, value: Value, explicit_array: bool) {
    match obj.get_mut(&key) {
        None => {
            let value = if explicit_array {
                Value::Array(vec![value])
            } else {
                value
            };
            obj.insert(key, value);
        }
        Some(Value::Array(list)) => list.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

fn xml_error(e: impl std::fmt::Display) -> NodeError {
    NodeError::new(format!("The XML is not valid: {e}"))
}

/// Parses an XML document into xml2js's JSON shape.
/// The deepest element nesting the parser accepts, so the JSON it makes stays within
/// [`weft_engine::MAX_NESTING`].
const MAX_ELEMENT_DEPTH: usize = weft_engine::MAX_NESTING / 2 - 1;

pub fn parse(text: &str, o: &ParseOptions) -> Result<Value, NodeError> {
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Open> = Vec::new();
    let mut result: Option<Value> = None;
    loop {
        let event = reader.read_event().map_err(xml_error)?;
        match event {
            Event::Start(e) => {
                // Each element can add two levels (an array and an object) to the JSON.
                if stack.len() >= MAX_ELEMENT_DEPTH {
                    return Err(xml_error(format!(
                        "elements are nested more than {MAX_ELEMENT_DEPTH} deep"
                    )));
                }
                stack.push(open(&e, o)?);
            }
            Event::Empty(e) => {
                let node = open(&e, o)?;
                close(node, &mut stack, &mut result, o);
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| xml_error("unexpected end tag"))?;
                close(node, &mut stack, &mut result, o);
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(xml_error)?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                } else if !text.trim().is_empty() {
                    return Err(xml_error("text outside the root element"));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                    top.cdata = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(xml_error("unclosed root tag"));
    }
    result.ok_or_else(|| xml_error("the document has no root element"))
}

fn open(e: &quick_xml::events::BytesStart<'_>, o: &ParseOptions) -> Result<Open, NodeError> {
    let mut name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    if o.normalize_tags {
        name = name.to_lowercase();
    }
    let mut obj = Map::new();
    if !o.ignore_attrs {
        for attr in e.attributes() {
            let attr = attr.map_err(xml_error)?;
            let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
            let value = Value::String(attr.unescape_value().map_err(xml_error)?.into_owned());
            if o.merge_attrs {
                assign_or_push(&mut obj, key, value, o.explicit_array);
            } else {
                obj.entry(o.attr_key.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
                    .map(|m| m.insert(key, value));
            }
        }
    }
    Ok(Open {
        name,
        obj,
        text: String::new(),
        cdata: false,
    })
}

fn close(node: Open, stack: &mut [Open], result: &mut Option<Value>, o: &ParseOptions) {
    let Open {
        name,
        mut obj,
        text,
        cdata,
    } = node;
    let mut empty_text = String::new();
    if text.chars().all(char::is_whitespace) && !cdata {
        empty_text = text;
    } else {
        let mut text = text;
        if o.trim {
            text = text.trim().to_owned();
        }
        if o.normalize {
            text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        obj.insert(o.char_key.clone(), Value::String(text));
    }
    let value = if obj.is_empty() {
        Value::String(empty_text)
    } else if obj.len() == 1 && obj.contains_key(&o.char_key) {
        obj.remove(&o.char_key).unwrap_or_default()
    } else {
        Value::Object(obj)
    };
    match stack.last_mut() {
        Some(parent) => assign_or_push(&mut parent.obj, name, value, o.explicit_array),
        None if o.explicit_root => {
            let mut root = Map::new();
            root.insert(name, value);
            *result = Some(Value::Object(root));
        }
        None => *result = Some(value),
    }
}

/// xml2js builder options.
pub struct BuildOptions {
    attr_key: String,
    char_key: String,
    cdata: bool,
    headless: bool,
    root_name: String,
}

impl From<&Map<String, Value>> for BuildOptions {
    fn from(o: &Map<String, Value>) -> Self {
        Self {
            attr_key: opt_str(o, "attrkey", "$"),
            char_key: opt_str(o, "charkey", "_"),
            cdata: opt_bool(o, "cdata", false),
            headless: opt_bool(o, "headless", false),
            root_name: opt_str(o, "rootName", "root"),
        }
    }
}

/// One element of the document being built.
#[derive(Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Child>,
}

enum Child {
    Element(Element),
    Text(String),
    Raw(String),
}

/// Writes a JSON value as XML, pretty-printed with two spaces as xml2js's builder does.
pub fn build(value: &Value, o: &BuildOptions) -> String {
    let (name, body) = match value {
        Value::Object(map) if map.len() == 1 && o.root_name == "root" => {
            let (k, v) = map.iter().next().expect("one key");
            (k.clone(), v)
        }
        other => (o.root_name.clone(), other),
    };
    let mut root = Element {
        name,
        ..Element::default()
    };
    render(&mut root, body, o);
    let mut out = String::new();
    if !o.headless {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
    }
    write(&root, 0, &mut out);
    out.truncate(out.trim_end_matches('\n').len());
    out
}

fn text_child(value: &str, o: &BuildOptions) -> Child {
    if o.cdata && (value.contains('&') || value.contains('<') || value.contains('>')) {
        Child::Raw(format!(
            "<![CDATA[{}]]>",
            value.replace("]]>", "]]]]><![CDATA[>")
        ))
    } else {
        Child::Text(value.to_owned())
    }
}

fn render(element: &mut Element, value: &Value, o: &BuildOptions) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if *key == o.attr_key {
                    if let Value::Object(attrs) = child {
                        for (k, v) in attrs {
                            element.attrs.push((k.clone(), js_string(v)));
                        }
                    }
                } else if *key == o.char_key {
                    element.children.push(text_child(&js_string(child), o));
                } else if let Value::Array(list) = child {
                    for entry in list {
                        element.children.push(Child::Element(named(key, entry, o)));
                    }
                } else {
                    element.children.push(Child::Element(named(key, child, o)));
                }
            }
        }
        Value::Array(list) => {
            for entry in list {
                if let Value::Object(map) = entry {
                    for (key, child) in map {
                        element.children.push(Child::Element(named(key, child, o)));
                    }
                }
            }
        }
        Value::Null => {}
        other => element.children.push(text_child(&js_string(other), o)),
    }
}

fn named(name: &str, value: &Value, o: &BuildOptions) -> Element {
    let mut element = Element {
        name: name.to_owned(),
        ..Element::default()
    };
    render(&mut element, value, o);
    element
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\r', "&#xD;")
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
        .replace('\t', "&#x9;")
        .replace('\n', "&#xA;")
        .replace('\r', "&#xD;")
}

fn write(element: &Element, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    out.push_str(&indent);
    out.push('<');
    out.push_str(&element.name);
    for (k, v) in &element.attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
    }
    match element.children.as_slice() {
        [] => out.push_str("/>\n"),
        [Child::Text(t)] => out.push_str(&format!(">{}</{}>\n", escape_text(t), element.name)),
        [Child::Raw(t)] => out.push_str(&format!(">{t}</{}>\n", element.name)),
        children => {
            out.push_str(">\n");
            for child in children {
                match child {
                    Child::Element(e) => write(e, depth + 1, out),
                    Child::Text(t) => out.push_str(&format!("{indent}  {}\n", escape_text(t))),
                    Child::Raw(t) => out.push_str(&format!("{indent}  {t}\n")),
                }
            }
            out.push_str(&format!("{indent}</{}>\n", element.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse_default(text: &str) -> Value {
        parse(text, &ParseOptions::from(&Map::new())).unwrap()
    }

    #[test]
    fn attributes_merge_and_repeated_tags_become_arrays() {
        let v = parse_default(r#"<r id="1"><a>x</a><a>y</a><b/><c k="v">t</c></r>"#);
        assert_eq!(
            v,
            json!({"r": {"id": "1", "a": ["x", "y"], "b": "", "c": {"k": "v", "_": "t"}}})
        );
    }

    #[test]
    fn entities_are_decoded_and_whitespace_between_tags_dropped() {
        let v = parse_default("<?xml version=\"1.0\"?>\n<r>\n  <a>1 &amp; 2</a>\n</r>");
        assert_eq!(v, json!({"r": {"a": "1 & 2"}}));
    }

    #[test]
    fn malformed_xml_is_a_node_error() {
        assert!(parse("<a><b></a>", &ParseOptions::from(&Map::new())).is_err());
        assert!(parse("not xml", &ParseOptions::from(&Map::new())).is_err());
    }

    #[test]
    fn nesting_beyond_the_limit_is_a_node_error_and_just_within_it_parses() {
        let o = ParseOptions::from(&Map::new());
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        let err = parse(&deep, &o).unwrap_err();
        assert!(err.message.contains("nested more than"), "{}", err.message);
        let n = super::MAX_ELEMENT_DEPTH;
        let fine = "<a>".repeat(n) + "x" + &"</a>".repeat(n);
        assert!(parse(&fine, &o).is_ok());
    }

    #[test]
    fn options_change_the_shape() {
        let mut o = Map::new();
        o.insert("explicitArray".into(), json!(true));
        o.insert("mergeAttrs".into(), json!(false));
        o.insert("explicitRoot".into(), json!(false));
        let v = parse(r#"<r id="1"><a>x</a></r>"#, &ParseOptions::from(&o)).unwrap();
        assert_eq!(v, json!({"$": {"id": "1"}, "a": ["x"]}));
    }

    #[test]
    fn json_builds_pretty_xml_with_a_declaration() {
        let xml = build(
            &json!({"a": {"$": {"k": "v&"}, "b": [1, 2], "c": null, "d": "x<y"}}),
            &BuildOptions::from(&Map::new()),
        );
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<a k=\"v&amp;\">\n  <b>1</b>\n  <b>2</b>\n  <c/>\n  <d>x&lt;y</d>\n</a>"
        );
    }

    #[test]
    fn several_top_level_keys_are_wrapped_in_the_root_name() {
        let mut o = Map::new();
        o.insert("headless".into(), json!(true));
        let xml = build(&json!({"a": 1, "b": true}), &BuildOptions::from(&o));
        assert_eq!(xml, "<root>\n  <a>1</a>\n  <b>true</b>\n</root>");
    }
}
