"""Drives the Open311 endpoint with the `georeport` client, as an integrator would.
Usage: python open311_client.py BASE_URL MACHINE_KEY DISPATCHER_KEY"""
import json, sys, urllib.request
import requests, xmltodict
from georeport import GeoReport

base, machine, dispatcher = sys.argv[1], sys.argv[2], sys.argv[3]
root = base + "/open311/v2/"
passed = failed = 0

def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("open311-client: FAILED:", what)

def as_list(x):
    return x if isinstance(x, list) else [x]

ids = {}
for fmt in ("json", "xml"):
    client = GeoReport(root, jurisdiction="330105", api_key=machine, output_format=fmt)
    services = as_list(client.get_service_list())
    codes = {s["service_code"] for s in services}
    check(f"{fmt}: services lists 01002 and the free-text service", {"01002", "00000"} <= codes)
    check(f"{fmt}: every service has the spec's fields",
          all(set(s) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} for s in services))
    definition = client.get_service_definition("01002")
    attributes = as_list(definition["attributes"]["attribute"] if fmt == "xml" else definition["attributes"])
    check(f"{fmt}: the definition of 01002 asks for cover_state", attributes[0]["code"] == "cover_state")
    # georeport cannot file a request: a plain form POST, as FixMyStreet sends it.
    r = requests.post(f"{client.root_address}/requests.{fmt}", data={
        "api_key": machine, "jurisdiction_id": "330105", "service_code": "01002", "lat": "30.3192" if fmt == "json" else "30.3310", "long": "120.1414",
        "description": f"大关路口下水道井盖没了（{fmt}）", "attribute[cover_state]": "missing",
        "first_name": "芳", "last_name": "王", "email": "wang.fang@example.cn"})
    check(f"{fmt}: POST requests is 201", r.status_code == 201)
    created = r.json()[0] if fmt == "json" else xmltodict.parse(r.content)["service_requests"]["request"]
    rid = str(created["service_request_id"])
    ids[fmt] = rid
    check(f"{fmt}: the notice gives a tracking code", "查询码" in created["service_notice"])
    one = client.get_service_request(rid)
    check(f"{fmt}: the request by id is open", str(one["service_request_id"]) == rid and one["status"] == "open")
    check(f"{fmt}: the public never sees the reporter", "王" not in json.dumps(one, ensure_ascii=False))
    listed = as_list(client.get_service_requests(service_request_id=rid))
    check(f"{fmt}: requests filtered by id finds it", [str(x["service_request_id"]) for x in listed] == [rid])
    open_now = as_list(client.get_service_requests(status="open", service_code="01002"))
    check(f"{fmt}: requests filtered by status and service finds it", rid in {str(x["service_request_id"]) for x in open_now})
    bad = requests.get(f"{client.root_address}/requests/999999.{fmt}")
    check(f"{fmt}: an unknown id is 404 with the spec's error", bad.status_code == 404 and
          ("<errors><error><code>404</code>" in bad.text if fmt == "xml" else bad.json()[0]["code"] == 404))

# Follow the status: the dispatcher registers the case; the update feed shows it.
rid = ids["json"]
req = urllib.request.Request(f"{base}/api/v1/cases/{rid}/register", data=b"{}", method="POST",
                             headers={"Authorization": "Bearer " + dispatcher, "Content-Type": "application/json"})
urllib.request.urlopen(req).read()
updates = requests.get(root + "servicerequestupdates.json").json()
mine = [u for u in updates if str(u["service_request_id"]) == rid]
check("updates: the registration is in the feed", any(u["external_status_code"] == "registered" for u in mine))
print(f"open311-client: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
