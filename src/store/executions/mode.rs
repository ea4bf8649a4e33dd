//! How an execution was started, as n8n names it (`executions.mode`).

/// The way an execution started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionMode {
    /// From the API or the editor (`POST /workflows/{id}/run`, test webhooks).
    Manual,
    /// By a production webhook call.
    Webhook,
    /// By a trigger (schedule).
    Trigger,
    /// As a manual re-run of a failed execution.
    Retry,
    /// As a sub-workflow started by Execute Workflow.
    Integrated,
    /// As the error workflow of a failed execution (from its Error Trigger).
    Error,
}

impl ExecutionMode {
    pub const ALL: [ExecutionMode; 6] = [
        ExecutionMode::Manual,
        ExecutionMode::Webhook,
        ExecutionMode::Trigger,
        ExecutionMode::Retry,
        ExecutionMode::Integrated,
        ExecutionMode::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionMode::Manual => "manual",
            ExecutionMode::Webhook => "webhook",
            ExecutionMode::Trigger => "trigger",
            ExecutionMode::Retry => "retry",
            ExecutionMode::Integrated => "integrated",
            ExecutionMode::Error => "error",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }

    /// Started by something outside (a call or a trigger), not by a person.
    pub fn is_production(self) -> bool {
        matches!(self, ExecutionMode::Trigger | ExecutionMode::Webhook)
    }
}

#[cfg(test)]
mod tests {
    use super::ExecutionMode;

    #[test]
    fn every_mode_reads_back_from_its_name_and_nothing_else_does() {
        for mode in ExecutionMode::ALL {
            assert_eq!(ExecutionMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(ExecutionMode::parse("cli"), None);
    }
}
