#!/usr/bin/env python3
"""Records what an n8n-compatible public API does with error workflows.

Usage: record_error_workflows.py BASE_URL API_KEY > error-workflows.recorded.json

Three cases, each made of workflows created through /api/v1 and a production webhook call:
  settings   a webhook workflow whose Code node throws names an error workflow in its settings
  own        a webhook workflow with its own Error Trigger and no setting
  loop       the error workflow fails too and names itself
For each: the failed execution (status, mode, lastNodeExecuted, error), and every execution of
the error workflow (status, mode, the Error Trigger's item), after waiting for them to settle.
"""
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]


def http(method, path, body=None, api=True):
    url = BASE + ("/api/v1" if api else "") + path
    data = json.dumps(body).encode() if body is not None else None
    headers = {"X-N8N-API-KEY": KEY, "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw.decode() or "null")
    except ValueError:
        return status, raw.decode(errors="replace")


def ok(method, path, body=None):
    status, res = http(method, path, body)
    if status not in (200, 201):
        raise SystemExit(f"{method} {path}: {status} {res}")
    return res


SAVE = {"saveDataSuccessExecution": "all", "saveDataErrorExecution": "all",
        "saveManualExecutions": True, "executionOrder": "v1"}


def node(name, type_, params, x=0, version=1):
    return {"name": name, "type": type_, "typeVersion": version, "position": [x, 0],
            "parameters": params}


def link(to):
    return {"main": [[{"node": to, "type": "main", "index": 0}]]}


def create(name, nodes, connections, settings):
    return ok("POST", "/workflows", {"name": name, "nodes": nodes, "connections": connections,
                                     "settings": {**SAVE, **settings}})["id"]


def hook(path):
    n = node("Webhook", "n8n-nodes-base.webhook",
             {"path": path, "httpMethod": "POST", "responseMode": "onReceived", "options": {}},
             version=2)
    n["webhookId"] = str(uuid.uuid4())
    return n


def throws(name, message, x=200):
    return node(name, "n8n-nodes-base.code", {"jsCode": f"throw new Error('{message}');"}, x, 2)


def trigger():
    return node("Error Trigger", "n8n-nodes-base.errorTrigger", {})


def activate(wid):
    status, res = http("POST", f"/workflows/{wid}/activate")
    if status != 200:
        raise SystemExit(f"activate {wid}: {status} {res}")


def executions(wid):
    res = ok("GET", f"/executions?workflowId={wid}&includeData=true")
    return res["data"]


def settle(wids, seconds=8):
    """Waits until every execution of `wids` has finished and nothing new came for 2 s."""
    deadline = time.time() + seconds
    last, quiet = None, time.time()
    while time.time() < deadline:
        now = [(e["id"], e["status"]) for w in wids for e in executions(w)]
        if now != last:
            last, quiet = now, time.time()
        elif all(s not in ("new", "running") for _, s in now) and time.time() - quiet > 2:
            break
        time.sleep(0.25)


def summary(e):
    result = ((e.get("data") or {}).get("resultData") or {})
    run_data = result.get("runData") or {}
    item = None
    if "Error Trigger" in run_data:
        item = run_data["Error Trigger"][0]["data"]["main"][0][0]["json"]
    return {"id": e["id"], "status": e["status"], "mode": e["mode"],
            "lastNodeExecuted": result.get("lastNodeExecuted"),
            "error": result.get("error"), "errorTriggerItem": item,
            "nodesRun": sorted(run_data)}


def call(path):
    status, _ = http("POST", f"/webhook/{path}", {"x": 1}, api=False)
    return status


def case_settings(tag):
    handler = create(f"on error {tag}", [trigger()], {}, {})
    activate(handler)
    path = f"fails-{tag}"
    failing = create(f"orders {tag}", [hook(path), throws("Code", "boom")],
                     {"Webhook": link("Code")}, {"errorWorkflow": handler})
    activate(failing)
    time.sleep(1)
    status = call(path)
    settle([failing, handler])
    return {"webhookStatus": status, "workflowName": f"orders {tag}",
            "failed": [summary(e) for e in executions(failing)],
            "errorWorkflow": [summary(e) for e in executions(handler)],
            "ids": {"failing": failing, "handler": handler}}


def case_inactive(tag):
    """The error workflow exists but is not active."""
    handler = create(f"inactive handler {tag}", [trigger()], {}, {})
    path = f"inactive-{tag}"
    failing = create(f"inactive source {tag}", [hook(path), throws("Code", "boom")],
                     {"Webhook": link("Code")}, {"errorWorkflow": handler})
    activate(failing)
    time.sleep(1)
    status = call(path)
    settle([failing, handler])
    return {"webhookStatus": status,
            "failed": [summary(e) for e in executions(failing)],
            "errorWorkflow": [summary(e) for e in executions(handler)],
            "ids": {"failing": failing, "handler": handler}}


def busy(name, ms, x=200):
    js = f"const end = Date.now() + {ms}; while (Date.now() < end) {{}} return $input.all();"
    return node(name, "n8n-nodes-base.code", {"jsCode": js}, x, 2)


def case_timeout(tag):
    """The failing workflow runs past its executionTimeout (1 s)."""
    handler = create(f"timeout handler {tag}", [trigger()], {}, {})
    activate(handler)
    path = f"timeout-{tag}"
    slow = create(f"slow {tag}", [hook(path), busy("Busy", 1500), busy("Busy 2", 1500, 400)],
                  {"Webhook": link("Busy"), "Busy": link("Busy 2")},
                  {"errorWorkflow": handler, "executionTimeout": 1})
    activate(slow)
    time.sleep(1)
    status = call(path)
    time.sleep(4)
    settle([slow, handler], seconds=12)
    return {"webhookStatus": status,
            "failed": [summary(e) for e in executions(slow)],
            "errorWorkflow": [summary(e) for e in executions(handler)],
            "ids": {"failing": slow, "handler": handler}}


def case_stopped(tag):
    """The failing workflow is stopped through the API while it runs."""
    handler = create(f"stop handler {tag}", [trigger()], {}, {})
    activate(handler)
    path = f"stopped-{tag}"
    slow = create(f"stopped {tag}", [hook(path), busy("Busy", 1500), busy("Busy 2", 1500, 400)],
                  {"Webhook": link("Busy"), "Busy": link("Busy 2")}, {"errorWorkflow": handler})
    activate(slow)
    time.sleep(1)
    status = call(path)
    time.sleep(0.7)
    running = ok("GET", f"/executions?workflowId={slow}&status=running")["data"]
    stop = http("POST", f"/executions/{running[0]['id']}/stop") if running else None
    time.sleep(4)
    settle([slow, handler], seconds=12)
    return {"webhookStatus": status, "stopStatus": stop and stop[0],
            "failed": [summary(e) for e in executions(slow)],
            "errorWorkflow": [summary(e) for e in executions(handler)],
            "ids": {"failing": slow, "handler": handler}}


def case_own(tag):
    path = f"own-{tag}"
    wid = create(f"own {tag}", [hook(path), throws("Code", "boom"), trigger()],
                 {"Webhook": link("Code")}, {})
    activate(wid)
    time.sleep(1)
    status = call(path)
    settle([wid])
    return {"webhookStatus": status, "workflowName": f"own {tag}",
            "executions": [summary(e) for e in executions(wid)], "ids": {"workflow": wid}}


def case_loop(tag):
    handler = create(f"failing handler {tag}", [trigger(), throws("Handle", "handler broke")],
                     {"Error Trigger": link("Handle")}, {})
    ok("PUT", f"/workflows/{handler}", {
        "name": f"failing handler {tag}",
        "nodes": [trigger(), throws("Handle", "handler broke")],
        "connections": {"Error Trigger": link("Handle")},
        "settings": {**SAVE, "errorWorkflow": handler}})
    activate(handler)
    path = f"loop-{tag}"
    failing = create(f"loop source {tag}", [hook(path), throws("Code", "boom")],
                     {"Webhook": link("Code")}, {"errorWorkflow": handler})
    activate(failing)
    time.sleep(1)
    status = call(path)
    settle([failing, handler], seconds=12)
    return {"webhookStatus": status,
            "failed": [summary(e) for e in executions(failing)],
            "errorWorkflow": [summary(e) for e in executions(handler)],
            "ids": {"failing": failing, "handler": handler}}


tag = uuid.uuid4().hex[:6]
if sys.argv[3:] == ["stopped"]:
    print(json.dumps(case_stopped(tag), indent=2))
    sys.exit(0)
print(json.dumps({"settings": case_settings(tag), "own": case_own(tag),
                  "inactive": case_inactive(tag),
                  "timeout": case_timeout(tag), "stopped": case_stopped(tag),
                  "loop": case_loop(tag)}, indent=2))
