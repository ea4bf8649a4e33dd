//! `/api/v1/queue`: where executions wait and who runs them, for operators and autoscalers.

mod status;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(status::queue_status);
}
