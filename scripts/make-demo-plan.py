#!/usr/bin/env python3
"""Writes the demo work plan (督查督办/挂图作战) of Gongshu for the second half of 2020 to stdout.

    python3 scripts/make-demo-plan.py > Sources/GongzhiStore/Resources/plan/gongshu_2020h2_plan.json

Targets, figures and short task names come from the district's 2020 mid-year news article
(/work/shared/seed/gongshu_2020_midyear_plan.txt); they carry "stated": true. Everything else
(baselines not in the text, all progress reports, most project names, every date and location)
is demo data, "stated": false. Project points are placed near the four framework roads and
checked to lie inside the district boundary and the (approximate) street polygon they name.
Deterministic: random.Random(2020); the same reference files give the same bytes.
"""
import csv
import datetime as dt
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "Sources", "GongzhiStore", "Resources", "reference")
rng = random.Random(2020)

D = dt.date
PLAN_START, PLAN_END = D(2020, 7, 1), D(2020, 12, 31)
STATUS_DAY = D(2020, 10, 31)  # the demo's progress is as of this day


def iso(d):
    return d.isoformat()


def month_end(y, m):
    return D(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def rand_day(a, b):
    return a + dt.timedelta(days=rng.randint(0, (b - a).days))


def add(d, n):
    return d + dt.timedelta(days=n)


# ---------------------------------------------------------------- reference data
def load(name):
    with open(os.path.join(REF, name), encoding="utf-8") as f:
        return json.load(f)


def read_csv(name):
    with open(os.path.join(REF, name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


DEPTS = {u["code"] for u in load("departments.json")["units"]}
STREETS = {r["street_code_9"]: r["street_name"] for r in read_csv("gongshu_streets.csv")}
COMMUNITIES = read_csv("gongshu_communities_2021.csv")
# The district before its 2021 merger with Xiacheng: the streets a 2020 plan speaks for.
OLD_GONGSHU = {c for c in STREETS if c <= "330105011"}

DISTRICT = load("gongshu_wgs84.geojson")["features"][0]["geometry"]
STREET_GEOM = {f["properties"]["street_code_9"]: f["geometry"]
               for f in load("gongshu_streets_approx_wgs84.geojson")["features"]}
SITES = load("gongshu_sampling_points_2022.geojson")["features"]


def _polys(geom):
    return geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]


def _in_ring(x, y, ring):
    inside, j = False, len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][:2]
        xj, yj = ring[j][:2]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def inside(pt, geom):
    x, y = pt
    return any(_in_ring(x, y, p[0]) and not any(_in_ring(x, y, h) for h in p[1:]) for p in _polys(geom))


def street_of(pt):
    for code in sorted(STREET_GEOM):
        if inside(pt, STREET_GEOM[code]):
            return code
    return None


def rpt(pt):
    return [round(pt[0], 6), round(pt[1], 6)]


# The four framework roads (三纵一横), approximate WGS84 polylines along the 大城北 stretches:
# three north–south (莫干山路 west, 拱康路 middle from 拱宸桥 to 康桥, 沈半路 east) and one
# east–west (康桥路). Estimated from the street areas and sampling sites; not surveyed.
ROADS = {
    "莫干山路": [(120.137, 30.296), (120.129, 30.307), (120.121, 30.318), (120.114, 30.330), (120.108, 30.342)],
    "拱康路": [(120.141, 30.322), (120.140, 30.336), (120.139, 30.350), (120.137, 30.365), (120.135, 30.382)],
    "沈半路": [(120.160, 30.336), (120.166, 30.350), (120.172, 30.365), (120.180, 30.380)],
    "康桥路": [(120.125, 30.371), (120.140, 30.369), (120.155, 30.368), (120.170, 30.367)],
}


def along(road, t):
    """The point at share t of a road's length, and the road's unit direction there."""
    pts = ROADS[road]
    segs = [(a, b, ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5) for a, b in zip(pts, pts[1:])]
    total = sum(s[2] for s in segs)
    left = t * total
    for a, b, length in segs:
        if left <= length or (a, b, length) == segs[-1]:
            f = min(1.0, left / length)
            return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f), ((b[0] - a[0]) / length, (b[1] - a[1]) / length)
        left -= length


def near_road(road, t=None):
    """A point beside the road (50–450 m off it; a named one 80–250 m off near share t of its
    length) in the district and in a 2020 Gongshu street."""
    for _ in range(500):
        tt = rng.random() if t is None else min(1.0, max(0.0, t + rng.uniform(-0.02, 0.02)))
        off = rng.choice([-1, 1]) * (rng.uniform(0.0005, 0.0045) if t is None else rng.uniform(0.0008, 0.0025))
        (x, y), (dx, dy) = along(road, tt)
        pt = (x - dy * off, y + dx * off)
        s = street_of(pt)
        if inside(pt, DISTRICT) and s in OLD_GONGSHU:
            return rpt(pt), s
    raise SystemExit(f"no point found beside {road}")


def line_from_road(road):
    """A short side road (2–4 vertices, 300–900 m) leaving the framework road."""
    for _ in range(500):
        (x, y), (dx, dy) = along(road, rng.uniform(0.05, 0.95))
        side = rng.choice([-1, 1])
        n = rng.randint(2, 4)
        step = rng.uniform(0.0012, 0.003)
        pts = [(x - dy * side * 0.0003, y + dx * side * 0.0003)]
        for _k in range(n - 1):
            px, py = pts[-1]
            pts.append((px - dy * side * step + rng.uniform(-0.0004, 0.0004),
                        py + dx * side * step + rng.uniform(-0.0004, 0.0004)))
        streets = {street_of(p) for p in pts}
        if all(inside(p, DISTRICT) for p in pts) and len(streets) == 1 and streets <= OLD_GONGSHU:
            return [rpt(p) for p in pts], streets.pop()
    raise SystemExit(f"no side road found off {road}")


