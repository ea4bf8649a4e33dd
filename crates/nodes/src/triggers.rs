//! Trigger nodes. In a run they emit the items the execution started with: `{json: {}}` for a
//! manual start, the request for a webhook, the tick for a schedule, the caller's items for a
//! sub-workflow, the failed execution for an error workflow.

use weft_engine::run::{NodeContext, NodeFuture, NodeKind, NodeType};

use crate::util::first_input;

macro_rules! trigger {
    ($(#[$doc:meta])* $name:ident, $type_name:literal, [$($v:literal),+]) => {
        $(#[$doc])*
        pub struct $name;

        impl NodeType for $name {
            fn type_name(&self) -> &'static str {
                $type_name
            }
            fn versions(&self) -> &'static [f64] {
                &[$($v),+]
            }
            fn kind(&self) -> NodeKind {
                NodeKind::Trigger
            }
            fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
                Box::pin(async move { Ok(Some(vec![first_input(ctx.inputs)])) })
            }
        }
    };
}

trigger!(
    /// `n8n-nodes-base.manualTrigger`: a run started by hand.
    ManualTrigger, "n8n-nodes-base.manualTrigger", [1.0]
);
trigger!(
    /// `n8n-nodes-base.start` (legacy): passes its input through.
    Start, "n8n-nodes-base.start", [1.0]
);
trigger!(
    /// `n8n-nodes-base.webhook`: emits `{headers, params, query, body}` of the request (routing
    /// places it on the start of the run).
    Webhook, "n8n-nodes-base.webhook", [1.0, 1.1, 2.0, 2.1]
);
trigger!(
    /// `n8n-nodes-base.scheduleTrigger`: emits the tick the scheduler started the run with.
    ScheduleTrigger, "n8n-nodes-base.scheduleTrigger", [1.0, 1.1, 1.2, 1.3]
);
trigger!(
    /// `n8n-nodes-base.executeWorkflowTrigger`: emits the items the calling workflow passed.
    ExecuteWorkflowTrigger, "n8n-nodes-base.executeWorkflowTrigger", [1.0, 1.1]
);
trigger!(
    /// `n8n-nodes-base.errorTrigger`: emits the failed execution an error workflow handles.
    ErrorTrigger, "n8n-nodes-base.errorTrigger", [1.0]
);
