//! `/api/v1/workflows`: CRUD, activation and tags, in n8n's public API shape.

mod activation;
mod create;
mod delete;
mod dto;
mod get;
mod list;
mod run;
mod share;
mod tags;
mod test_webhook;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create::create_workflow)
        .service(list::list_workflows)
        .service(get::get_workflow)
        .service(update::update_workflow)
        .service(delete::delete_workflow)
        .service(activation::activate_workflow)
        .service(activation::deactivate_workflow)
        .service(activation::publish_workflow)
        .service(activation::unpublish_workflow)
        .service(run::run_workflow)
        .service(test_webhook::test_webhook)
        .service(share::get_workflow_shares)
        .service(share::share_workflow)
        .service(tags::get_workflow_tags)
        .service(tags::update_workflow_tags);
}
