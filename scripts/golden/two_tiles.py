"""Two overlapping Sentinel-2 tiles under one parcel file: fixtures and reference results of multi-tile
parcel-aggregate jobs, made with GDAL + rasterio + numpy.

    EOFN_SHARED_S2=... /usr/bin/python3 scripts/golden/two_tiles.py fixtures   # needs ../shared/data (run once, outputs committed)
    /usr/bin/python3 scripts/golden/two_tiles.py golden     # scripts/make-golden.sh runs this one

`fixtures` writes test/fixtures/parcels/two-tiles/<item>/{B04,B08,SCL}.tif + <item>.json for 3 dates of two
tiles at 120 m in UTM 33N, around the Slovenian sample parcels:
- 33TWM: a crop of the shared 33TWM tile (its own grid, origin 499980, 5200020), the northern rows only;
- 33TWL: the real grid of the tile south of it (origin 499980, 5100020: 100 km is not a whole number of
  120 m pixels, so its rows sit 40 m off 33TWM's), its top rows only, warped from 33TWM by nearest
  neighbour, with 50 added to every valid red/NIR value so that a pixel read from the wrong tile shows.
The tiles overlap by 2.8 km: some parcels are on one tile, some on both.

`golden` writes test/golden/two-tiles/ndvi-mean-<tile>.tif (tile-reduce, NDVI mean over the 3 dates, on each
tile's own grid) and test/golden/parcel-aggregate/two-tiles-<overlap>-<tile>.csv, each tile's table as the
contract says (see parcels.py for the per-tile statistics), with the tile rule of `params.overlap`:
- all: a parcel has rows on every tile whose grid holds at least one pixel of its reach;
- one: each parcel goes to the tile whose footprint holds the centre of its bounding box (in the parcel
  file's CRS, projected to the tile's CRS) deepest, i.e. farthest from the footprint's nearest edge;
  ties to the tile id first in sort order; a parcel with no pixel on that tile is not covered.
Parcels that no tile covers have no rows.
"""
import json
import math
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import rasterio
from osgeo import gdal, ogr, osr

sys.path.insert(0, str(Path(__file__).resolve().parent))
import parcels as P  # noqa: E402

ROOT = P.ROOT
FIX = ROOT / "test/fixtures/parcels/two-tiles"
DATES = ["20230813", "20230818", "20230820"]
SAT = {"20230813": "S2B", "20230818": "S2A", "20230820": "S2B"}
# The shared data folder (../shared/data/s2-l2a-33TWM beside the clone unless EOFN_SHARED_S2 says where)
SHARED = Path(os.environ.get("EOFN_SHARED_S2", str(P.SHARED)))
PARCELS = ROOT / "sample-data/parcels/si-eurocrops-2021.fgb"
# tile: (origin x, origin y, col0, row0, cols, rows) on the tile's own 120 m grid
TILES = {
    "33TWM": (499980.0, 5200020.0, 385, 747, 90, 110),
    "33TWL": (499980.0, 5100020.0, 385, 0, 90, 60),
}


def item_id(tile, date):
    return f"{SAT[date]}_{tile}_{date}_0_L2A"


def fixtures():
    for tile, (ox, oy, c0, r0, w, h) in TILES.items():
        bounds = (ox + c0 * 120, oy - (r0 + h) * 120, ox + (c0 + w) * 120, oy - r0 * 120)
        for date in DATES:
            src_id = item_id("33TWM", date)
            iid = item_id(tile, date)
            out = FIX / iid
            out.mkdir(parents=True, exist_ok=True)
            for key, name in P.SI_ASSETS.items():
                tmp = out / f"{name}.tmp.tif"
                gdal.Warp(str(tmp), str(SHARED / src_id / name), outputBounds=bounds, xRes=120, yRes=120,
                          resampleAlg="near", format="GTiff")
                if tile == "33TWL" and key != "scl":
                    with rasterio.open(tmp, "r+") as ds:
                        a = ds.read(1)
                        a[a != 0] += 50
                        ds.write(a, 1)
                gdal.Translate(str(out / name), str(tmp), format="COG",
                               creationOptions=["COMPRESS=DEFLATE", "PREDICTOR=2", "BLOCKSIZE=64", "OVERVIEWS=NONE"])
                tmp.unlink()
            meta = json.loads((SHARED / src_id / f"{src_id}.json").read_text())
            doc = P.item_json(iid, meta["properties"]["datetime"], P.SI_ASSETS, bounds, 32633)
            doc["properties"]["grid:code"] = f"MGRS-{tile}"
            (out / f"{iid}.json").write_text(json.dumps(doc, indent=2) + "\n")
        print(tile, "bounds", bounds)


