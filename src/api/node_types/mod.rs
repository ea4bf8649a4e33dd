//! `/api/v1/node-types`: the node types (and versions) this server runs.

mod list;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list::list_node_types);
}
