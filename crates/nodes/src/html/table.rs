//! The HTML node's `generateHtmlTemplate` and `convertToHtmlTable` operations.

use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError, PairedItem, PairedItemRef};

use crate::util::{js_string, paired};

type Output = Result<Option<Vec<Vec<Item>>>, NodeError>;

/// One item per input, `{html}`: the template with each `{{ … }}` resolved for that item.
pub fn template(ctx: &NodeContext<'_>) -> Output {
    let raw = ctx
        .node
        .parameters
        .get("html")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let raw = raw.strip_prefix('=').unwrap_or(raw);
    let mut out = Vec::with_capacity(ctx.items().len());
    for i in 0..ctx.items().len() {
        let html = if raw.contains("{{") {
            js_string(&ctx.resolve(&Value::String(format!("={raw}")), i)?)
        } else {
            raw.to_owned()
        };
        let mut json = Map::new();
        json.insert("html".into(), Value::String(html));
        out.push(paired(Item::new(json), i));
    }
    Ok(Some(vec![out]))
}

const TABLE_STYLE: &str = "style='border-spacing:0; font-family:helvetica,arial,sans-serif'";
const HEADER_STYLE: &str = "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee; text-align:left; color:#888; font-weight:normal'";
const CELL_STYLE: &str = "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee'";

fn capitalize(header: &str) -> String {
    header
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One item `{table}` holding every input item as a row, columns in first-seen key order.
pub fn convert(ctx: &NodeContext<'_>) -> Output {
    let items = ctx.items();
    if items.is_empty() {
        return Ok(Some(vec![vec![]]));
    }
    let options = ctx.parameter("options", 0)?;
    let opt = |k: &str| options.get(k).map(js_string).unwrap_or_default();
    let flag = |k: &str| options.get(k).and_then(Value::as_bool).unwrap_or(false);
    let styled = !flag("customStyling");
    let style = |s: &'static str| if styled { s } else { "" };
    let mut headers: Vec<&String> = Vec::new();
    for item in items {
        for key in item.json.keys() {
            if !headers.contains(&key) {
                headers.push(key);
            }
        }
    }
    let mut table = format!("<table {} {}>", style(TABLE_STYLE), opt("tableAttributes"));
    let caption = opt("caption");
    if !caption.is_empty() {
        table.push_str(&format!("<caption>{caption}</caption>"));
    }
    table.push_str(&format!(
        "<thead {} {}><tr>",
        style(HEADER_STYLE),
        opt("headerAttributes")
    ));
    for h in &headers {
        let label = if flag("capitalize") {
            capitalize(h)
        } else {
            (*h).clone()
        };
        table.push_str(&format!("<th>{label}</th>"));
    }
    table.push_str("</tr></thead><tbody>");
    for (i, item) in items.iter().enumerate() {
        let per_item = ctx.parameter("options", i)?;
        let attr = |k: &str| per_item.get(k).map(js_string).unwrap_or_default();
        table.push_str(&format!("<tr  {}>", attr("rowAttributes")));
        for h in &headers {
            let cell = match item.json.get(*h) {
                None => "undefined".to_owned(),
                Some(Value::Bool(b)) => format!(
                    "<input type=\"checkbox\" {}/>",
                    if *b { "checked=\"checked\"" } else { "" }
                ),
                Some(v) => js_string(v),
            };
            table.push_str(&format!(
                "<td {} {}>{cell}</td>",
                style(CELL_STYLE),
                attr("cellAttributes")
            ));
        }
        table.push_str("</tr>");
    }
    table.push_str("</tbody></table>");
    let mut json = Map::new();
    json.insert("table".into(), Value::String(table));
    let mut item = Item::new(json);
    item.paired_item = Some(PairedItem::Many(
        (0..items.len())
            .map(|i| PairedItemRef {
                item: i as u32,
                input: None,
            })
            .collect(),
    ));
    Ok(Some(vec![vec![item]]))
}

#[cfg(test)]
mod tests {
    use super::capitalize;

    #[test]
    fn headers_capitalize_by_underscore_words() {
        assert_eq!(capitalize("first_name"), "First Name");
        assert_eq!(capitalize("__id"), "Id");
    }
}
