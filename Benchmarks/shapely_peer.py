"""Peer benchmark for point location: Shapely 2 (GEOS) on the same polygons and points.

Reads the unit grids and points written by `gongzhi bench locate --export PREFIX`, builds an
STRtree, and locates every point with a vectorised STRtree query plus `contains_xy`, as a
GIS engineer would with Shapely. Also checks that both engines agree on every point.

Usage: python3 Benchmarks/shapely_peer.py PREFIX [ROUNDS]
"""
import csv
import json
import sys
import time

import numpy as np
import shapely
from shapely.geometry import shape

prefix = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
features = json.load(open(prefix + ".geojson"))["features"]
codes = np.array([f["properties"]["code"] for f in features])
geoms = np.array([shape(f["geometry"]) for f in features])
rows = list(csv.reader(open(prefix + ".csv")))[1:]
xs = np.array([float(r[0]) for r in rows])
ys = np.array([float(r[1]) for r in rows])
expected = [r[2] for r in rows]

t = time.perf_counter()
shapely.prepare(geoms)
tree = shapely.STRtree(geoms)
print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}): index built in {time.perf_counter() - t:.3f} s over {len(geoms)} polygons")

points = shapely.points(xs, ys)
best = float("inf")
for _ in range(rounds):
    t = time.perf_counter()
    # Candidate pairs by bounding box, then the exact test; 'intersects' counts boundary points
    # as inside, as Gongzhi does.
    pt_idx, poly_idx = tree.query(points, predicate="intersects")
    best = min(best, time.perf_counter() - t)
print(f"shapely STRtree.query(predicate='intersects'): {len(xs) / best:,.0f} lookups/s on one core ({len(xs)} points, best of {rounds})")

best_xy = float("inf")
for _ in range(rounds):
    t = time.perf_counter()
    cand_pt, cand_poly = tree.query(points)  # bounding-box candidates
    inside = shapely.contains_xy(geoms[cand_poly], xs[cand_pt], ys[cand_pt])
    best_xy = min(best_xy, time.perf_counter() - t)
print(f"shapely STRtree.query + contains_xy: {len(xs) / best_xy:,.0f} lookups/s on one core")

# Agreement: the first (smallest-code) polygon containing each point, as Gongzhi answers.
found = {}
order = np.argsort(codes[poly_idx], kind="stable")
for p, g in zip(pt_idx[order], poly_idx[order]):
    found.setdefault(int(p), codes[g])
disagree = sum(1 for i, e in enumerate(expected) if found.get(i, "") != e)
print(f"agreement with gongzhi: {len(expected) - disagree} of {len(expected)} points")