def point_in_street(street, anchors):
    if not anchors:  # no labelled site in the street: anywhere in its (approximate) area
        xs = [c[0] for poly in _polys(STREET_GEOM[street]) for c in poly[0]]
        ys = [c[1] for poly in _polys(STREET_GEOM[street]) for c in poly[0]]
        for _ in range(2000):
            pt = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
            if inside(pt, DISTRICT) and inside(pt, STREET_GEOM[street]):
                return rpt(pt)
    for _ in range(500):
        ax, ay = rng.choice(anchors)
        pt = (ax + rng.uniform(-0.0015, 0.0015), ay + rng.uniform(-0.0015, 0.0015))
        if inside(pt, DISTRICT) and inside(pt, STREET_GEOM[street]):
            return rpt(pt)
    raise SystemExit(f"no point found in street {street}")


# ---------------------------------------------------------------- units
ZJJ, CGJ, ZFJ, STHJ, JJDD, SCJG, LSJ, SZZX, XFJ, FGJ, JXJ, WJJ, GAFJ = (
    "330105-" + s for s in "ZJJ CGJ ZFJ STHJ JJDD SCJG LSJ SZZX XFJ FGJ JXJ WJJ GAFJ".split())
COMMAND = "330105"
SHANGTANG, KANGQIAO, BANSHAN, XIANGFU, HEMU = "330105008", "330105010", "330105011", "330105009", "330105004"

# ---------------------------------------------------------------- stage durations (倒排 days)
STAGES = {
    "industrial": {"preliminary": 120, "transfer": 90, "start": 60, "completion": 900},
    "residential": {"preliminary": 150, "transfer": 90, "start": 75, "completion": 1000},
    "public": {"preliminary": 180, "transfer": 120, "start": 90, "completion": 900},
    "road": {"preliminary": 120, "transfer": 90, "start": 60, "completion": 540},
    "renovation": {"preliminary": 90, "transfer": 30, "start": 30, "completion": 330},
    "heritage": {"preliminary": 180, "transfer": 90, "start": 90, "completion": 720},
}
MS = ["preliminary", "transfer", "start", "completion"]


# ---------------------------------------------------------------- projects: four roads
FOUR_DEADLINE = D(2021, 12, 31)
ENTERED = D(2020, 1, 1)

# Named in the text. cat: A reached 开工/出让 before July; B reached July–October; C planned
# for Nov–Dec and feasible; D planned for Nov–Dec but its preliminary work is late; E planned
# in 2021; F planned beyond its latest feasible day. t: share along the road (approximate).
NAMED = [
    ("浙江云计算数据中心", "industrial", "莫干山路", 0.93, "A", JXJ, None),
    ("联想创投集团总部", "industrial", "莫干山路", 0.80, "A", JXJ, None),
    ("浙数文化产业园", "industrial", "莫干山路", 0.87, "A", JXJ, None),
    ("阿里云智能物联网产业基地", "industrial", "拱康路", 0.62, "C", JXJ, None),
    ("花印集团总部", "industrial", "康桥路", 0.35, "C", JXJ, None),
    ("老虎360项目", "industrial", "莫干山路", 0.70, "B", JXJ, None),
    ("58同城项目", "industrial", "拱康路", 0.55, "B", JXJ, None),
    ("联想科技城", "industrial", "康桥路", 0.60, "A", JXJ, None),
    ("万科汽车互联网产业园", "industrial", "莫干山路", 0.98, "E", JXJ, None),
    ("大运河亚运公园", "public", "拱康路", 0.33, "A", ZJJ, None),
    ("运河大剧院", "public", "拱康路", 0.42, "A", FGJ, None),
    ("邵逸夫医院大运河分院", "public", "沈半路", 0.15, "A", WJJ, None),
    ("华丰造纸厂工业遗存保护", "heritage", "莫干山路", 0.42, "E", HEMU, "330105004051"),
    ("二轻钢厂工业遗存保护", "heritage", "沈半路", 0.75, "D", BANSHAN, None),
    ("祥符老街", "heritage", "莫干山路", 0.96, "B", XIANGFU, None),
    ("上塘河风情小镇", "public", "沈半路", 0.30, "C", SHANGTANG, None),
    ("舟山东路步行街", "public", "拱康路", 0.05, "B", "330105005", None),
    ("沿河生态健康廊道", "public", "康桥路", 0.20, "B", KANGQIAO, None),
]

# How many projects of each category in the group of 207 (named ones included).
CATEGORY_COUNTS = {"A": 50, "B": 38, "C": 36, "D": 12, "E": 65, "F": 6}
# Category B's 开工/出让 per month, July–October.
B_MONTHS = [8, 9, 10, 11]

ROAD_SHARE = [("莫干山路", 58), ("拱康路", 52), ("沈半路", 50), ("康桥路", 47)]
TYPE_MIX = [("industrial", 58), ("residential", 64), ("public", 38), ("road", 24), ("heritage", 8), ("renovation", 15)]

GENERIC = {
    "industrial": ["{r}沿线产业用地-{n}", "{r}沿线数字经济总部项目-{n}", "{r}沿线研发楼宇项目-{n}"],
    "residential": ["{r}沿线地块商住项目-{n}", "{r}沿线住宅用地-{n}", "{r}沿线安置房项目-{n}"],
    "public": ["{r}沿线学校项目-{n}", "{r}沿线地下停车场-{n}", "{r}沿线社区综合体-{n}", "{r}沿线口袋公园-{n}",
               "{r}沿线邻里中心-{n}"],
    "road": ["{r}沿线配套道路-{n}", "{r}沿线支路工程-{n}"],
    "heritage": ["{r}沿线历史建筑保护利用-{n}"],
    "renovation": ["{r}沿线街景整治-{n}", "{r}沿线城中村改造收尾-{n}"],
}
LEADS = {"industrial": [JXJ], "residential": [ZJJ], "public": [FGJ, ZJJ, CGJ], "road": [ZJJ],
         "heritage": None, "renovation": None}  # None: the street office


