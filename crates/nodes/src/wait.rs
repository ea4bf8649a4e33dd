//! `n8n-nodes-base.wait` v1/v1.1: holds the items for a time interval or until a time, then passes
//! them on. In embedded mode the wait is an in-process timer (a virtual clock in tests).

use std::time::Duration;

use serde_json::Value;
use weft_engine::run::{NodeContext, NodeError, NodeFuture, NodeType};

use crate::util::first_input;

pub struct Wait;

fn unit_ms(unit: &str) -> Option<f64> {
    Some(match unit {
        "seconds" => 1_000.0,
        "minutes" => 60_000.0,
        "hours" => 3_600_000.0,
        "days" => 86_400_000.0,
        _ => return None,
    })
}

impl NodeType for Wait {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.wait"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let params = ctx.parameters(0)?;
            let resume = params
                .get("resume")
                .and_then(Value::as_str)
                .unwrap_or("timeInterval");
            let wait_ms = match resume {
                "timeInterval" => {
                    let amount = params.get("amount").and_then(Value::as_f64).unwrap_or(1.0);
                    let unit = params
                        .get("unit")
                        .and_then(Value::as_str)
                        .unwrap_or("hours");
                    let per = unit_ms(unit).ok_or_else(|| {
                        NodeError::new(format!("The unit \"{unit}\" is not known"))
                    })?;
                    (amount * per).max(0.0)
                }
                "specificTime" => {
                    let raw = params.get("dateTime").cloned().unwrap_or(Value::Null);
                    let at = raw
                        .as_str()
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                        .map(|d| d.timestamp_millis())
                        .or_else(|| raw.as_f64().map(|n| n as i64))
                        .ok_or_else(|| {
                            NodeError::new(format!(
                                "The date and time {raw} to wait until is not valid"
                            ))
                        })?;
                    (at - ctx.clock.now_ms()).max(0) as f64
                }
                other => {
                    return Err(NodeError::new(format!(
                        "Resuming on \"{other}\" is not available yet: use a time interval or a specific time"
                    )));
                }
            };
            if !ctx.clock.sleep(Duration::from_millis(wait_ms as u64)).await {
                return Err(NodeError::new("The execution was canceled while waiting"));
            }
            Ok(Some(vec![first_input(ctx.inputs)]))
        })
    }
}
