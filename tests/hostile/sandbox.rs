//! Hostile JavaScript: native loops past the time limit, a cycle of connections, a runtime
//! that ran out of memory, globals leaking between Code nodes, internal stack frames.

use serde_json::{Value, json};

use crate::server::{Server, assert_node_error, code_node, manual};

#[tokio::test]
async fn built_ins_looping_over_huge_array_likes_end_at_the_time_limit_and_free_their_slot() {
    // Two execution slots: if a runaway kept its slot, the ordinary run after would never start.
    let mut server = Server::start(&[
        ("WEFT_EXECUTION_CONCURRENCY", "2"),
        ("WEFT_EXPRESSION_TIMEOUT_MS", "1000"),
    ])
    .await;
    for attack in [
        "Array.prototype.join.call({length: 2**53-1}, ''); return [];",
        "Array.prototype.reverse.call({length: 2**53-1}); return [];",
        "const a = []; a.length = 2**32-1; a.join(); return [];",
        "[].concat({length: 2**53-1, [Symbol.isConcatSpreadable]: true}); return [];",
    ] {
        let ex = server
            .run_new(&manual("runaway", code_node(attack)), None)
            .await;
        assert_eq!(ex["status"], "error", "{attack}: {ex}");
        assert_eq!(ex["data"]["resultData"]["error"]["node"]["name"], "Node");
    }
    server.assert_healthy().await;
}

#[tokio::test]
async fn a_cycle_of_connections_ends_at_the_node_run_limit() {
    let mut server = Server::start(&[("WEFT_MAX_NODE_RUNS", "500")]).await;
    let wf = json!({
        "name": "cycle",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Again", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0], "parameters": {}},
            {"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [400, 0],
             "parameters": {"jsCode": "return $input.all();"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Again", "type": "main", "index": 0}]]},
            "Again": {"main": [[{"node": "Code", "type": "main", "index": 0}]]},
            "Code": {"main": [[{"node": "Again", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    });
    let ex = server.run_new(&wf, None).await;
    assert_node_error(&ex, "the most one execution may run");
    server.assert_healthy().await;
}

#[tokio::test]
async fn after_the_sandbox_runs_out_of_memory_the_next_executions_run_normally() {
    let mut server = Server::start(&[
        ("WEFT_EXECUTION_CONCURRENCY", "1"),
        ("WEFT_EXPRESSION_MEMORY_MB", "16"),
        ("WEFT_EXPRESSION_TIMEOUT_MS", "5000"),
    ])
    .await;
    let bomb = code_node("const a = []; while (true) a.push('x'.repeat(1 << 16) + a.length);");
    let id = server.create(&manual("bomb", bomb)).await;
    for _ in 0..3 {
        let ex = server.run(&id, None).await;
        assert_node_error(&ex, "memory");
        server.assert_healthy().await;
    }
}

#[tokio::test]
async fn a_code_node_cannot_leave_globals_for_the_next_code_node() {
    let mut server = Server::start(&[]).await;
    let wf = json!({
        "name": "two code nodes",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "First", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"jsCode": "globalThis.secret = 'left behind'; Object.prototype.polluted = 1; return [{json: {}}];"}},
            {"name": "Second", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [400, 0],
             "parameters": {"jsCode": "return [{json: {secret: typeof secret, polluted: typeof ({}).polluted}}];"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "First", "type": "main", "index": 0}]]},
            "First": {"main": [[{"node": "Second", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    });
    let ex = server.run_new(&wf, None).await;
    assert_eq!(ex["status"], "success", "{ex}");
    assert_eq!(
        ex["data"]["resultData"]["runData"]["Second"][0]["data"]["main"][0][0]["json"],
        json!({"secret": "undefined", "polluted": "undefined"})
    );
    server.assert_healthy().await;
}

#[tokio::test]
async fn errors_and_stack_traces_show_no_internal_file_names() {
    let mut server = Server::start(&[]).await;
    let code = code_node(
        "function deeper() { return new Error('here').stack; }\nreturn [{json: {stack: deeper()}}];",
    );
    let ex = server.run_new(&manual("stack", code), None).await;
    let stack =
        ex["data"]["resultData"]["runData"]["Node"][0]["data"]["main"][0][0]["json"]["stack"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
    assert!(stack.contains("at deeper"), "{stack}");
    for internal in ["eval_script", "<weft>", "__runCode"] {
        assert!(!stack.contains(internal), "{stack}");
    }
    let thrown = server
        .run_new(&manual("thrown", code_node("null.boom;")), None)
        .await;
    let text: Value = thrown["data"]["resultData"]["error"].clone();
    assert!(!text.to_string().contains("eval_script"), "{text}");
    server.assert_healthy().await;
}

#[tokio::test]
async fn code_that_catches_its_own_out_of_memory_error_does_not_poison_later_executions() {
    let mut server = Server::start(&[
        ("WEFT_EXECUTION_CONCURRENCY", "1"),
        ("WEFT_EXPRESSION_MEMORY_MB", "16"),
        ("WEFT_EXPRESSION_TIMEOUT_MS", "5000"),
    ])
    .await;
    let sly = code_node(
        "let a = []; try { while (true) a.push('x'.repeat(1 << 16) + a.length); } catch (e) { a = null; }\n\
         $getWorkflowStaticData('global').after = 1;\n\
         return [{json: {survived: true}}];",
    );
    let id = server.create(&manual("sly", sly)).await;
    for _ in 0..4 {
        let ex = server.run(&id, None).await;
        assert!(
            ex["status"] == "success" || crate::server::error_of(&ex).contains("memory"),
            "{ex}"
        );
        server.assert_healthy().await;
    }
}
