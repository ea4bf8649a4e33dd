//! n8n's offline training nodes: a fixed customer list and a messenger that only reports.

use serde_json::{Value, json};
use weft_engine::run::{Item, NodeContext, NodeFuture, NodeType, PairedItem};

/// `n8n-nodes-base.n8nTrainingCustomerDatastore`: five built-in customers.
pub struct CustomerDatastore;

fn people() -> Vec<Value> {
    vec![
        json!({"id": "23423532", "name": "Jay Gatsby", "email": "gatsby@west-egg.com", "notes": "Keeps asking about a green light??", "country": "US", "created": "1925-04-10"}),
        json!({"id": "23423533", "name": "José Arcadio Buendía", "email": "jab@macondo.co", "notes": "Lots of people named after him. Very confusing", "country": "CO", "created": "1967-05-05"}),
        json!({"id": "23423534", "name": "Max Sendak", "email": "info@in-and-out-of-weeks.org", "notes": "Keeps rolling his terrible eyes", "country": "US", "created": "1963-04-09"}),
        json!({"id": "23423535", "name": "Zaphod Beeblebrox", "email": "captain@heartofgold.com", "notes": "Felt like I was talking to more than one person", "country": null, "created": "1979-10-12"}),
        json!({"id": "23423536", "name": "Edmund Pevensie", "email": "edmund@narnia.gov", "notes": "Passionate sailor", "country": "UK", "created": "1950-10-16"}),
    ]
}

impl NodeType for CustomerDatastore {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.n8nTrainingCustomerDatastore"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::new();
            for index in 0..ctx.items().len().max(1) {
                let params = ctx.parameters(index)?;
                let operation = params
                    .get("operation")
                    .and_then(Value::as_str)
                    .unwrap_or("getOnePerson");
                let list = if operation == "getAllPeople" {
                    let all = params
                        .get("returnAll")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(5) as usize;
                    people()
                        .into_iter()
                        .take(if all { usize::MAX } else { limit })
                        .collect()
                } else {
                    people().into_iter().take(1).collect::<Vec<_>>()
                };
                out.extend(list.into_iter().map(|p| Item {
                    paired_item: Some(PairedItem::item(index)),
                    ..Item::from_value(p)
                }));
            }
            Ok(Some(vec![out]))
        })
    }
}

/// `n8n-nodes-base.n8nTrainingCustomerMessenger`: reports the message it would send.
pub struct CustomerMessenger;

impl NodeType for CustomerMessenger {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.n8nTrainingCustomerMessenger"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::new();
            for index in 0..ctx.items().len() {
                let params = ctx.parameters(index)?;
                let text = |k: &str| {
                    params.get(k).map_or(String::new(), |v| match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    })
                };
                let output = format!(
                    "Sent message to customer {}:  {}",
                    text("customerId"),
                    text("message")
                );
                out.push(Item {
                    paired_item: Some(PairedItem::item(index)),
                    ..Item::from_value(json!({"output": output}))
                });
            }
            Ok(Some(vec![out]))
        })
    }
}
