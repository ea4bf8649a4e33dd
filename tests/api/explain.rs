//! Every list query is served by an index in the right order: EXPLAIN over 50,000+ rows on Postgres.

use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};
use serde_json::Value;
use weft::store::executions::{ExecutionFilter, list_query as executions_query};
use weft::store::tags::list_query as tags_query;
use weft::store::workflows::{WorkflowFilter, list_query as workflows_query};
use weft::store::{Cursor, PageRequest};

use crate::helpers::{Backend, TestApp};

const ROWS: i64 = 60_000;

async fn exec(app: &TestApp, sql: &str) {
    app.db
        .writer()
        .execute_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn seed(app: &TestApp) {
    exec(app, &format!(
        "INSERT INTO workflows (id, name, active, nodes, connections, settings, version_id, trigger_count, created_at, updated_at)
         SELECT gen_random_uuid(), 'wf ' || g, g % 10 = 0, '[]', '{{}}', '{{}}', gen_random_uuid(), 0,
                now() - g * interval '1 second', now() - g * interval '1 second'
         FROM generate_series(1, {ROWS}) g"
    ))
    .await;
    exec(app, &format!(
        "INSERT INTO tags (id, name, created_at, updated_at)
         SELECT gen_random_uuid(), 'tag ' || g, now() - g * interval '1 second', now() FROM generate_series(1, {ROWS}) g"
    ))
    .await;
    exec(app, &format!(
        "INSERT INTO executions (id, workflow_id, mode, status, started_at, attempts)
         SELECT gen_random_uuid(), w.id, 'trigger',
                (ARRAY['success','error','running','waiting','canceled'])[1 + (g % 5)],
                now() - g * interval '1 second', 0
         FROM generate_series(1, {ROWS}) g
         JOIN LATERAL (SELECT id FROM workflows ORDER BY id OFFSET (CASE WHEN g % 2 = 0 THEN 0 ELSE g % 500 END) LIMIT 1) w ON true"
    ))
    .await;
    exec(app, "ANALYZE").await;
}

async fn plan(app: &TestApp, stmt: Statement) -> Value {
    let sql = format!("EXPLAIN (FORMAT JSON) {}", stmt.sql);
    let explain = Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        stmt.values.unwrap_or_else(|| sea_orm::Values(Vec::new())),
    );
    let row = app
        .db
        .reader()
        .query_one_raw(explain)
        .await
        .unwrap()
        .unwrap();
    let plan: Value = row.try_get_by_index(0).unwrap();
    plan[0]["Plan"].clone()
}

fn nodes(plan: &Value, out: &mut Vec<(String, String)>) {
    out.push((
        plan["Node Type"].as_str().unwrap_or_default().to_owned(),
        plan["Index Name"].as_str().unwrap_or_default().to_owned(),
    ));
    for child in plan["Plans"].as_array().into_iter().flatten() {
        nodes(child, out);
    }
}

/// `indexes`: the ones that serve the query; the planner picks among them by selectivity.
fn assert_index_without_sort(name: &str, plan: &Value, indexes: &[&str]) {
    let mut all = Vec::new();
    nodes(plan, &mut all);
    assert!(
        !all.iter().any(|(t, _)| t.contains("Sort")),
        "{name}: the plan sorts: {plan:#}"
    );
    assert!(
        all.iter()
            .any(|(t, i)| t.starts_with("Index") && indexes.contains(&i.as_str())),
        "{name}: expected an index scan on one of {indexes:?}: {plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_query_uses_its_index_and_never_sorts_on_postgres() {
    let app = TestApp::spawn(Backend::Postgres).await;
    seed(&app).await;
    let first = PageRequest {
        limit: 100,
        after: None,
    };
    let cursor: (chrono::DateTime<chrono::Utc>, uuid::Uuid) = (
        chrono::Utc::now() - chrono::Duration::hours(3),
        uuid::Uuid::max(),
    );
    let after = PageRequest {
        limit: 100,
        after: Some(Cursor {
            at: cursor.0,
            id: cursor.1,
        }),
    };
    // Half the executions belong to one busy workflow: the case where a sort would hurt.
    let some_workflow: uuid::Uuid = {
        let row = app
            .db
            .reader()
            .query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT workflow_id FROM executions GROUP BY workflow_id ORDER BY COUNT(*) DESC LIMIT 1"))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    };

    let wf = |active: Option<bool>, name: Option<&str>| WorkflowFilter {
        visible_to: None,
        active,
        name: name.map(str::to_owned),
        tags: Vec::new(),
    };
    let workflow_cases = [
        (
            "workflows, first page",
            wf(None, None),
            first,
            &["idx_workflows_updated"][..],
        ),
        (
            "workflows, after a cursor",
            wf(None, None),
            after,
            &["idx_workflows_updated"],
        ),
        (
            "active workflows",
            wf(Some(true), None),
            first,
            &["idx_workflows_active_updated"],
        ),
        // 90 % of rows are inactive: scanning the plain index and filtering is as good.
        (
            "inactive workflows after a cursor",
            wf(Some(false), None),
            after,
            &["idx_workflows_active_updated", "idx_workflows_updated"],
        ),
        (
            "workflows by name",
            wf(None, Some("wf 1")),
            first,
            &["idx_workflows_updated"],
        ),
    ];
    for (name, filter, page, index) in workflow_cases {
        let stmt = workflows_query(&filter, &page).build(DbBackend::Postgres);
        assert_index_without_sort(name, &plan(&app, stmt).await, index);
    }

    let ex = |workflow_id: Option<uuid::Uuid>, status: Option<&str>| ExecutionFilter {
        visible_to: None,
        workflow_id,
        status: status.map(str::to_owned),
    };
    let execution_cases = [
        (
            "executions, first page",
            ex(None, None),
            first,
            &["idx_executions_started"][..],
        ),
        (
            "executions after a cursor",
            ex(None, None),
            after,
            &["idx_executions_started"],
        ),
        (
            "executions of a workflow",
            ex(Some(some_workflow), None),
            first,
            // Half the rows match: walking the time index and filtering is as good.
            &[
                "idx_executions_workflow_started",
                "idx_executions_workflow_status_started",
                "idx_executions_started",
            ],
        ),
        (
            "executions by status",
            ex(None, Some("error")),
            first,
            &["idx_executions_status_started"],
        ),
        (
            "executions by status after a cursor",
            ex(None, Some("error")),
            after,
            // With a fifth of the rows in that status, walking the time index and filtering is
            // as cheap, and Postgres picks either by a hair; neither sorts.
            &["idx_executions_status_started", "idx_executions_started"],
        ),
        (
            "executions of a workflow by status",
            ex(Some(some_workflow), Some("success")),
            first,
            &["idx_executions_workflow_status_started"],
        ),
    ];
    for (name, filter, page, index) in execution_cases {
        let stmt = executions_query(&filter, &page).build(DbBackend::Postgres);
        assert_index_without_sort(name, &plan(&app, stmt).await, index);
    }

    for (name, page) in [("tags, first page", first), ("tags after a cursor", after)] {
        let stmt = tags_query(&page).build(DbBackend::Postgres);
        assert_index_without_sort(name, &plan(&app, stmt).await, &["idx_tags_created"]);
    }
}
