#!/usr/bin/env python3
"""Records how an n8n-compatible public API treats sub-workflows that are not active.

Usage: record-sub-workflow-publishing.py BASE_URL API_KEY > sub-workflow-publishing.json

A workflow whose only trigger is an Execute Workflow Trigger is activated; a workflow whose only
trigger is a Manual Trigger is not; a webhook workflow calling the first (by id) is activated and
called; one calling an inactive copy is activated (refused); then the called workflow is
deactivated and the webhook called again.
"""
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]
spec = __import__("importlib.util").util.spec_from_file_location(
    "ew", os.path.join(os.path.dirname(os.path.abspath(__file__)), "record-error-workflows.py"))
# The helpers of the error-workflow recorder (it records nothing when imported with no cases).
source = open(spec.origin).read().split("tag = uuid.uuid4()")[0]
exec(source)

tag = uuid.uuid4().hex[:6]
SUB_NODES = [
    node("When Executed by Another Workflow", "n8n-nodes-base.executeWorkflowTrigger",
         {"inputSource": "passthrough"}, 0, 1.1),
    node("Set", "n8n-nodes-base.set", {"assignments": {"assignments": [
        {"id": "a", "name": "sub", "value": "yes", "type": "string"}]}, "options": {}}, 200, 3.4),
]
SUB_LINKS = {"When Executed by Another Workflow": link("Set")}


def caller(path, sub_id):
    h = node("Webhook", "n8n-nodes-base.webhook",
             {"path": path, "httpMethod": "POST", "responseMode": "lastNode", "options": {}}, 0, 2)
    h["webhookId"] = str(uuid.uuid4())
    call = node("Call", "n8n-nodes-base.executeWorkflow",
                {"source": "database", "workflowId": {"__rl": True, "value": sub_id, "mode": "id"},
                 "options": {}}, 200, 1.2)
    return [h, call]


def answer(st, res):
    keep = {k: res[k] for k in ("message",) if isinstance(res, dict) and k in res}
    return {"status": st, **keep}


out = {}
sub = create(f"sub {tag}", SUB_NODES, SUB_LINKS, {})
out["activateSubWorkflowTriggerOnly"] = answer(*http("POST", f"/workflows/{sub}/activate"))
manual = create(f"manual {tag}", [node("Manual", "n8n-nodes-base.manualTrigger", {})], {}, {})
out["activateManualTriggerOnly"] = answer(*http("POST", f"/workflows/{manual}/activate"))
inactive = create(f"inactive sub {tag}", SUB_NODES, SUB_LINKS, {})
refused = create(f"caller of inactive {tag}", caller(f"inactive-{tag}", inactive),
                 {"Webhook": link("Call")}, {})
st, res = http("POST", f"/workflows/{refused}/activate")
out["activateCallerOfInactive"] = {
    "status": st,
    "message": res["message"].replace(inactive, "{id}").replace(f"inactive sub {tag}", "{name}")}
path = f"active-{tag}"
good = create(f"caller {tag}", caller(path, sub), {"Webhook": link("Call")}, {})
out["activateCallerOfActive"] = answer(*http("POST", f"/workflows/{good}/activate"))
time.sleep(1)
st, body = http("POST", f"/webhook/{path}", {"x": 1}, api=False)
out["callWhileActive"] = {"status": st, "body": body}
out["deactivateCalledWorkflow"] = answer(*http("POST", f"/workflows/{sub}/deactivate"))
st, body = http("POST", f"/webhook/{path}", {"x": 1}, api=False)
time.sleep(2)
e = executions(good)[0]
result = e["data"]["resultData"]
out["callWhileInactive"] = {"status": st, "body": body, "executionStatus": e["status"],
                            "lastNodeExecuted": result.get("lastNodeExecuted"),
                            "error": (result.get("error") or {}).get("message")}
print(json.dumps(out, indent=1))