def lead_for(ptype, street):
    choices = LEADS[ptype]
    return street if choices is None else rng.choice(choices)


def target_of(name, ptype):
    # Land parcels for sale are done when transferred (出让); the rest when construction starts.
    return "transfer" if ("用地" in name or "地块" in name) else "start"


def latest_finish(ptype, target, deadline):
    """Each milestone's latest finish, backward from the deadline (as the reverse schedule does)."""
    days, nxt, out = STAGES[ptype], deadline, {}
    for m in reversed(MS[: MS.index(target) + 1]):
        out[m] = nxt
        nxt = add(nxt, -days[m])
    return out


# The text reports these as started (实现开工) or signed (签约落地) in the first half.
STARTED_H1 = {"浙江云计算数据中心", "联想创投集团总部", "浙数文化产业园"}
SIGNED_H1 = {"阿里云智能物联网产业基地", "花印集团总部"}


def make_dates(cat, ptype, target, b_month=None, name=None):
    """Planned and actual milestone days for a four-roads project of a category."""
    st = STAGES[ptype]
    planned, actual = {}, {}
    lf = latest_finish(ptype, target, FOUR_DEADLINE)
    if cat == "A":
        tr = rand_day(D(2020, 1, 10), D(2020, 6, 28))
        pre = rand_day(add(tr, -200), add(tr, -40))
        actual.update(preliminary=pre, transfer=tr)
        planned.update(preliminary=add(pre, rng.randint(-20, 10)), transfer=add(tr, rng.randint(-25, 10)))
        if name in STARTED_H1:
            tr = min(tr, D(2020, 5, 20))
            actual["transfer"] = tr
            planned["transfer"] = add(tr, rng.randint(-25, 5))
            s = rand_day(add(tr, 20), D(2020, 6, 28))
            actual["start"] = s
            planned["start"] = add(s, rng.randint(-20, 5))
        elif target == "start" or rng.random() < 0.5:
            s = add(tr, rng.randint(20, 110))
            if s <= STATUS_DAY:
                actual["start"] = s
            planned["start"] = add(s, rng.randint(-20, 15))
    elif cat == "B":
        y, m = 2020, 7 + b_month
        tr = rand_day(D(y, m, 1), month_end(y, m))
        pre = rand_day(add(tr, -210), add(tr, -st["transfer"]))
        actual.update(preliminary=pre, transfer=tr)
        planned.update(preliminary=add(pre, rng.randint(-25, 5)), transfer=add(tr, rng.randint(-30, 5)))
        s = add(tr, rng.randint(15, 90))
        if s <= STATUS_DAY:
            actual["start"] = s
        planned["start"] = add(s, rng.randint(-20, 10))
    elif cat == "C":
        tr = rand_day(D(2020, 11, 3), D(2020, 12, 28))
        pre = add(tr, -st["transfer"] - rng.randint(0, 45))
        pre = min(pre, D(2020, 10, 20) if name not in SIGNED_H1 else rand_day(D(2020, 4, 20), D(2020, 6, 28)))
        actual["preliminary"] = pre
        planned.update(preliminary=add(pre, rng.randint(-15, 0)), transfer=tr)
        planned["start"] = add(tr, st["start"] + rng.randint(0, 40))
    elif cat == "D":
        tr = rand_day(D(2020, 11, 10), D(2020, 12, 25))
        planned.update(preliminary=rand_day(D(2020, 7, 20), D(2020, 9, 30)), transfer=tr)
        planned["start"] = add(tr, st["start"] + rng.randint(0, 40))
    elif cat == "E":
        hi = min(add(lf["transfer"], -30), D(2021, 9, 30))
        tr = rand_day(D(2021, 1, 15), hi)
        pre = add(tr, -st["transfer"] - rng.randint(0, 60))
        if pre <= D(2020, 10, 15) and rng.random() < 0.6:
            actual["preliminary"] = pre
            planned["preliminary"] = add(pre, rng.randint(-10, 10))
        else:
            planned["preliminary"] = max(pre, D(2020, 11, 15))
            tr = max(tr, add(planned["preliminary"], st["transfer"]))
        planned["transfer"] = tr
        planned["start"] = add(tr, st["start"] + rng.randint(0, 60))
    elif cat == "F":
        # Planned later than the reverse schedule allows: the transfer after its latest finish.
        tr = rand_day(add(lf["transfer"], 10), add(lf["transfer"], 75))
        planned.update(preliminary=add(tr, -st["transfer"] - rng.randint(0, 30)), transfer=tr)
        planned["start"] = add(tr, st["start"] + rng.randint(0, 30))
    if target == "transfer" and cat in ("C", "D", "E", "F") and rng.random() < 0.3:
        planned.pop("start", None)  # a parcel not yet sold has no construction date yet
    if "start" in planned and target == "start":
        planned["completion"] = add(planned["start"], st["completion"] + rng.randint(-60, 120))
    # A plan's milestones in order: each at least a fortnight after the one before.
    prev = None
    for m in MS:
        if m in planned:
            if prev is not None and planned[m] < add(planned[prev], 14):
                planned[m] = add(planned[prev], 14)
            prev = m
    return planned, actual


