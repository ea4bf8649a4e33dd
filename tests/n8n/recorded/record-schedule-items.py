#!/usr/bin/env python3
"""Records the items n8n's schedule triggers emit, through an n8n-compatible public API.

Usage: record_schedule_items.py BASE_URL API_KEY > schedule-items.recorded.json

Activates, for about four seconds each, workflows with a 1-second Schedule Trigger (each version,
in two zones) and a 1-second Interval node, then reads back the trigger's item of every execution.
"""
import json
import sys
import time
import urllib.error
import urllib.request

BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]


def http(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"X-N8N-API-KEY": KEY, "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + "/api/v1" + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    if status not in (200, 201):
        raise SystemExit(f"{method} {path}: {status} {raw[:300]}")
    return json.loads(raw.decode() or "null")


SAVE = {"saveDataSuccessExecution": "all", "saveDataErrorExecution": "all", "executionOrder": "v1"}


def schedule(version):
    return {"name": "Schedule Trigger", "type": "n8n-nodes-base.scheduleTrigger",
            "typeVersion": version, "position": [0, 0],
            "parameters": {"rule": {"interval": [{"field": "seconds", "secondsInterval": 1}]}}}


def interval():
    return {"name": "Interval", "type": "n8n-nodes-base.interval", "typeVersion": 1,
            "position": [0, 0], "parameters": {"interval": 1, "unit": "seconds"}}


def record(name, trigger, timezone):
    settings = dict(SAVE)
    if timezone:
        settings["timezone"] = timezone
    wid = http("POST", "/workflows", {"name": name, "nodes": [trigger], "connections": {},
                                      "settings": settings})["id"]
    http("POST", f"/workflows/{wid}/activate")
    time.sleep(4.2)
    http("POST", f"/workflows/{wid}/deactivate")
    time.sleep(1.5)
    items = []
    for e in http("GET", f"/executions?workflowId={wid}&includeData=true")["data"]:
        run = e["data"]["resultData"]["runData"][trigger["name"]][0]
        items.extend(i["json"] for i in run["data"]["main"][0])
        assert e["mode"] == "trigger", e["mode"]
    http("DELETE", f"/workflows/{wid}")
    return {"node": trigger, "timezone": timezone, "items": items}


cases = []
for version in (1, 1.1, 1.2, 1.3, 1.4):
    for zone in ("Europe/Berlin", "America/New_York"):
        cases.append(record(f"schedule v{version} {zone}", schedule(version), zone))
cases.append(record("interval", interval(), "Europe/Berlin"))
print(json.dumps(cases, indent=2))
