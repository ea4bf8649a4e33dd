#!/usr/bin/env python3
"""Records how an n8n-compatible public API retries a failed execution.

Usage: record-retries.py BASE_URL API_KEY > retries.json

A webhook workflow (Webhook -> Stamp -> Gate, Gate throws) is called once; Gate is then fixed in
the saved workflow; the failed execution is retried as it was (fails again) and with
`loadWorkflow` (succeeds). For each retry: status, mode, retryOf, which nodes kept the failed
run's data (same start time), how often Gate ran, and Gate's output.
"""
import json
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]
exec(open(os.path.join(HERE, "record-error-workflows.py")).read().split("tag = uuid.uuid4()")[0])


def code(name, js, x):
    return node(name, "n8n-nodes-base.code", {"jsCode": js}, x, 2)


STAMP = "return $input.all().map(i => ({json: {...i.json, stamped: Date.now()}}));"
tag = uuid.uuid4().hex[:6]
path = f"gated-{tag}"
h = hook(path)
nodes = [h, code("Stamp", STAMP, 200), code("Gate", "throw new Error('closed');", 400)]
links = {"Webhook": link("Stamp"), "Stamp": link("Gate")}
wid = create(f"gated {tag}", nodes, links, {})
activate(wid)
time.sleep(1)
http("POST", f"/webhook/{path}", {"order": 7}, api=False)
time.sleep(2)
failed = executions(wid)[0]
fixed = [h, code("Stamp", STAMP, 200),
         code("Gate", "return $input.all().map(i => ({json: {...i.json, fixed: true}}));", 400)]
ok("PUT", f"/workflows/{wid}", {"name": f"gated {tag}", "nodes": fixed, "connections": links,
                                "settings": SAVE})


def runs(e):
    return e["data"]["resultData"]["runData"]


def retry(body):
    st, res = http("POST", f"/executions/{failed['id']}/retry", body)
    time.sleep(2)
    e = ok("GET", f"/executions/{res['id']}?includeData=true")
    r = runs(e)
    gate = r.get("Gate", [])
    out = ((gate[-1].get("data") or {}).get("main") or [[]])[0] if gate else []
    return {"httpStatus": st, "status": e["status"], "mode": e["mode"],
            "retryOfIsTheFailed": e.get("retryOf") == failed["id"],
            "keptFromTheFailedRun": sorted(n for n in r if n in runs(failed) and
                                           r[n][0]["startTime"] == runs(failed)[n][0]["startTime"]),
            "gateRuns": len(gate), "gateOutput": [i["json"].get("fixed") for i in out],
            "gateSawBody": [i["json"].get("body") for i in out],
            "error": (e["data"]["resultData"].get("error") or {}).get("message")}


print(json.dumps({"failed": {"status": failed["status"],
                             "lastNodeExecuted": runs and failed["data"]["resultData"]["lastNodeExecuted"]},
                  "asThen": retry({}), "asSavedNow": retry({"loadWorkflow": True})}, indent=1))
