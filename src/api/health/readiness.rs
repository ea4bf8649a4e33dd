//! `GET /healthz/readiness`: the database answers, and Redis too when one is configured.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` when every dependency is up, else `unavailable`.
    #[schema(example = "ok")]
    status: &'static str,
    checks: Checks,
}

#[derive(Serialize, ToSchema)]
pub struct Checks {
    database: DependencyState,
    redis: DependencyState,
}

#[derive(Serialize, ToSchema)]
pub struct DependencyState {
    /// `up`, `down`, or `disabled` (not configured).
    #[schema(example = "up")]
    status: &'static str,
    /// Why it is down (no addresses or credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl DependencyState {
    fn from_result(r: Result<(), String>) -> Self {
        match r {
            Ok(()) => Self {
                status: "up",
                error: None,
            },
            Err(e) => Self {
                status: "down",
                error: Some(e),
            },
        }
    }
}

async fn check_database(state: &AppState) -> Result<(), String> {
    match tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database check failed");
            Err("the database did not answer a ping".into())
        }
        Err(_) => Err(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
    }
}

async fn check_redis(client: &redis::Client) -> Result<(), String> {
    let ping = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(CHECK_TIMEOUT, ping).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: redis check failed");
            Err("Redis did not answer PING".into())
        }
        Err(_) => Err(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
    }
}

/// Readiness probe
///
/// Checks that the database answers, and Redis when `REDIS_URL` is set. 200 when all are up,
/// 503 otherwise; the body names each dependency's state either way.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Every dependency is up", body = Readiness),
        (status = 503, description = "A dependency is down", body = Readiness),
    )
)]
#[get("/healthz/readiness")]
pub async fn readiness(state: web::Data<AppState>) -> HttpResponse {
    let database = DependencyState::from_result(check_database(&state).await);
    let redis = match &state.redis {
        None => DependencyState {
            status: "disabled",
            error: None,
        },
        Some(bus) => DependencyState::from_result(check_redis(bus.client()).await),
    };
    let ready = database.status == "up" && redis.status != "down";
    let body = Readiness {
        status: if ready { "ok" } else { "unavailable" },
        checks: Checks { database, redis },
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
