"""The soak: a serving gongzhi under a steady mixed load for a long time, sampled every window.

Workers (threads, keep-alive connections) file reports from every channel the API takes, move
cases round the loop (register, dispatch, handle, verify, close) and read lists and cases. Each
window prints the server's resident memory (VmRSS from /proc), the requests of the window,
their p50 and p99, and the errors. At the end: RSS growth from the first window after warm-up
to the last, which must stay within 5 %, and p99 over time.

Usage: python3 scripts/soak.py BASE_URL API_KEY SERVER_PID [SECONDS] [WINDOW] [WORKERS]
"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

base, key, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 1800
window = float(sys.argv[5]) if len(sys.argv) > 5 else 60
workers = int(sys.argv[6]) if len(sys.argv) > 6 else 8
host = urllib.parse.urlparse(base)
lock = threading.Lock()
samples, errors = [], [0]
stop = threading.Event()
STREETS = [(30.3192, 120.1414), (30.2905, 120.1580), (30.3421, 120.1428), (30.2914, 120.1463), (30.3300, 120.1500)]
SOURCES = ["resident", "hotline", "grid_worker", "camera", "petition"]
CATEGORIES = ["06010", "01002", "09005", "06013", "01037"]


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)

    def call(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + key}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            payload = r.read()
            status = r.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
            status, payload = 0, b""
        elapsed = time.perf_counter() - started
        with lock:
            samples.append(elapsed)
            if status == 0 or status >= 500:
                errors[0] += 1
        return status, payload


def worker(n):
    c = Client()
    rng = random.Random(n)
    mine = []
    i = 0
    while not stop.is_set():
        i += 1
        op = rng.random()
        if op < 0.35:
            lat, lon = rng.choice(STREETS)
            body = {"source": rng.choice(SOURCES), "category": rng.choice(CATEGORIES), "description": f"soak {n}-{i} 巡查发现问题",
                    "location": {"lat": lat + rng.uniform(-0.004, 0.004), "lon": lon + rng.uniform(-0.004, 0.004)},
                    "reporter": {"name": "测试", "phone": "13800000000"}, "external_id": f"soak-{n}-{i}"}
            status, payload = c.call("POST", "/api/v1/reports", body)
            if status == 201:
                mine.append(json.loads(payload)["id"])
        elif op < 0.6 and mine:
            case = mine.pop(0)
            for action, body in [("register", None), ("handle", {"note": "已处置"}), ("verify", {"passed": True}), ("close", None)]:
                c.call("POST", f"/api/v1/cases/{case}/{action}", body)
        elif op < 0.85:
            status = rng.choice(["", "&status=dispatched", "&overdue=true", "&sort=time_left&status=dispatched"])
            c.call("GET", f"/api/v1/cases?limit=50{status}")
        else:
            c.call("GET", f"/api/v1/cases/{rng.randint(1, 3000)}")


threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(workers)]
for t in threads:
    t.start()
rows = []
start = time.time()
print(f"soak: {workers} workers, {seconds:.0f} s, windows of {window:.0f} s, server pid {pid}")
print(f"{'minute':>7} {'rss MiB':>8} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
while time.time() - start < seconds:
    time.sleep(window)
    with lock:
        got, samples[:] = sorted(samples), []
        errs, errors[0] = errors[0], 0
    p = (lambda q: got[min(len(got) - 1, int(q * len(got)))] * 1000 if got else 0)
    row = ((time.time() - start) / 60, rss_kib() / 1024, len(got), len(got) / window, p(0.5), p(0.99), errs)
    rows.append(row)
    print(f"{row[0]:7.1f} {row[1]:8.1f} {row[2]:9d} {row[3]:7.0f} {row[4]:7.1f} {row[5]:7.1f} {row[6]:6d}", flush=True)
stop.set()
# Warm-up: caches, the case-item cache's generations and the allocator settle in the first windows.
settled = rows[min(2, len(rows) - 1)]
growth = (rows[-1][1] - settled[1]) / settled[1] * 100 if settled[1] else 0
print(f"soak: RSS {settled[1]:.1f} MiB after warm-up (minute {settled[0]:.1f}) → {rows[-1][1]:.1f} MiB at the end: {growth:+.1f} %; "
      f"p99 first {rows[0][5]:.1f} ms, last {rows[-1][5]:.1f} ms, max {max(r[5] for r in rows):.1f} ms; errors {sum(r[6] for r in rows)}")
sys.exit(0 if abs(growth) <= 5 and sum(r[6] for r in rows) == 0 else 1)
