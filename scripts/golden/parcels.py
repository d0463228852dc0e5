"""Fixtures and reference results of the `parcel-aggregate` op, made with GDAL + rasterio + numpy.

Two subcommands:

    /usr/bin/python3 scripts/golden/parcels.py fixtures   # needs ../shared/data (run once, outputs committed)
    /usr/bin/python3 scripts/golden/parcels.py golden     # scripts/make-golden.sh runs this one

`fixtures` writes test/fixtures/parcels/:
- si-33TWM/<item>/{B04,B08,SCL}.tif + <item>.json: a crop of the shared 120 m Sentinel-2 tile 33TWM
  (3 dates) around the Slovenian sample parcels (the sample-data crop does not reach them);
- dk-synthetic/dk-synthetic.tif + .json: a synthetic but honest raster for the Danish parcels, which no
  Sentinel data here covers: UTM 32N (EPSG:32632), 10 m pixels, uint16 values of a deterministic smooth
  function of the pixel centre's coordinates, nodata 0; tiled 64 px and *sparse*: only the tiles near a
  parcel hold data, so the file covering all of Denmark stays small.

`golden` writes test/golden/parcel-aggregate/<case>.csv: the contract the engine is tested against,
written as plainly as possible:
- parcels reprojected to the raster CRS with OGR/OSR (traditional GIS axis order);
- each parcel rasterised *on its own* with rasterio.features.rasterize (GDAL) on the raster's grid,
  `all_touched` False for rule centroid, True for all-touched; overlapping parcels each get their pixels;
- per item (datetime order) and band: band values as float32, asset nodata -> NaN; mask: a pixel whose raw
  SCL value is in `exclude` is NaN in every asset; expressions in float64, cast to float32, +-inf -> NaN;
- count = non-NaN pixels under the parcel, nodata_count = NaN pixels under it; statistics in float64 over
  the float32 values: mean, population std (ddof=0), min, max, linear percentiles (numpy default);
  no valid pixel -> empty statistics (null).
"""
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
import rasterio
from osgeo import gdal, ogr, osr
from rasterio.features import rasterize

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "test/fixtures/parcels"
GOLD = ROOT / "test/golden/parcel-aggregate"
SHARED = ROOT.parent / "shared/data/s2-l2a-33TWM"
SI_ITEMS = ["S2B_33TWM_20230813_0_L2A", "S2A_33TWM_20230818_0_L2A", "S2B_33TWM_20230820_0_L2A"]
SI_ASSETS = {"red": "B04.tif", "nir": "B08.tif", "scl": "SCL.tif"}
EXCLUDE = [0, 1, 3, 8, 9, 10]
STATS = ["mean", "std", "min", "max", "p25", "p50", "p75"]


def srs(code):
    s = osr.SpatialReference()
    s.ImportFromEPSG(code)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def layer_geoms(path, id_props, to_epsg):
    """[(id, ogr geometry in EPSG:to_epsg)] in file order."""
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    src = lyr.GetSpatialRef()
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, srs(to_epsg))
    out = []
    for f in lyr:
        g = f.GetGeometryRef().Clone()
        g.Transform(ct)
        out.append(("/".join(str(f.GetField(p)) for p in id_props), g))
    return out


