"""Reference for bench/parcelsNational.ts: pixel counts of the parcels of a national FlatGeobuf that lie
wholly inside one 10980 x 10980 band, with GDAL + rasterio + numpy: OGR reads the parcels meeting the tile
(its spatial index, as eofn does), rasterio rasterizes their ids (pixel-centre rule) and numpy.bincount
counts valid pixels. Timed: read, decode, rasterize, bincount.

Usage: /usr/bin/python3 bench/reference/parcels_tile.py PARCELS.fgb BAND.tif OUT.json
Prints {"seconds", "parcels", "inside", "phases"}; writes {id: count} of the parcels wholly inside to OUT.json.
"""
import json
import sys
import time

import numpy as np
import rasterio
from osgeo import ogr
from rasterio.features import rasterize


def main():
    parcels_path, band_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    t0 = time.perf_counter()
    with rasterio.open(band_path) as src:
        b = src.bounds
        transform, shape, nodata = src.transform, (src.height, src.width), src.nodata
    ds = ogr.Open(parcels_path)
    lyr = ds.GetLayer(0)
    lyr.SetSpatialFilterRect(b.left, b.bottom, b.right, b.top)
    ids, shapes, inside = [], [], []
    for f in lyr:
        g = f.GetGeometryRef()
        minx, maxx, miny, maxy = g.GetEnvelope()
        ids.append(f.GetField("id"))
        shapes.append(json.loads(g.ExportToJson()))
        inside.append(minx >= b.left and maxx <= b.right and miny >= b.bottom and maxy <= b.top)
    t1 = time.perf_counter()
    with rasterio.open(band_path) as src:
        band = src.read(1)
    t2 = time.perf_counter()
    labels = rasterize(((s, i + 1) for i, s in enumerate(shapes)), out_shape=shape, transform=transform, fill=0, dtype="int32")
    t3 = time.perf_counter()
    valid = (labels > 0) & (band != nodata)
    count = np.bincount(labels[valid], minlength=len(ids) + 1)[1:]
    t4 = time.perf_counter()
    with open(out, "w") as fh:
        json.dump({i: int(c) for i, c, ins in zip(ids, count, inside) if ins}, fh)
    print(json.dumps({"seconds": t4 - t0, "parcels": len(ids), "inside": int(sum(inside)),
                      "phases": {"read": t1 - t0, "decode": t2 - t1, "rasterize": t3 - t2, "bincount": t4 - t3}}))


if __name__ == "__main__":
    main()
