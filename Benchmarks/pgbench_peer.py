#!/usr/bin/env python3
"""The PostgreSQL ceiling for Gongzhi's writes: pgbench scripts that insert rows like the ones
the product writes, into copies of its tables (same columns, types and indexes; no triggers),
on the same cluster.

  pgbench_peer.py PSQL_URL SCHEMA OUTDIR

writes OUTDIR/setup.sql (run once), OUTDIR/case.sql (one transaction: a case row, its opening
event and its report, as POST /api/v1/reports writes) and OUTDIR/detections.sql (one transaction:
500 detection rows joining one case, as a batch of POST /api/v1/camera/events writes). The
template rows are an existing case, its first event and a camera report of SCHEMA. Run them
with PGOPTIONS="-c search_path=SCHEMA".
"""
import subprocess
import sys

url, schema, out = sys.argv[1], sys.argv[2], sys.argv[3]


def psql(sql):
    return subprocess.run(["psql", "-X", "-qAt", url, "-c", f"SET search_path = {schema}; {sql}"],
                          check=True, capture_output=True, text=True).stdout.strip()


def columns(table):
    return psql(f"SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                f"WHERE table_schema = '{schema}' AND table_name = '{table}'").split(",")


def select(table, overrides):
    cols = columns(table)
    return ", ".join(cols), ", ".join(overrides.get(c, c) for c in cols)


case_id = psql("SELECT min(id) FROM cases")
report_id = psql("SELECT min(id) FROM reports WHERE source = 'camera'") or psql("SELECT min(id) FROM reports")
with open(f"{out}/setup.sql", "w") as f:
    f.write(f"""SET search_path = {schema};
DROP TABLE IF EXISTS bench_cases, bench_events, bench_reports;
DROP SEQUENCE IF EXISTS bench_ids;
CREATE TABLE bench_cases (LIKE cases INCLUDING ALL);
CREATE TABLE bench_events (LIKE case_events INCLUDING ALL);
CREATE TABLE bench_reports (LIKE reports INCLUDING ALL);
CREATE SEQUENCE bench_ids START 1000000000;
""")
cc, cs = select("cases", {"id": ":nid", "tracking_code": "'B' || :nid", "external_id": "NULL"})
ec, es = select("case_events", {"case_id": ":nid"})
rc, rs = select("reports", {"id": ":nid", "case_id": ":nid", "original_case_id": ":nid", "external_id": "NULL"})
with open(f"{out}/case.sql", "w") as f:
    f.write(f"""SELECT nextval('bench_ids') AS nid \\gset
BEGIN;
INSERT INTO bench_cases ({cc}) SELECT {cs} FROM cases WHERE id = {case_id};
INSERT INTO bench_events ({ec}) SELECT {es} FROM case_events WHERE case_id = {case_id} AND seq = 1;
INSERT INTO bench_reports ({rc}) SELECT {rs} FROM reports WHERE id = {report_id};
COMMIT;
""")
dc, ds = select("reports", {"id": ":nid::bigint * 1000 + g", "external_id": "'e' || (:nid::bigint * 1000 + g)"})
with open(f"{out}/detections.sql", "w") as f:
    f.write(f"""SELECT nextval('bench_ids') AS nid \\gset
BEGIN;
INSERT INTO bench_reports ({dc}) SELECT {ds} FROM generate_series(1, 500) AS g, reports WHERE id = {report_id};
COMMIT;
""")
