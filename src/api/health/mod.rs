//! Health probes: liveness (the process answers) and readiness (its dependencies answer).

mod liveness;
mod readiness;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(liveness::liveness)
        .service(readiness::readiness);
}