def four_roads_projects():
    cats = []
    for c, n in CATEGORY_COUNTS.items():
        cats += [c] * (n - sum(1 for x in NAMED if x[4] == c))
    rng.shuffle(cats)
    roads = []
    for r, n in ROAD_SHARE:
        roads += [r] * (n - sum(1 for x in NAMED if x[2] == r))
    rng.shuffle(roads)
    types = []
    for t, n in TYPE_MIX:
        types += [t] * (n - sum(1 for x in NAMED if x[1] == t))
    rng.shuffle(types)
    assert len(cats) == len(roads) == len(types) == 207 - len(NAMED), (len(cats), len(roads), len(types))

    # Category B's months: the named B projects first, in order, then the rest.
    b_months = []
    for i, n in enumerate(B_MONTHS):
        b_months += [i] * n
    rng.shuffle(b_months)

    out = []
    for name, ptype, road, t, cat, lead, community in NAMED:
        pt, street = near_road(road, t=t)
        if community and not community.startswith(street):
            community = None
        out.append(dict(name=name, type=ptype, road=road, street=street, community=community, lead=lead,
                        location={"point": pt}, cat=cat, named=True))
    serial = len(NAMED)
    for cat, road, ptype in zip(cats, roads, types):
        serial += 1
        name = rng.choice(GENERIC[ptype]).format(r=road, n=f"{serial:03d}")
        if ptype == "road" and rng.random() < 0.4:
            line, street = line_from_road(road)
            loc = {"line": line}
        else:
            pt, street = near_road(road)
            loc = {"point": pt}
        out.append(dict(name=name, type=ptype, road=road, street=street, community=None,
                        lead=lead_for(ptype, street), location=loc, cat=cat, named=False))
    # Give the generated projects their dates; each B project a month.
    bi = 0
    projects = []
    for i, p in enumerate(out):
        target = "start" if p["named"] else target_of(p["name"], p["type"])
        bm = None
        if p["cat"] == "B":
            bm = b_months[bi]
            bi += 1
        planned, actual = make_dates(p["cat"], p["type"], target, bm, p["name"])
        entered = ENTERED if p["cat"] != "E" or actual or rng.random() < 0.7 else D(2020, 4, 1)
        projects.append({
            "id": f"p{i + 1:03d}", "name": p["name"], "group": "four-roads", "type": p["type"], "road": p["road"],
            "street": p["street"], "community": p["community"], "lead_unit": p["lead"], "location": p["location"],
            "entered": iso(entered), "deadline": iso(FOUR_DEADLINE), "target": target,
            "planned": {m: iso(planned[m]) for m in MS if m in planned},
            "actual": {m: iso(actual[m]) for m in MS if m in actual},
            "named_in_text": p["named"], "stated": False,
        })
    return projects


# ---------------------------------------------------------------- projects: renovation, batch 2
RENOVATION_CANDIDATES = [
    c for c in COMMUNITIES
    if c["street_code_9"] in {"330105001", "330105002", "330105003", "330105004", "330105005", "330105007"}
    and c["community_name"] != "和睦社区"  # 和睦新村 was in the first batch (the article's photo)
] + [c for c in COMMUNITIES if c["community_name"] in {
    "皋亭社区", "拱宸社区", "绍兴路社区", "红建河社区", "假山路社区", "善贤社区", "八丈井社区",
    "杭钢北苑社区", "杭钢南苑社区", "杭钢西苑社区", "杭玻阔板桥社区"}]


def renovation_projects(first_id):
    chosen = sorted(rng.sample(RENOVATION_CANDIDATES, 43), key=lambda c: c["community_code_12"])
    # Started by 30 June, then per month July–October; 4 late (not started by 31 October).
    plan = ["June"] * 5 + ["2020-07"] * 9 + ["2020-08"] * 10 + ["2020-09"] * 9 + ["2020-10"] * 6 + ["late"] * 4
    rng.shuffle(plan)
    out = []
    for i, (c, when) in enumerate(zip(chosen, plan)):
        street = c["street_code_9"]
        label = STREETS[street] + c["community_name"]
        anchors = [tuple(f["geometry"]["coordinates"]) for f in SITES if f["properties"]["name"].startswith(label)]
        if not anchors:
            anchors = [tuple(f["geometry"]["coordinates"]) for f in SITES
                       if f["properties"].get("street_code_in_name") == street]
        pt = point_in_street(street, anchors)
        if when == "June":
            start = rand_day(D(2020, 6, 1), D(2020, 6, 30))
            pstart = add(start, rng.randint(-10, 5))
        elif when == "late":
            start = None
            pstart = rand_day(D(2020, 8, 20), D(2020, 10, 31))
        else:
            y, m = map(int, when.split("-"))
            start = rand_day(D(y, m, 1), month_end(y, m))
            pstart = min(add(start, rng.randint(-25, 5)), D(2020, 10, 31))
        pre = rand_day(D(2020, 3, 20), D(2020, 4, 20))
        tr = rand_day(add(pre, 15), max(add(pre, 15), min(add(pstart, -10), D(2020, 6, 30))))
        actual = {"preliminary": pre}
        if start is not None or i % 2 == 0:
            actual["transfer"] = tr
        if start is not None:
            actual["start"] = max(start, add(tr, 5))
        planned = {"preliminary": add(pre, rng.randint(-10, 5)), "transfer": add(tr, rng.randint(-15, 5)),
                   "start": pstart, "completion": rand_day(D(2021, 6, 30), D(2021, 12, 15))}
        out.append({
            "id": f"p{first_id + i:03d}", "name": f"{c['community_name']}老旧小区综合改造", "group": "renovation-2",
            "type": "renovation", "road": None, "street": street, "community": c["community_code_12"],
            "lead_unit": street if rng.random() < 0.7 else ZJJ, "location": {"point": pt},
            "entered": "2020-03-01", "deadline": "2021-12-31", "target": "completion",
            "planned": {m: iso(planned[m]) for m in MS}, "actual": {m: iso(actual[m]) for m in MS if m in actual},
            "named_in_text": False, "stated": False,
        })
    return out


