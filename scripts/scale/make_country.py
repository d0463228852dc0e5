"""A country-year job to plan at scale: Denmark's parcels (synthetic) under every Sentinel-2 acquisition of
a season over the real MGRS tiles that cover them. Writes into OUT:
- parcels.fgb: N jittered square parcels (1.5-4 ha) in ETRS89 / UTM 32N (EPSG:25832, as Danish LPIS), spread
  over five rectangles standing for Jutland, Funen, Zealand, Lolland-Falster and Bornholm in proportion to
  their land area; GDAL's FlatGeobuf with its spatial index;
- tiles/<tile>/{B04,B08}.tif (10980 x 10980, 10 m) and SCL.tif (5490 x 5490, 20 m): the real grid of each
  Sentinel-2 tile (UTM 32N/33N) that meets a rectangle, sparse (no pixel data: a plan reads headers only);
- job.json: parcel-aggregate (red, nir, NDVI, SCL mask) over items named as the Copernicus archive names
  them (S2A/S2B_<tile>_<date>_0_L2A), one per tile and acquisition, every 5 days from 1 April to 30 September
  2024 on each tile's own orbit phase;
- ndvi-job.json: tile-reduce, the NDVI median of 12 of those dates per tile (docs/dias.md's example).

Usage: /usr/bin/python3 scripts/scale/make_country.py OUT [N]   (N default 600000)
"""
import datetime
import json
import math
import sys
from pathlib import Path

from osgeo import gdal, ogr, osr

COLS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
ROWS = "ABCDEFGHJKLMNPQRSTUV"
BANDS = "CDEFGHJKLMNPQRSTUVWX"
# lon0, lat0, lon1, lat1, land km2
PIECES = {
    "Jutland": (8.1, 54.8, 10.6, 57.75, 29775),
    "Funen": (9.7, 55.0, 10.9, 55.65, 3100),
    "Zealand": (10.9, 54.95, 12.7, 56.1, 7000),
    "Lolland-Falster": (11.0, 54.55, 12.2, 54.95, 1800),
    "Bornholm": (14.68, 54.98, 15.16, 55.3, 590),
}