def tile_grid(tile):
    with rasterio.open(FIX / item_id(tile, DATES[0]) / "B04.tif") as src:
        return src.transform, (src.height, src.width), src.bounds


def centres():
    """Centre of each parcel's bounding box in the file's CRS, projected to EPSG:32633."""
    ds = ogr.Open(str(PARCELS))
    lyr = ds.GetLayer(0)
    src = lyr.GetSpatialRef()
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, P.srs(32633))
    out = []
    for f in lyr:
        minx, maxx, miny, maxy = f.GetGeometryRef().GetEnvelope()
        out.append(ct.TransformPoint((minx + maxx) / 2, (miny + maxy) / 2)[:2])
    return out


def reaches(g, transform, shape):
    """Whether the parcel's pixel reach (bounding box, clipped) holds a pixel of the grid."""
    minx, maxx, miny, maxy = g.GetEnvelope()
    x0, x1 = (minx - transform.c) / transform.a, (maxx - transform.c) / transform.a
    y0, y1 = (transform.f - maxy) / -transform.e, (transform.f - miny) / -transform.e
    return max(0, math.floor(x0)) < min(shape[1], math.floor(x1) + 1) and max(0, math.floor(y0)) < min(shape[0], math.floor(y1) + 1)


def ndvi_mean(tile):
    """NDVI (SCL-masked, float64, +-inf -> NaN) averaged over the dates with numpy's nanmean, as float32."""
    layers = []
    for date in DATES:
        base = FIX / item_id(tile, date)
        with rasterio.open(base / "B04.tif") as r, rasterio.open(base / "B08.tif") as n, rasterio.open(base / "SCL.tif") as s:
            red, nir, scl = r.read(1).astype(np.float64), n.read(1).astype(np.float64), s.read(1)
            profile = r.profile
        red[red == 0] = np.nan
        nir[nir == 0] = np.nan
        hidden = np.isin(scl, P.EXCLUDE)
        red[hidden] = np.nan
        nir[hidden] = np.nan
        with np.errstate(all="ignore"):
            v = (nir - red) / (nir + red)
        v[~np.isfinite(v)] = np.nan
        layers.append(v)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(np.stack(layers), axis=0).astype(np.float32)
    out = ROOT / "test/golden/two-tiles"
    out.mkdir(parents=True, exist_ok=True)
    profile.update(dtype="float32", nodata=np.nan, driver="GTiff", compress="deflate", predictor=3)
    for k in ("blockxsize", "blockysize", "tiled"):
        profile.pop(k, None)
    with rasterio.open(out / f"ndvi-mean-{tile}.tif", "w", **profile) as dst:
        dst.write(mean, 1)


def golden():
    for tile in TILES:
        ndvi_mean(tile)
    geoms = P.layer_geoms(PARCELS, ["ID"], 32633)
    grids = {t: tile_grid(t) for t in sorted(TILES)}
    owner = []
    for cx, cy in centres():
        best, score = None, -math.inf
        for t, (_, _, b) in grids.items():
            s = min(cx - b.left, b.right - cx, cy - b.bottom, b.top - cy)
            if s > score:
                best, score = t, s
        owner.append(best)
    bands = [("red", None), ("ndvi", "(nir - red) / (nir + red)")]
    mask = {"asset": "scl", "exclude": P.EXCLUDE}
    for overlap in ["one", "all"]:
        for t, (transform, shape, _) in grids.items():
            keep = [i for i, (_, g) in enumerate(geoms) if reaches(g, transform, shape) and (overlap == "all" or owner[i] == t)]
            items = [f"test/fixtures/parcels/two-tiles/{item_id(t, d)}/{item_id(t, d)}.json" for d in DATES]
            P.golden_case(f"two-tiles-{overlap}-{t}", PARCELS.relative_to(ROOT), ["ID"], items, bands, mask, "centroid", keep=keep)


if __name__ == "__main__":
    {"fixtures": fixtures, "golden": golden}[sys.argv[1]]()