# ---------------------------------------------------------------- goal areas, tasks, indicators
def ind(id, name, uom, baseline, target, stated, note=None, direction="increase", acc="cumulative",
        start=PLAN_START, deadline=PLAN_END, curve="linear", status=None):
    d = {"id": id, "name": name, "unit_of_measure": uom, "direction": direction, "accumulation": acc,
         "baseline": baseline, "target": target, "start": iso(start), "deadline": iso(deadline),
         "curve": curve, "report_due_day": 5, "stated": stated}
    if note:
        d["note"] = note
    d["_status"] = status  # the demo's light per month July–October (dropped from the output)
    return d


G, A, R = "green", "amber", "red"
GGGG = [G, G, G, G]


def task(id, name, lead, coop, indicators, stated=True, deadline=PLAN_END, group=None):
    t = {"id": id, "name": name, "lead_unit": lead, "cooperating_units": coop, "deadline": iso(deadline),
         "stated": stated, "indicators": indicators}
    if group:
        t["project_group"] = group
    return t


def goal_areas(four_base, reno_base):
    return [
        {"id": "g1", "name": "疫情常态化防控", "tasks": [
            task("g1-t1", "重点人群动态清单管控", WJJ, [GAFJ, COMMAND], [
                ind("key-pop-control", "重点人群闭环管控率", "%", 97.5, 100, False, acc="point_in_time",
                    note="text: 严格落实重点人群动态清单管控; rate, baseline and target are demo", status=GGGG)]),
            task("g1-t2", "冷链食品和农贸市场抽检", SCJG, [WJJ], [
                ind("cold-chain-sampling", "冷链食品及农贸市场抽检", "批次", 0, 1500, False,
                    note="text: 提高抽检频次, no number; count from 1 July, demo", status=GGGG)]),
            task("g1-t3", "重点公共场所防控", WJJ, [SCJG, GAFJ], [
                ind("venue-checks", "医院学校商场等场所防控检查", "家次", 0, 2400, False,
                    note="text names the places, no number; demo", status=GGGG)]),
        ]},
        {"id": "g2", "name": "城市环境百日攻坚", "tasks": [
            task("g2-t1", "创建省级生态文明建设示范区", STHJ, [LSJ, CGJ, ZJJ], [
                ind("eco-demo-criteria", "示范区创建指标达标", "项", 30, 36, False, acc="point_in_time",
                    note="text: 确保成功创建; criteria count and baseline demo", status=GGGG)]),
            task("g2-t2", "第二轮中央环保督察迎检", STHJ, [CGJ, ZFJ, LSJ], [
                ind("env-issues-fixed", "环境问题排查整改销号", "个", 0, 180, False,
                    note="demo count of issues found in self-inspection", status=GGGG)]),
            task("g2-t3", "创建首批省级污水零直排区", CGJ, [LSJ, STHJ, ZJJ], [
                ind("zero-discharge-units", "污水零直排建设单元完成", "个", 142, 186, False,
                    note="text: 确保成功创建首批省级污水零直排区; unit counts demo", status=GGGG)]),
            task("g2-t4", "严格落实河长制", LSJ, [CGJ, STHJ], [
                ind("river-patrol-rate", "河长巡河履职率", "%", 93, 100, False, acc="point_in_time",
                    note="text: 严格落实河长制, no number; demo", status=GGGG)]),
            task("g2-t5", "生活垃圾分类和处置", CGJ, [ZFJ], [
                ind("waste-harmless", "生活垃圾无害化处理率", "%", 100, 100, True, acc="point_in_time",
                    note="text: 100%无害化处理 (a line to hold)", status=GGGG),
                ind("waste-volume", "生活垃圾日均产生量", "吨/日", 612, 612, False, direction="decrease",
                    acc="point_in_time",
                    note="text: 总量零增长 (target = baseline, the 2019 level); the tonnage is demo", status=GGGG),
                ind("perishable-onsite", "易腐垃圾就地减量设施建成", "套", 6, 20, False,
                    note="text: 加快推动易腐垃圾就地减量项目; counts demo", status=[G, A, A, A])]),
            task("g2-t6", "市容环境大整治", CGJ, [ZFJ, ZJJ, STHJ, JJDD], [
                ind("cityscape-issues", "百日攻坚问题整改销号", "个", 0, 3000, False,
                    note="text: 拉网式排查、不留死角; count demo", status=GGGG)]),
        ]},
        {"id": "g3", "name": "补短板、提质增效（经济）", "tasks": [
            task("g3-t1", "大力度扩大投资", FGJ, [ZJJ, JXJ], [
                ind("fai-total", "固定资产投资完成额", "亿元", 262, 550, True,
                    curve={"monthly": [0.13, 0.13, 0.16, 0.15, 0.16, 0.27]},
                    note="target stated: 全年550亿元以上; the first-half amount (baseline) is demo; "
                         "year-end push in the curve", status=GGGG),
                ind("fai-growth", "固定资产投资增速", "%", 12.3, 12.3, False, acc="point_in_time",
                    note="baseline stated: 上半年增长12.3%; holding it through the year is a demo target",
                    status=GGGG)]),
            task("g3-t2", "大力度双招双引", JXJ, [FGJ], [
                ind("industry-projects-signed", "招引亿元以上产业项目", "个", 14, 30, False,
                    note="text: 加快引进一批龙头企业; counts demo", status=[G, A, A, A])]),
            task("g3-t3", "亲清在线惠企服务", JXJ, [FGJ, SCJG], [
                ind("subsidy-disbursed", "涉企扶持政策资金兑付", "亿元", 4.2, 7.0, False,
                    note="baseline stated: 上半年累计4.2亿元; year target demo", status=GGGG),
                ind("policies-online", "亲清在线上线惠企政策", "条", 10, 25, False,
                    note="baseline stated: 10条政策上线; year target demo", status=GGGG),
                ind("service-commissioners", "下沉企业服务专员", "人", 1171, 1200, False, acc="point_in_time",
                    note="baseline stated: 1171名服务专员; target demo", status=GGGG)]),
            task("g3-t4", "大力度提振消费", FGJ, [SCJG, SHANGTANG], [
                ind("night-economy-nodes", "夜经济特色节点建成", "个", 0, 3, False,
                    note="the three nodes are named in the text (上塘河夜游 / 胜利河夜宵 / 远洋绿地中心夜嗨); "
                         "year-end completion is demo", status=GGGG),
                ind("services-growth", "服务业增加值增速", "%", 1.1, 4.0, False, acc="point_in_time",
                    note="baseline stated: 上半年增长1.1%; target demo", status=GGGG)]),
        ]},
        {"id": "g4", "name": "全面小康成色（民生）", "tasks": [
            task("g4-t1", "第二批老旧小区综合改造", ZJJ, sorted({"330105001", "330105002", "330105003",
                                                         "330105004", "330105005", "330105007", SHANGTANG,
                                                         BANSHAN}),
                 [ind("renovation-started", "第二批改造项目开工", "个", reno_base, 43, True,
                      deadline=D(2020, 10, 31),
                      note="target stated: 43个项目10月底前全面开工; baseline and reports counted from the demo projects",
                      status="computed"),
                  ind("renovation-completed", "第二批改造项目完工", "个", 0, 43, True, deadline=D(2021, 12, 31),
                      curve={"monthly": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.03, 0.05, 0.07, 0.08, 0.1, 0.15, 0.15,
                                         0.17, 0.2]},
                      note="target stated: 明年底全面完成改造; the curve is demo", status="computed-done")],
                 deadline=D(2021, 12, 31), group="renovation-2"),
            task("g4-t2", "城中村改造回迁安置", ZJJ, [SHANGTANG, KANGQIAO, BANSHAN, XIANGFU], [
                ind("move-back", "回迁安置", "户", 3620, 10000, True,
                    curve={"monthly": [0.12, 0.12, 0.14, 0.16, 0.18, 0.28]},
                    note="target stated: 年底回迁10000户; the count by 30 June is demo", status=[G, A, A, G]),
                ind("long-transition", "在外过渡5年以上征迁户安置率", "%", 58, 100, True, acc="point_in_time",
                    note="target stated: 年底完成在外过渡5年以上户安置; the rate by 30 June is demo",
                    status=[G, G, A, A])]),
            task("g4-t3", "电梯养老综合改造", ZJJ, [WJJ], [
                ind("elevators", "既有住宅加装电梯", "台", 46, 120, False,
                    note="text: 推进电梯“养老”综合改造, no number; demo", status=[A, R, R, R])]),
            task("g4-t4", "平安和谐底线", GAFJ, [ZFJ, XFJ, SCJG], [
                ind("safety-hazards", "安全隐患排查整改", "处", 0, 4000, False,
                    note="text: 安全生产、消防、食品安全、防汛防台; count demo", status=GGGG)]),
        ]},
        {"id": "g5", "name": "三纵一横沿线·大城北开发", "tasks": [
            task("g5-t1", "四路沿线207个项目推进", ZJJ, [FGJ, JXJ, SHANGTANG, KANGQIAO, BANSHAN, XIANGFU], [
                ind("four-roads-reached", "沿线项目开工或出让", "个", four_base, 138, True,
                    curve={"monthly": [0.10, 0.10, 0.20, 0.15, 0.15, 0.30]},
                    note="target stated: 207个项目年内2/3开工或出让 (138); reports counted from the demo "
                         "projects; the curve (quarterly 集中开工) is demo", status="computed")],
                 group="four-roads"),
            task("g5-t2", "沿线51条道路和地下停车场", ZJJ, [JJDD, CGJ], [
                ind("roads-started", "沿线道路开工", "条", 17, 51, True, deadline=FOUR_DEADLINE,
                    note="count stated: 51条道路 (the underground car parks are not counted here); "
                         "the baseline and the deadline (明年底, with the 207 projects) are demo",
                    status=GGGG)], deadline=FOUR_DEADLINE),
            task("g5-t3", "重点区块谋划", FGJ, [ZJJ, HEMU, KANGQIAO], [
                ind("key-blocks", "重点区块规划调整完成", "个", 0, 4, False,
                    note="the four blocks are named in the text (民生药厂 / 华丰 / 第二文教区 / 康桥); "
                         "year-end completion is demo", status=GGGG)]),
            task("g5-t4", "亮点成果展示", ZJJ, [FGJ, WJJ, SHANGTANG, XIANGFU], [
                ind("landmark-nodes", "精品建筑和特色街区年度节点", "个", 2, 12, False,
                    note="count of this year's milestones of the named landmark projects; demo", status=GGGG)]),
        ]},
        {"id": "g6", "name": "治理现代化标杆区", "tasks": [
            task("g6-t1", "矛调中心样板", SZZX, [XFJ, GAFJ], [
                ind("center-functions", "综合街区五大功能集成", "项", 2, 5, True,
                    note="target stated: 五大功能; the baseline is demo", status=GGGG),
                ind("dispute-resolution", "矛盾纠纷调处化解成功率", "%", 94, 97, False, acc="point_in_time",
                    note="demo", status=GGGG)]),
            task("g6-t2", "数字驾驶舱和城市大脑场景", COMMAND, [CGJ, JXJ, WJJ], [
                ind("cockpit-scenarios", "数字驾驶舱应用场景上线", "个", 8, 20, False,
                    note="text: 积极拓展开发更多应用场景, no number; demo", status=GGGG)]),
            task("g6-t3", "城市眼·云共治迭代", CGJ, [ZFJ, COMMAND], [
                ind("cogov-scenarios", "云共治新应用场景落地", "类", 0, 9, True,
                    note="target stated: 9类; the scenarios are in reference/cogovernance_scenarios.json",
                    status=GGGG)]),
            task("g6-t4", "小区微治理", COMMAND, sorted(OLD_GONGSHU), [
                ind("micro-gov-coverage", "小区党组织覆盖率", "%", 72, 90, False, acc="point_in_time",
                    note="text: 治理单元下沉到小区, no number; demo", status=GGGG)]),
        ]},
    ]