def srs(code):
    s = osr.SpatialReference()
    s.ImportFromEPSG(code)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def tiles_meeting(pieces):
    """{tile: (epsg, x0, y1)} of Sentinel-2 tiles (109.8 km, origin 20 m west/north of a 100 km square)."""
    out = {}
    wgs = srs(4326)
    for zone in (32, 33):
        to_utm = osr.CoordinateTransformation(wgs, srs(32600 + zone))
        west, east = -180 + (zone - 1) * 6 - 1.0, -180 + zone * 6 + 1.0
        for lon0, lat0, lon1, lat1, _ in pieces.values():
            a, b = max(lon0, west), min(lon1, east)
            if a >= b:
                continue
            pts = [to_utm.TransformPoint(a + (b - a) * i / 8, lat0 + (lat1 - lat0) * j / 8)[:2] for i in range(9) for j in range(9)]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            for e in range(int(min(xs) // 100000) - 1, int(max(xs) // 100000) + 1):
                for n in range(int(min(ys) // 100000) - 1, int(max(ys) // 100000) + 1):
                    x0, y1 = e * 100000 - 20, (n + 1) * 100000 + 20
                    if x0 + 109800 < min(xs) or x0 > max(xs) or y1 - 109800 > max(ys) or y1 < min(ys) or not 1 <= e <= 8:
                        continue
                    col = COLS[((zone - 1) % 3) * 8 + e - 1]
                    row = ROWS[(n + (5 if zone % 2 == 0 else 0)) % 20]
                    lat = osr.CoordinateTransformation(srs(32600 + zone), wgs).TransformPoint(e * 100000 + 50000, n * 100000 + 50000)[1]
                    out[f"{zone}{BANDS[int((lat + 80) // 8)]}{col}{row}"] = (32600 + zone, float(x0), float(y1))
    return dict(sorted(out.items()))


def write_parcels(path, n):
    total_area = sum(p[4] for p in PIECES.values())
    to_utm = osr.CoordinateTransformation(srs(4326), srs(25832))
    ds = ogr.GetDriverByName("FlatGeobuf").CreateDataSource(str(path))
    lyr = ds.CreateLayer("parcels", srs(25832), ogr.wkbPolygon, options=["SPATIAL_INDEX=YES"])
    lyr.CreateField(ogr.FieldDefn("id", ogr.OFTString))
    defn = lyr.GetLayerDefn()
    seed = 7

    def rand():
        nonlocal seed
        seed = (seed * 1103515245 + 12345) % 2147483648
        return seed / 2147483648

    lyr.StartTransaction()
    k = 0
    for name, (lon0, lat0, lon1, lat1, area) in PIECES.items():
        count = round(n * area / total_area) if name != "Bornholm" else n - k
        corners = [to_utm.TransformPoint(lon, lat)[:2] for lon, lat in ((lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1))]
        x0, x1 = min(c[0] for c in corners), max(c[0] for c in corners)
        y0, y1 = min(c[1] for c in corners), max(c[1] for c in corners)
        step = math.sqrt((x1 - x0) * (y1 - y0) / count)
        cols = max(1, int((x1 - x0) // step))
        for i in range(count):
            cx, cy = x0 + (i % cols + 0.5) * step, y0 + (i // cols + 0.5) * step
            half = math.sqrt((1.5 + 2.5 * rand()) * 1e4) / 2
            ring = [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half), (cx - half, cy - half)]
            f = ogr.Feature(defn)
            f.SetField("id", f"DK{k:07d}")
            f.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON((" + ",".join(f"{x:.2f} {y:.2f}" for x, y in ring) + "))"))
            lyr.CreateFeature(f)
            k += 1
    lyr.CommitTransaction()
    ds = None
    return k


def write_tile(folder, epsg, x0, y1):
    folder.mkdir(parents=True, exist_ok=True)
    for name, size, res, dtype in (("B04", 10980, 10, gdal.GDT_UInt16), ("B08", 10980, 10, gdal.GDT_UInt16), ("SCL", 5490, 20, gdal.GDT_Byte)):
        path = folder / f"{name}.tif"
        if path.exists():
            continue
        ds = gdal.GetDriverByName("GTiff").Create(str(path), size, size, 1, dtype,
                                                  ["TILED=YES", "BLOCKXSIZE=1024", "BLOCKYSIZE=1024", "COMPRESS=DEFLATE", "SPARSE_OK=TRUE"])
        ds.SetGeoTransform((x0, res, 0, y1, 0, -res))
        ds.SetProjection(srs(epsg).ExportToWkt())
        ds.GetRasterBand(1).SetNoDataValue(0)
        ds = None


def main():
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 600000
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "parcels.fgb").exists():
        print("parcels", write_parcels(out / "parcels.fgb", n))
    tiles = tiles_meeting(PIECES)
    items = []
    for t, (epsg, x0, y1) in tiles.items():
        write_tile(out / "tiles" / t, epsg, x0, y1)
        phase = sum(map(ord, t)) % 5
        for k, day in enumerate(range(phase, 183, 5)):
            date = datetime.date(2024, 4, 1) + datetime.timedelta(days=day)
            sat = "S2A" if k % 2 == 0 else "S2B"
            items.append({
                "type": "Feature", "stac_version": "1.1.0", "id": f"{sat}_{t}_{date:%Y%m%d}_0_L2A", "geometry": None,
                "properties": {"datetime": f"{date:%Y-%m-%d}T10:30:00Z", "grid:code": f"MGRS-{t}", "proj:epsg": epsg},
                "assets": {k2: {"href": str((out / "tiles" / t / f"{f}.tif").resolve())} for k2, f in (("red", "B04"), ("nir", "B08"), ("scl", "SCL"))},
            })
    job = {
        "op": "parcel-aggregate", "items": items,
        "params": {"parcels": "parcels.fgb", "idProperty": "id", "assets": ["red", "nir"],
                   "expressions": {"ndvi": "(nir - red) / (nir + red)"}, "mask": {"asset": "scl", "exclude": [0, 1, 3, 8, 9, 10]}},
        "output": "out",
    }
    (out / "job.json").write_text(json.dumps(job))
    # docs/dias.md's example on the same tiles: NDVI median of 12 dates per tile, spread over the season.
    ndvi = []
    for t in tiles:
        own = [i for i in items if i["properties"]["grid:code"] == f"MGRS-{t}"]
        ndvi += [own[round(k * (len(own) - 1) / 11)] for k in range(12)]
    (out / "ndvi-job.json").write_text(json.dumps({
        "op": "tile-reduce", "items": ndvi,
        "params": {"expression": "(nir - red) / (nir + red)", "reducer": "median", "mask": {"asset": "scl", "exclude": [3, 8, 9, 10]}},
        "output": "out-ndvi",
    }))
    print("tiles", len(tiles), " ".join(tiles), "items", len(items))


if __name__ == "__main__":
    main()
