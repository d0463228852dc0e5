"""Writes the STAC items and the demo job of sample-data/, and checks the cropped pixels.

Run by scripts/make-sample-data.sh after gdal_translate has cut the COGs:

    /usr/bin/python3 scripts/golden/sample_items.py ../shared/data/s2-l2a-33TWM sample-data 96 224 256

Each item is the real Earth Search item trimmed to the fields the engine uses, with geometry, bbox,
proj:shape and proj:transform recomputed for the crop and local relative hrefs.
"""
import json
import sys
from pathlib import Path

import numpy as np
import rasterio
from rasterio.warp import transform as warp_transform
from rasterio.windows import Window

ASSETS = {"blue": "B02", "green": "B03", "red": "B04", "nir": "B08", "scl": "SCL"}
COG_TYPE = "image/tiff; application=geotiff; profile=cloud-optimized"
KEPT_PROPERTIES = [
    "datetime", "platform", "constellation", "instruments", "eo:cloud_cover", "proj:epsg",
    "grid:code", "mgrs:utm_zone", "mgrs:latitude_band", "mgrs:grid_square",
]
KEPT_EXTENSIONS = ("/eo/", "/grid/", "/mgrs/", "/projection/", "/raster/")


def clip_polygon(ring, left, bottom, right, top):
    """Sutherland-Hodgman: clips a ring against an axis-aligned rectangle (convex, so exact)."""
    def clip(points, inside, cut):
        out = []
        for i, cur in enumerate(points):
            prev = points[i - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
        return out

    def at_x(x):
        return lambda p, q: (x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0]))

    def at_y(y):
        return lambda p, q: (p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y)

    pts = ring[:-1] if ring[0] == ring[-1] else ring
    pts = clip(pts, lambda p: p[0] >= left, at_x(left))
    pts = clip(pts, lambda p: p[0] <= right, at_x(right))
    pts = clip(pts, lambda p: p[1] >= bottom, at_y(bottom))
    pts = clip(pts, lambda p: p[1] <= top, at_y(top))
    return pts


def crop_footprint(geometry, crs, bounds):
    """The source footprint cut to the crop, in WGS84, counter-clockwise as RFC 7946 asks."""
    ring = geometry["coordinates"][0]
    xs, ys = warp_transform("EPSG:4326", crs, [p[0] for p in ring], [p[1] for p in ring])
    clipped = clip_polygon(list(zip(xs, ys)), *bounds)
    lons, lats = warp_transform(crs, "EPSG:4326", [p[0] for p in clipped], [p[1] for p in clipped])
    pts = [(round(x, 7), round(y, 7)) for x, y in zip(lons, lats)]
    pts = [p for i, p in enumerate(pts) if p != pts[i - 1]]
    area2 = sum(pts[i - 1][0] * p[1] - p[0] * pts[i - 1][1] for i, p in enumerate(pts))
    if area2 < 0:
        pts.reverse()
    pts.append(pts[0])
    bbox = [min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts)]
    return {"type": "Polygon", "coordinates": [[list(p) for p in pts]]}, bbox


def check_pixels(src_dir, dst_dir, window):
    """Bands must be the source pixels unchanged; SCL must be one 120 m pixel out of each 2 x 2."""
    for band in ("B02", "B03", "B04", "B08"):
        with rasterio.open(src_dir / f"{band}.tif") as s, rasterio.open(dst_dir / f"{band}.tif") as d:
            if not np.array_equal(s.read(1, window=window), d.read(1)):
                sys.exit(f"{dst_dir.name}/{band}.tif differs from the source window")
    with rasterio.open(src_dir / "SCL.tif") as s, rasterio.open(dst_dir / "SCL.tif") as d:
        # A 240 m pixel centre falls on the corner of four 120 m pixels; GDAL's nearest takes the
        # lower-right one, i.e. scl120[1::2, 1::2].
        if not np.array_equal(s.read(1, window=window)[1::2, 1::2], d.read(1)):
            sys.exit(f"{dst_dir.name}/SCL.tif is not scl120[1::2, 1::2]")


def make_asset(src_asset, path):
    with rasterio.open(path) as ds:
        asset = {
            "href": f"./{path.name}",
            "type": COG_TYPE,
            "title": src_asset["title"].replace(" - 10m", " - 120 m crop"),
            "proj:shape": [ds.height, ds.width],
            "proj:transform": list(ds.transform)[:6],
            "raster:bands": [{
                "nodata": int(ds.nodata),
                "data_type": ds.dtypes[0],
                "spatial_resolution": ds.res[0],
            }],
            "roles": src_asset["roles"],
        }
    if "eo:bands" in src_asset:
        asset["eo:bands"] = src_asset["eo:bands"]
    return asset


def make_item(src_item, dst_dir, window):
    with rasterio.open(dst_dir / "B04.tif") as ds:
        crs, bounds = ds.crs.to_string(), tuple(ds.bounds)
    geometry, bbox = crop_footprint(src_item["geometry"], crs, bounds)
    props = src_item["properties"]
    canonical = next(l["href"] for l in src_item["links"] if l["rel"] == "canonical")
    thumbnail = next(l["href"] for l in src_item["links"] if l["rel"] == "thumbnail")
    links = [
        {"rel": "derived_from", "href": canonical, "type": "application/json",
         "title": f"Earth Search item {src_item['id']}: this item is its window "
                  f"x={window.col_off} y={window.row_off} {window.width}x{window.height} px of the 120 m tile"},
        {"rel": "via", "href": thumbnail.rsplit("/thumbnail", 1)[0], "type": "application/geo+json"},
    ] + [l for l in src_item["links"] if l["rel"] == "license"]
    return {
        "type": "Feature",
        "stac_version": src_item["stac_version"],
        "stac_extensions": [e for e in src_item["stac_extensions"] if any(k in e for k in KEPT_EXTENSIONS)],
        "id": src_item["id"],
        "geometry": geometry,
        "bbox": bbox,
        "properties": {k: props[k] for k in KEPT_PROPERTIES if k in props},
        "links": links,
        "assets": {key: make_asset(src_item["assets"][key], dst_dir / f"{name}.tif")
                   for key, name in ASSETS.items()},
    }


def main():
    src_root, out_root = Path(sys.argv[1]), Path(sys.argv[2])
    x, y, size = (int(v) for v in sys.argv[3:6])
    window = Window(x, y, size, size)
    items = []
    for src_dir in sorted(p for p in src_root.iterdir() if p.is_dir()):
        dst_dir = out_root / "s2-l2a-33TWM" / src_dir.name
        check_pixels(src_dir, dst_dir, window)
        src_item = json.loads((src_dir / f"{src_dir.name}.json").read_text())
        item = make_item(src_item, dst_dir, window)
        (dst_dir / f"{item['id']}.json").write_text(json.dumps(item, indent=2) + "\n")
        items.append(item)
    items.sort(key=lambda it: it["properties"]["datetime"])
    job = {
        "op": "tile-reduce",
        "items": [f"../s2-l2a-33TWM/{it['id']}/{it['id']}.json" for it in items],
        "params": {
            "expression": "(nir - red) / (nir + red)",
            "reducer": "median",
            "mask": {"asset": "scl", "exclude": [0, 1, 3, 8, 9, 10]},
        },
        "output": "out/ndvi-demo",
    }
    (out_root / "jobs").mkdir(parents=True, exist_ok=True)
    (out_root / "jobs" / "ndvi-demo.json").write_text(json.dumps(job, indent=2) + "\n")
    print(f"{len(items)} items written, pixels checked")


if __name__ == "__main__":
    main()
