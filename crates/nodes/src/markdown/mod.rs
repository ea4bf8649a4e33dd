//! `n8n-nodes-base.markdown` v1: HTML to Markdown and Markdown to HTML, per item.

pub(crate) mod to_html;
pub(crate) mod to_markdown;

use serde_json::Value;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use crate::set::path;
use crate::util::{js_string, paired};

pub struct Markdown;

impl NodeType for Markdown {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.markdown"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(ctx.items().len());
            let mut slots = path::Slots::default();
            for (i, item) in ctx.items().iter().enumerate() {
                let to_html = match ctx.parameter("mode", i)? {
                    Value::Null => false,
                    Value::String(m) if m == "htmlToMarkdown" => false,
                    Value::String(m) if m == "markdownToHtml" => true,
                    other => {
                        return Err(NodeError::new(format!(
                            "The mode {} is not known",
                            js_string(&other)
                        )));
                    }
                };
                let source = ctx.parameter(if to_html { "markdown" } else { "html" }, i)?;
                let source = if source.is_null() {
                    String::new()
                } else {
                    js_string(&source)
                };
                let options = ctx.parameter("options", i)?;
                let result = if to_html {
                    to_html::render(&source, &to_html::Options::from(&options))
                } else {
                    to_markdown::translate(&source, &to_markdown::Options::from(&options)).map_err(
                        |e| NodeError {
                            item_index: Some(i),
                            ..e
                        },
                    )?
                };
                let key = match ctx.parameter("destinationKey", i)? {
                    Value::String(k) if !k.is_empty() => k,
                    _ => "data".to_owned(),
                };
                let mut json = item.json.clone();
                path::set(&mut json, &key, Value::String(result), true, &mut slots)
                    .map_err(|e| path::path_error(&key, e))?;
                out.push(paired(Item::new(json), i));
            }
            Ok(Some(vec![out]))
        })
    }
}