# ---------------------------------------------------------------- pacing (as GongzhiCore/Plan/Pacing.swift)
def months_between(a, b):
    return (b.year - a.year) * 12 + b.month - a.month + 1


def expected(i, day):
    start, deadline = D.fromisoformat(i["start"]), D.fromisoformat(i["deadline"])
    if day < start:
        return 0.0
    if day >= deadline:
        return 1.0
    if i["curve"] == "linear":
        return ((day - start).days + 1) / ((deadline - start).days + 1)
    shares = i["curve"]["monthly"]
    total, done = sum(shares), 0.0
    for k, share in enumerate(shares):
        y, m = start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1
        first, last = max(D(y, m, 1), start), min(month_end(y, m), deadline)
        if day > last:
            done += share
            continue
        return (done + share * ((day - first).days + 1) / ((last - first).days + 1)) / total
    return 1.0


def light(i, reports, day, rules):
    """The indicator's light on `day` from the reports submitted by then."""
    by_month = {}
    for r in reports:
        if D.fromisoformat(r["submitted"]) <= day:
            seen = by_month.get(r["month"])
            if seen is None or seen["submitted"] <= r["submitted"]:
                by_month[r["month"]] = r
    known = sorted(by_month.values(), key=lambda r: (r["as_of"], r["month"]))
    known = [r for r in known if D.fromisoformat(r["as_of"]) <= day]
    if not known:
        return "none", None
    v, b, t = known[-1]["value"], i["baseline"], i["target"]
    if t == b:
        over = v - t if i["direction"] == "decrease" else t - v
        behind = max(0.0, over / max(abs(t), 1e-12))
    else:
        e = expected(i, day)
        progress = (v - b) / (t - b)
        behind = max(0.0, (e - progress) / e) if e > 0 else 0.0
    lt = R if behind > rules["red_behind"] else A if behind >= rules["amber_behind"] else G
    if day > D.fromisoformat(i["deadline"]) and not (v >= t if i["direction"] == "increase" else v <= t):
        lt = R
    return lt, behind


