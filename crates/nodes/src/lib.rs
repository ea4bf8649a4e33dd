//! Weft's built-in nodes: one module per n8n node type, registered in [`registry`].

mod code;
mod compare_datasets;
mod crypto;
mod date_time;
mod debug_helper;
mod disk;
mod execute_workflow;
mod execution_data;
mod files;
mod html;
pub mod http;
mod if_filter;
mod item_lists;
pub mod jwt;
mod limit;
mod markdown;
mod merge;
mod mime;
mod no_op;
mod respond_to_webhook;
mod set;
mod split_in_batches;
mod sticky_note;
mod stop_and_error;
mod switch;
mod training;
mod transform;
mod triggers;
mod util;
mod wait;
mod xml;

#[cfg(test)]
mod props;

/// Unit tests run under an allocator that refuses more than 1 GiB: a parser asking for more
/// on some input aborts the run instead of passing.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, 1 << 30);

use std::path::PathBuf;
use std::sync::Arc;

use weft_engine::run::NodeRegistry;

/// What the operator allows nodes to reach on the host.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The one folder file-reading nodes may read (`None`: they refuse to touch the host).
    pub files_root: Option<PathBuf>,
    /// Outgoing HTTP requests: the SSRF allowlist and circuit breaker settings.
    pub http: http::HttpSettings,
}

/// Every built-in node type, with nothing on the host reachable.
pub fn registry() -> NodeRegistry {
    registry_with(&Settings::default())
}

/// Every built-in node type, reaching the host only as `settings` allow.
pub fn registry_with(settings: &Settings) -> NodeRegistry {
    let mut r = NodeRegistry::new();
    r.register(Arc::new(triggers::ManualTrigger))
        .register(Arc::new(triggers::Start))
        .register(Arc::new(triggers::Webhook))
        .register(Arc::new(triggers::ScheduleTrigger))
        .register(Arc::new(triggers::ExecuteWorkflowTrigger))
        .register(Arc::new(triggers::ErrorTrigger))
        .register(Arc::new(sticky_note::StickyNote))
        .register(Arc::new(no_op::NoOp))
        .register(Arc::new(stop_and_error::StopAndError))
        .register(Arc::new(set::Set))
        .register(Arc::new(code::Code))
        .register(Arc::new(code::Function))
        .register(Arc::new(code::FunctionItem))
        .register(Arc::new(if_filter::If))
        .register(Arc::new(if_filter::Filter))
        .register(Arc::new(switch::Switch))
        .register(Arc::new(merge::Merge))
        .register(Arc::new(limit::Limit))
        .register(Arc::new(wait::Wait))
        .register(Arc::new(respond_to_webhook::RespondToWebhook))
        .register(Arc::new(compare_datasets::CompareDatasets))
        .register(Arc::new(debug_helper::DebugHelper))
        .register(Arc::new(split_in_batches::SplitInBatches))
        .register(Arc::new(item_lists::ItemLists))
        .register(Arc::new(transform::Summarize))
        .register(Arc::new(date_time::DateTime))
        .register(Arc::new(transform::Sort))
        .register(Arc::new(transform::RemoveDuplicates))
        .register(Arc::new(transform::RenameKeys))
        .register(Arc::new(transform::SplitOut))
        .register(Arc::new(transform::Aggregate))
        .register(Arc::new(execution_data::ExecutionData))
        .register(Arc::new(training::CustomerDatastore))
        .register(Arc::new(training::CustomerMessenger))
        .register(Arc::new(crypto::Crypto))
        .register(Arc::new(xml::Xml))
        .register(Arc::new(html::Html))
        .register(Arc::new(html::HtmlExtract))
        .register(Arc::new(markdown::Markdown))
        .register(Arc::new(files::ConvertToFile))
        .register(Arc::new(files::ExtractFromFile))
        .register(Arc::new(files::ICalendar))
        .register(Arc::new(files::MoveBinaryData))
        .register(Arc::new(files::SpreadsheetFile))
        .register(Arc::new(execute_workflow::ExecuteWorkflow))
        .register(Arc::new(http::HttpRequest::new(&settings.http)))
        .register(Arc::new(disk::ReadBinaryFiles {
            root: settings.files_root.clone(),
        }))
        .register(Arc::new(disk::ReadBinaryFile {
            root: settings.files_root.clone(),
        }))
        .register(Arc::new(disk::WriteBinaryFile {
            root: settings.files_root.clone(),
        }))
        .register(Arc::new(disk::ReadWriteFile {
            root: settings.files_root.clone(),
        }));
    r
}
