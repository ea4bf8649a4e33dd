//! `n8n-nodes-base.wait` v1/v1.1: holds the items for a time interval or until a time, or until
//! its execution's waiting webhook is called. Short waits sleep inside the run (a virtual clock in
//! tests); longer ones, and webhook waits, pause the execution for the server to resume.

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
            let wait_ms: f64 = match resume {
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
                    at.saturating_sub(ctx.clock.now_ms()).max(0) as f64
                }
                "webhook" => {
                    if ctx.suspend.threshold().is_none() {
                        return Err(NodeError::new(
                            "Waiting for a webhook call needs a server run; this run cannot pause",
                        ));
                    }
                    let till = limit(&params, ctx.clock.now_ms())?;
                    ctx.suspend.pause(till, true);
                    return Ok(None);
                }
                other => {
                    return Err(NodeError::new(format!(
                        "Resuming on \"{other}\" is not available: use a time interval, a specific time or a webhook call"
                    )));
                }
            };
            if wait_ms > MAX_WAIT_MS {
                return Err(NodeError::new(
                    "The wait ends more than 100 years from now; choose a nearer time",
                ));
            }
            if let Some(threshold) = ctx.suspend.threshold()
                && wait_ms > threshold.as_millis() as f64
            {
                ctx.suspend.pause(
                    Some(ctx.clock.now_ms().saturating_add(wait_ms as i64)),
                    false,
                );
                return Ok(None);
            }
            if !ctx.clock.sleep(Duration::from_millis(wait_ms as u64)).await {
                return Err(NodeError::new("The execution was canceled while waiting"));
            }
            Ok(Some(vec![first_input(ctx.inputs)]))
        })
    }
}

/// The longest wait a time can ask for, so its end is always a representable date.
const MAX_WAIT_MS: f64 = 100.0 * 365.25 * 86_400_000.0;

/// A webhook wait's time limit (`options.limitWaitTime`): when it resumes without a call.
fn limit(params: &Value, now_ms: i64) -> Result<Option<i64>, NodeError> {
    let options = params.get("options").cloned().unwrap_or(Value::Null);
    let limited = options.get("limitWaitTime").and_then(Value::as_bool) == Some(true)
        || params.get("limitWaitTime").and_then(Value::as_bool) == Some(true);
    if !limited {
        return Ok(None);
    }
    let pick = |k: &str| {
        options
            .get(k)
            .or_else(|| params.get(k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    if pick("limitType").as_str() == Some("atSpecifiedTime") {
        let raw = pick("maxDateAndTime");
        return raw
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| Some(d.timestamp_millis()))
            .ok_or_else(|| {
                NodeError::new(format!("The time limit {raw} is not a valid date and time"))
            });
    }
    let amount = pick("resumeAmount").as_f64().unwrap_or(1.0);
    let unit = pick("resumeUnit");
    let unit = unit.as_str().unwrap_or("hours");
    let per =
        unit_ms(unit).ok_or_else(|| NodeError::new(format!("The unit \"{unit}\" is not known")))?;
    let wait_ms = (amount * per).max(0.0);
    if wait_ms > MAX_WAIT_MS {
        return Err(NodeError::new(
            "The time limit ends more than 100 years from now; choose a nearer time",
        ));
    }
    Ok(Some(now_ms.saturating_add(wait_ms as i64)))
}