# ---------------------------------------------------------------- reports
RULES = {"amber_behind": 0.1, "red_behind": 0.3, "amber_slack_days": 30, "amber_blockers": 1, "red_blockers": 3}
REPORT_MONTHS = [(2020, 7), (2020, 8), (2020, 9), (2020, 10)]
# Working days up to each due day (the September reports go in before the National Day holiday).
SUBMIT_DAYS = {
    (2020, 7): [D(2020, 8, 3), D(2020, 8, 4), D(2020, 8, 5)],
    (2020, 8): [D(2020, 9, 1), D(2020, 9, 2), D(2020, 9, 3), D(2020, 9, 4)],
    (2020, 9): [D(2020, 9, 30)],
    (2020, 10): [D(2020, 11, 2), D(2020, 11, 3), D(2020, 11, 4), D(2020, 11, 5)],
}
LATE = {("fai-total", (2020, 7)): D(2020, 8, 10), ("elevators", (2020, 9)): D(2020, 10, 12),
        ("cold-chain-sampling", (2020, 10)): D(2020, 11, 6)}
MISSING = {("river-patrol-rate", (2020, 8))}
CORRECTION = ("subsidy-disbursed", (2020, 9), D(2020, 10, 16), -0.3)  # the first report overstated by 0.3 亿元
FACTOR = {G: (1.02, 1.07), A: (0.78, 0.84), R: (0.52, 0.62)}


def granularity(uom):
    return 0.1 if uom in ("亿元", "%") else 1


def quantise(value, step, up):
    import math
    n = value / step
    n = math.ceil(n - 1e-9) if up else round(n)
    return round(n * step, 1) if step < 1 else int(n)


def make_reports(goals, projects):
    inds = [(t, i) for g in goals for t in g["tasks"] for i in t["indicators"]]
    four = [p for p in projects if p["group"] == "four-roads"]
    reno = [p for p in projects if p["group"] == "renovation-2"]

    def count(ps, day, milestones):
        return sum(1 for p in ps if any(m in p["actual"] and D.fromisoformat(p["actual"][m]) <= day
                                        for m in milestones))

    reports = []
    for t, i in inds:
        status = i.pop("_status")
        prev = None
        for k, (y, m) in enumerate(REPORT_MONTHS):
            if (i["id"], (y, m)) in MISSING:
                continue
            as_of = month_end(y, m)
            submitted = LATE.get((i["id"], (y, m))) or rng.choice(SUBMIT_DAYS[(y, m)])
            b, tg, step = i["baseline"], i["target"], granularity(i["unit_of_measure"])
            if status == "computed" and i["id"] == "four-roads-reached":
                value = count(four, as_of, ("transfer", "start"))
            elif status == "computed":
                value = count(reno, as_of, ("start",))
            elif status == "computed-done":
                value = count(reno, as_of, ("completion",))
            elif tg == b:  # a line to hold
                if i["id"] == "waste-harmless":
                    value = 100
                elif i["id"] == "waste-volume":
                    value = int(b - rng.randint(2, 14))
                else:
                    value = quantise(b + rng.uniform(0.0, 0.6), step, False)
            else:
                lo, hi = FACTOR[status[k]]
                progress = expected(i, submitted + dt.timedelta(days=1)) * rng.uniform(lo, hi)
                value = quantise(b + (tg - b) * progress, step, status[k] == G)
                if i["accumulation"] == "cumulative" and prev is not None:
                    value = max(value, prev)
            prev = value
            reports.append({"indicator": i["id"], "month": f"{y}-{m:02d}", "as_of": iso(as_of), "value": value,
                            "submitted": iso(submitted), "unit": t["lead_unit"], "stated": False})
            if (i["id"], (y, m)) == CORRECTION[:2]:
                first = reports[-1]
                fixed = dict(first, submitted=iso(CORRECTION[2]))
                first["value"] = round(first["value"] - CORRECTION[3], 1)
                reports.append(fixed)
    return reports