def item_json(item_id, dt, assets, bounds, crs_epsg):
    t = osr.CoordinateTransformation(srs(crs_epsg), srs(4326))
    (x0, y0, x1, y1) = bounds
    ring = [t.TransformPoint(x, y)[:2] for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return {
        "type": "Feature", "stac_version": "1.1.0", "id": item_id,
        "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
        "bbox": [min(lons), min(lats), max(lons), max(lats)],
        "properties": {"datetime": dt, "proj:epsg": crs_epsg},
        "assets": {k: {"href": f"./{v}", "type": "image/tiff; application=geotiff", "roles": ["data"]} for k, v in assets.items()},
        "links": [],
    }


def make_si():
    geoms = layer_geoms(ROOT / "sample-data/parcels/si-eurocrops-2021.fgb", ["ID"], 32633)
    env = [g.GetEnvelope() for _, g in geoms]  # (minx, maxx, miny, maxy)
    minx, maxx = min(e[0] for e in env), max(e[1] for e in env)
    miny, maxy = min(e[2] for e in env), max(e[3] for e in env)
    with rasterio.open(SHARED / SI_ITEMS[0] / "B04.tif") as src:
        t = src.transform
    col0 = int(math.floor((minx - t.c) / t.a)) - 2
    col1 = int(math.ceil((maxx - t.c) / t.a)) + 2
    row0 = int(math.floor((t.f - maxy) / -t.e)) - 2
    row1 = int(math.ceil((t.f - miny) / -t.e)) + 2
    win = [col0, row0, col1 - col0, row1 - row0]
    bounds = (t.c + col0 * t.a, t.f + row1 * t.e, t.c + col1 * t.a, t.f + row0 * t.e)
    for item in SI_ITEMS:
        out = FIX / "si-33TWM" / item
        out.mkdir(parents=True, exist_ok=True)
        for name in SI_ASSETS.values():
            gdal.Translate(str(out / name), str(SHARED / item / name), srcWin=win, format="COG",
                           creationOptions=["COMPRESS=DEFLATE", "PREDICTOR=2", "BLOCKSIZE=64", "OVERVIEWS=NONE"])
        meta = json.loads((SHARED / item / f"{item}.json").read_text())
        doc = item_json(item, meta["properties"]["datetime"], SI_ASSETS, bounds, 32633)
        (out / f"{item}.json").write_text(json.dumps(doc, indent=2) + "\n")
    print("si window", win, "bounds", bounds)


def synthetic(x, y):
    """Deterministic smooth values (uint16, 1..10000) of pixel-centre coordinates in metres."""
    v = 5000 + 2500 * np.sin(x / 157.0) * np.cos(y / 211.0) + 1500 * np.sin((x + 2 * y) / 97.0)
    return np.clip(np.round(v), 1, 10000).astype(np.uint16)


def make_dk():
    geoms = layer_geoms(ROOT / "sample-data/parcels/dk-marker-2026.geojson", ["Journalnr", "Marknr"], 32632)
    res, margin, block = 10.0, 30.0, 256
    env = [g.GetEnvelope() for _, g in geoms]
    x0 = math.floor((min(e[0] for e in env) - 1000) / 1000) * 1000
    y1 = math.ceil((max(e[3] for e in env) + 1000) / 1000) * 1000
    x1 = math.ceil((max(e[1] for e in env) + 1000) / 1000) * 1000
    y0 = math.floor((min(e[2] for e in env) - 1000) / 1000) * 1000
    width, height = int((x1 - x0) / res), int((y1 - y0) / res)
    out = FIX / "dk-synthetic"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "dk-synthetic.tif"
    profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="uint16", nodata=0,
                   crs="EPSG:32632", transform=rasterio.Affine(res, 0, x0, 0, -res, y1),
                   tiled=True, blockxsize=block, blockysize=block, compress="deflate", predictor=2, sparse_ok=True)
    with rasterio.open(path, "w", **profile) as dst:
        for mnx, mxx, mny, mxy in env:
            c0 = max(0, int((mnx - margin - x0) // res)); c1 = min(width, int((mxx + margin - x0) // res) + 1)
            r0 = max(0, int((y1 - mxy - margin) // res)); r1 = min(height, int((y1 - mny + margin) // res) + 1)
            cols = np.arange(c0, c1); rows = np.arange(r0, r1)
            xx = x0 + (cols[None, :] + 0.5) * res
            yy = y1 - (rows[:, None] + 0.5) * res
            dst.write(synthetic(xx, yy), 1, window=rasterio.windows.Window(c0, r0, c1 - c0, r1 - r0))
        dst.update_tags(TIFFTAG_DATETIME="2024:06:01 10:30:00")
    doc = item_json("dk-synthetic-20240601", "2024-06-01T10:30:00Z", {"value": "dk-synthetic.tif"}, (x0, y0, x1, y1), 32632)
    (out / "dk-synthetic.json").write_text(json.dumps(doc, indent=2) + "\n")
    print("dk grid", width, height, "origin", x0, y1)


def read_item(item_json_path, keys):
    doc = json.loads(Path(item_json_path).read_text())
    base = Path(item_json_path).parent
    return doc, {k: base / doc["assets"][k]["href"] for k in keys}


def band_values(paths, bands, mask):
    """{band name: float32 array} for one item, per the contract in the module doc."""
    arrays = {}
    for key, p in paths.items():
        with rasterio.open(p) as src:
            a = src.read(1)
            nodata = src.nodata
            arrays[key] = (a, nodata, src.transform, src.crs)
    vals = {}
    for key, (a, nodata, _, _) in arrays.items():
        if mask and key == mask["asset"]:
            continue
        f = a.astype(np.float32)
        if nodata is not None:
            f[a == nodata] = np.nan
        vals[key] = f
    if mask:
        m = np.isin(arrays[mask["asset"]][0], mask["exclude"])
        for f in vals.values():
            f[m] = np.nan
    out = {}
    for name, expr in bands:
        if expr is None:
            out[name] = vals[name]
        else:
            with np.errstate(all="ignore"):
                env = {k: v.astype(np.float64) for k, v in vals.items()}
                r = eval(expr, {"__builtins__": {}}, env).astype(np.float32)
            r[~np.isfinite(r)] = np.nan
            out[name] = r
    return out


def stats_of(v):
    if v.size == 0:
        return [None] * len(STATS)
    d = v.astype(np.float64)
    p = np.percentile(d, [25, 50, 75])
    return [d.mean(), d.std(), d.min(), d.max(), p[0], p[1], p[2]]


def golden_case(name, parcels, id_props, items, bands, mask, rule, keep=None):
    """keep: indexes of the parcels to write (all by default), in file order."""
    keys = sorted({b[0] for b in bands if b[1] is None} | {k for _, e in bands if e for k in SI_ASSETS if k in e} | ({"value"} if any(b[0] == "value" for b in bands) else set()) | ({mask["asset"]} if mask else set()))
    docs = [read_item(ROOT / i, keys) for i in items]
    docs.sort(key=lambda d: d[0]["properties"]["datetime"])
    with rasterio.open(next(iter(docs[0][1].values()))) as src:
        shape, transform, epsg = (src.height, src.width), src.transform, src.crs.to_epsg()
    geoms = layer_geoms(ROOT / parcels, id_props, epsg)
    masks = []
    for _, g in geoms:
        # Rasterised on the grid-aligned window around the parcel (a whole 21300 x 27600 grid per parcel
        # would take minutes); the window's transform is the grid's, shifted by whole pixels.
        minx, maxx, miny, maxy = g.GetEnvelope()
        c0 = max(0, int(math.floor((minx - transform.c) / transform.a)) - 2)
        c1 = min(shape[1], int(math.floor((maxx - transform.c) / transform.a)) + 3)
        r0 = max(0, int(math.floor((transform.f - maxy) / -transform.e)) - 2)
        r1 = min(shape[0], int(math.floor((transform.f - miny) / -transform.e)) + 3)
        if c0 >= c1 or r0 >= r1:
            masks.append((np.zeros(0, int), np.zeros(0, int)))
            continue
        gj = json.loads(g.ExportToJson())
        sub = rasterio.windows.transform(rasterio.windows.Window(c0, r0, c1 - c0, r1 - r0), transform)
        rr, cc = np.nonzero(rasterize([(gj, 1)], out_shape=(r1 - r0, c1 - c0), transform=sub, fill=0,
                                      all_touched=(rule == "all-touched"), dtype="uint8"))
        masks.append((rr + r0, cc + c0))
    per_item = [(doc, band_values(paths, bands, mask)) for doc, paths in docs]
    GOLD.mkdir(parents=True, exist_ok=True)
    with open(GOLD / f"{name}.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["parcel_id", "item_id", "datetime", "band", "count", "nodata_count"] + STATS)
        for i, ((pid, _), idx) in enumerate(zip(geoms, masks)):
            if keep is not None and i not in keep:
                continue
            for doc, vals in per_item:
                for bname, _ in bands:
                    v = vals[bname][idx]
                    ok = v[~np.isnan(v)]
                    row = [pid, doc["id"], doc["properties"]["datetime"], bname, int(ok.size), int(v.size - ok.size)]
                    w.writerow(row + ["" if s is None else repr(float(s)) for s in stats_of(ok)])
    print(name, len(geoms), "parcels")


def golden():
    si_items = [f"test/fixtures/parcels/si-33TWM/{i}/{i}.json" for i in SI_ITEMS]
    si_bands = [("red", None), ("ndvi", "(nir - red) / (nir + red)")]
    si_mask = {"asset": "scl", "exclude": EXCLUDE}
    for rule in ["centroid", "all-touched"]:
        golden_case(f"si-fgb-{rule}", "sample-data/parcels/si-eurocrops-2021.fgb", ["ID"], si_items, si_bands, si_mask, rule)
        golden_case(f"dk-marker-{rule}", "sample-data/parcels/dk-marker-2026.geojson", ["Journalnr", "Marknr"],
                    ["test/fixtures/parcels/dk-synthetic/dk-synthetic.json"], [("value", None)], None, rule)
    golden_case("si-geojson-centroid", "sample-data/parcels/si-eurocrops-2021.geojson", ["ID"], si_items, si_bands, si_mask, "centroid")
    versions = {"gdal": gdal.__version__, "rasterio": rasterio.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    (GOLD / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")


if __name__ == "__main__":
    {"fixtures": lambda: (make_si(), make_dk()), "golden": golden}[sys.argv[1]]()
