//! `/api/v1/executions`: list, read, delete, retry and stop executions, in n8n's shape.

mod delete;
mod dto;
mod get;
mod list;
mod retry;
mod stop;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{ExecutionResponse, respond_to_run};

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list::list_executions)
        .service(get::get_execution)
        .service(delete::delete_execution)
        .service(retry::retry_execution)
        .service(stop::stop_execution);
}