# ---------------------------------------------------------------- blockers
def make_blockers(projects):
    four = [p for p in projects if p["group"] == "four-roads"]
    reno = [p for p in projects if p["group"] == "renovation-2"]
    late_four = [p for p in four if "transfer" not in p["actual"] and "start" not in p["actual"]
                 and p["planned"].get("transfer", "9999") <= "2020-12-31" and "preliminary" not in p["actual"]]
    road_like = [p for p in four if p["type"] == "road" and "start" not in p["actual"]]
    industrial = [p for p in four if p["type"] == "industrial" and "transfer" not in p["actual"]
                  and p["target"] == "transfer"]
    residential = [p for p in four if p["type"] == "residential" and "transfer" not in p["actual"]]
    reno_late = [p for p in reno if "start" not in p["actual"]]
    picks = [
        (rng.choice(late_four), "征迁户未签约", D(2020, 8, 18), None),
        (rng.choice(road_like), "管线迁改未完成", D(2020, 9, 7), ZJJ),
        (rng.choice(road_like), "地铁施工交叉影响", D(2020, 10, 12), JJDD),
        (rng.choice(industrial), "土壤污染状况调查未完成", D(2020, 8, 27), STHJ),
        (rng.choice(residential), "规划条件调整待审批", D(2020, 9, 22), None),
        (reno_late[0], "改造资金未到位", D(2020, 9, 15), None),
        (reno_late[1], "居民意见未统一", D(2020, 10, 9), None),
    ]
    seen, out = set(), []
    for p, title, raised, unit in picks:
        if (p["id"], title) in seen:
            continue
        seen.add((p["id"], title))
        out.append({"project": p["id"], "title": title, "raised": iso(raised), "unit": unit or p["lead_unit"],
                    "stated": False})
    return sorted(out, key=lambda b: (b["raised"], b["project"]))


# ---------------------------------------------------------------- assemble and write
def main():
    four = four_roads_projects()
    reno = renovation_projects(len(four) + 1)
    projects = four + reno
    four_base = sum(1 for p in four if any(p["actual"].get(m, "9999") <= "2020-06-30" for m in ("transfer", "start")))
    reno_base = sum(1 for p in reno if p["actual"].get("start", "9999") <= "2020-06-30")
    goals = goal_areas(four_base, reno_base)
    reports = make_reports(goals, projects)
    plan = {
        "id": "gongshu-2020h2",
        "name": "拱墅区2020年下半年重点工作",
        "source": "拱墅区委2020年年中工作部署新闻稿（上半年回顾、下半年六方面重点工作）；"
                  "目标与数字取自原文，基数、进度、项目明细、日期与坐标为演示数据",
        "start": iso(PLAN_START), "end": iso(PLAN_END),
        "rules": RULES,
        "stage_durations": [{"type": t, "days": d} for t, d in STAGES.items()],
        "goal_areas": goals,
        "project_groups": [{"id": "four-roads", "name": "三纵一横四路沿线项目"},
                           {"id": "renovation-2", "name": "第二批老旧小区综合改造"}],
        "projects": projects,
        "portfolio_targets": [
            {"id": "four-roads-two-thirds", "name": "确保年内2/3项目实现开工或出让", "group": "four-roads",
             "milestones": ["transfer", "start"], "share": 2 / 3, "by": "2020-12-31", "stated": True},
            {"id": "four-roads-all", "name": "力争明年年底前全部开工或出让", "group": "four-roads",
             "milestones": ["transfer", "start"], "share": 1.0, "by": "2021-12-31", "stated": True},
            {"id": "renovation-start", "name": "第二批43个项目10月底前全面开工", "group": "renovation-2",
             "milestones": ["start"], "share": 1.0, "by": "2020-10-31", "stated": True},
            {"id": "renovation-done", "name": "明年底全面完成改造", "group": "renovation-2",
             "milestones": ["completion"], "share": 1.0, "by": "2021-12-31", "stated": True},
        ],
        "reports": reports,
        "blockers": make_blockers(projects),
    }
    sys.stdout.write(dump(plan))


def dump(plan):
    """indent=1, with each project, report and blocker on one line."""
    one_line = {}
    shell = dict(plan)
    for key in ("projects", "reports", "blockers"):
        marks = []
        for k, item in enumerate(plan[key]):
            mark = f"@@{key}:{k}@@"
            one_line[f'"{mark}"'] = json.dumps(item, ensure_ascii=False)
            marks.append(mark)
        shell[key] = marks
    text = json.dumps(shell, ensure_ascii=False, indent=1)
    for mark, line in one_line.items():
        text = text.replace(mark, line, 1)
    return text + "\n"


if __name__ == "__main__":
    main()
