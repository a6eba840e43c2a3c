"""The raw-SQLite peer of Gongzhi's intake benchmarks: Python's sqlite3 writing the same rows
with the same statements and indexes that the product's intake writes, on a copy of a real
Gongzhi database (so the schema, every index and the triggers are the product's own), in WAL
mode with synchronous=FULL, BATCH reports per transaction. No HTTP, no JSON, no validation, no
hashing in Swift: the ceiling the product's figures are compared with.

Usage: python3 sqlite_peer.py DB_COPY opened|joined N [BATCH]
  opened: every report opens a case: INSERT cases, its opening event (SHA-256 chained), the
          report row, then the projection UPDATE; a retry check (SELECT on reports) first.
  joined: every detection joins the open case of its camera and category: the retry check,
          the open-case SELECT, INSERT the report row, UPDATE the case's tally and its
          detection counter (as between two summary events).
"""
import hashlib, json, random, sqlite3, sys, time

path, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 500
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
now = int(time.time() * 1000)
GENESIS = "0" * 64

def open_case(i):
    ext = f"peer-{i}"
    db.execute("SELECT * FROM reports WHERE source = ? AND external_id = ?", ("grid_worker", ext)).fetchone()
    report = {"area": {"district": "330105", "grid": "330105008000172", "street": "330105008", "version": 3}, "category": "06010",
              "description": "网格员巡查发现暴露垃圾", "external_id": ext, "location": {"lat": 30.3192, "lon": 120.1414},
              "media_urls": [], "source": "grid_worker"}
    code = "GS-%04X-%04X-%04X" % (random.getrandbits(16), random.getrandbits(16), random.getrandbits(16))
    cur = db.execute("""INSERT INTO cases (tracking_code, status, source, category, description, lat, lon, address, external_id, media_urls,
        district_code, street_code, grid_code, area_version, created_at, updated_at, event_count, last_hash, report_sources, last_report_at)
        VALUES (?, 'reported', 'grid_worker', '06010', ?, 30.3192, 120.1414, '拱墅区湖墅南路', ?, '[]', '330105', '330105008',
        '330105008000172', 3, ?, ?, 0, ?, '{"grid_worker":1}', ?)""", (code, report["description"], ext, now, now, GENESIS, now))
    cid = cur.lastrowid
    payload = json.dumps({"report": report, "tracking_code": code}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = f"gongzhi-event-v1\n{cid}\n0\nreport\nkey:bench\n330105\n{now}\n\nreported\n{payload}\n{GENESIS}"
    h = hashlib.sha256(text.encode()).hexdigest()
    db.execute("INSERT INTO case_events (case_id, seq, action, actor, actor_unit, at, from_status, to_status, payload, prev_hash, hash) "
               "VALUES (?, 0, 'report', 'key:bench', '330105', ?, NULL, 'reported', ?, ?, ?)", (cid, now, payload, GENESIS, h))
    db.execute("UPDATE cases SET status = 'reported', event_count = 1, last_hash = ?, updated_at = ? WHERE id = ?", (h, now, cid))
    db.execute("""INSERT INTO reports (case_id, original_case_id, source, external_id, category, outcome, received_at, lat, lon, address,
        description, media_urls) VALUES (?, ?, 'grid_worker', ?, '06010', 'opened', ?, 30.3192, 120.1414, '拱墅区湖墅南路', ?, '[]')""",
        (cid, cid, ext, now, report["description"]))

def join(i, cameras):
    camera, category = cameras[i % len(cameras)]
    ext = f"{camera}/peer-{i}"
    db.execute("SELECT * FROM reports WHERE source = 'camera' AND external_id = ?", (ext,)).fetchone()
    row = db.execute("""SELECT id, report_sources FROM cases WHERE camera_id = ? AND category = ?
        AND status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified') ORDER BY id DESC LIMIT 1""",
        (camera, category)).fetchone()
    cid, tally = row
    db.execute("""INSERT INTO reports (case_id, original_case_id, source, external_id, camera_id, category, state, outcome, received_at,
        observed_at, confidence, lat, lon, address, description, media_urls) VALUES (?, ?, 'camera', ?, ?, ?, 'present', 'joined', ?, ?, 0.95,
        30.342135, 120.142877, '视频点位', 'AI视频识别', '[]')""", (cid, cid, ext, camera, category, now, now))
    counts = json.loads(tally)
    counts["camera"] = counts.get("camera", 0) + 1
    db.execute("UPDATE cases SET report_sources = ?, last_report_at = ? WHERE id = ?", (json.dumps(counts, sort_keys=True), now, cid))
    db.execute("UPDATE cases SET pending_detections = pending_detections + 1, pending_first_at = COALESCE(pending_first_at, ?) WHERE id = ?", (now, cid))

cameras = []
if mode == "joined":
    cameras = db.execute("""SELECT camera_id, category FROM cases WHERE camera_id IS NOT NULL
        AND status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified') GROUP BY camera_id, category""").fetchall()
    assert cameras, "the database needs open camera cases"
start = time.perf_counter()
for first in range(0, n, batch):
    db.execute("BEGIN")
    for i in range(first, min(n, first + batch)):
        open_case(i) if mode == "opened" else join(i, cameras)
    db.execute("COMMIT")
elapsed = time.perf_counter() - start
print(f"sqlite peer {mode}: {n} reports in {elapsed:.2f} s = {n / elapsed:.0f} reports/s ({batch} per transaction, WAL, synchronous=FULL)")
