#!/usr/bin/env python3
"""Writes city.geojson: the made-up demo district (演示数据, not a real place).

Layout: a 6 x 6 board of grids, each 0.005 deg square, from lon 116.30 / lat 39.90.
Grid at row r (0..5, northwards), col c (0..5, eastwards) spans
lon [116.30 + 0.005c, +0.005], lat [39.90 + 0.005r, +0.005].
Street i (1..3) = rows 2(i-1), 2(i-1)+1 across all six columns.
Community j (1..3) of street i = cols 2(j-1), 2(j-1)+1 within that street.
Grid k (1..4) of a community: r = 2(i-1) + (k-1)//2, c = 2(j-1) + (k-1)%2.
So lat 39.9025, lon 116.3025 lies in grid demo.s1.c1.g1.

Buildings (楼栋, level building) and their entrances (单元, level entrance): two
buildings in each grid, about 25 x 33 m, away from the grid's centre and
from the points the tests report at: building b1 spans lon [x0 + 0.0016,
x0 + 0.0019], lat [y0 + 0.0016, y0 + 0.0019] of its grid's south-west corner
(x0, y0); b2 the same lon, lat [y0 + 0.0031, y0 + 0.0034]. Each has two
entrances, u1 the west half and u2 the east half. So lat 39.90175, lon
116.30170 lies in demo.s1.c1.g1.b1.u1.
"""
import json
import os

STREETS = ["青山街道", "临河街道", "望岳街道"]
COMMUNITIES = [["翠湖社区", "松林社区", "枫桥社区"],
               ["柳岸社区", "荷塘社区", "渔港社区"],
               ["云台社区", "石门社区", "书院社区"]]


def rect(c0, r0, c1, r1):
    x0, y0 = round(116.30 + 0.005 * c0, 3), round(39.90 + 0.005 * r0, 3)
    x1, y1 = round(116.30 + 0.005 * c1, 3), round(39.90 + 0.005 * r1, 3)
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def box(x0, y0, x1, y1):
    x0, y0, x1, y1 = (round(v, 6) for v in (x0, y0, x1, y1))
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(code, name, level, parent, geometry):
    props = {"code": code, "name": name, "level": level}
    if parent:
        props["parent"] = parent
    return {"type": "Feature", "properties": props, "geometry": geometry}


features = [feature("demo", "示范区（演示数据）", "district", None, rect(0, 0, 6, 6))]
for i in range(1, 4):
    street = f"demo.s{i}"
    features.append(feature(street, STREETS[i - 1], "street", "demo",
                            rect(0, 2 * (i - 1), 6, 2 * i)))
    for j in range(1, 4):
        community = f"{street}.c{j}"
        name = COMMUNITIES[i - 1][j - 1]
        features.append(feature(community, name, "community", street,
                                rect(2 * (j - 1), 2 * (i - 1), 2 * j, 2 * i)))
        for k in range(1, 5):
            r, c = 2 * (i - 1) + (k - 1) // 2, 2 * (j - 1) + (k - 1) % 2
            grid = f"{community}.g{k}"
            features.append(feature(grid, f"{name}第{k}网格", "grid", community,
                                    rect(c, r, c + 1, r + 1)))
            x0, y0 = 116.30 + 0.005 * c, 39.90 + 0.005 * r
            for b, dy in ((1, 0.0016), (2, 0.0031)):
                building = f"{grid}.b{b}"
                features.append(feature(building, f"{name}{k}网格{b}号楼", "building", grid,
                                        box(x0 + 0.0016, y0 + dy, x0 + 0.0019, y0 + dy + 0.0003)))
                for u, (ux0, ux1) in ((1, (0.0016, 0.00175)), (2, (0.00175, 0.0019))):
                    features.append(feature(f"{building}.u{u}", f"{name}{k}网格{b}号楼{u}单元",
                                            "entrance", building,
                                            box(x0 + ux0, y0 + dy, x0 + ux1, y0 + dy + 0.0003)))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "city.geojson")
with open(out, "w", encoding="utf-8") as f:
    json.dump({"type": "FeatureCollection",
               "name": "示范区 demo city (made-up demo data)",
               "features": features}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"wrote {len(features)} features to {out}")
