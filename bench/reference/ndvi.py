"""Reference for the NDVI benchmark: rasterio + numpy doing what `eofn run` does for one date.

Reads red, nir (10980 px) and SCL (5490 px, nearest onto 10980), masks SCL classes, NDVI in float32,
writes a COG with GDAL's COG driver (DEFLATE, floating-point predictor, overviews, all CPUs for
compression). Prints JSON: seconds (median of runs), valid pixel count and the NDVI sum, for a check.
"""
import json, statistics, sys, time
import numpy as np
import rasterio
from rasterio.enums import Resampling

red_p, nir_p, scl_p, out_p, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
EXCLUDE = [0, 1, 3, 8, 9, 10]

def once():
    with rasterio.open(red_p) as r, rasterio.open(nir_p) as n, rasterio.open(scl_p) as s:
        red = r.read(1).astype(np.float32)
        nir = n.read(1).astype(np.float32)
        scl = s.read(1, out_shape=(r.height, r.width), resampling=Resampling.nearest)
        profile = r.profile
    with np.errstate(divide="ignore", invalid="ignore"):
        ndvi = (nir - red) / (nir + red)
    ndvi[(red == 0) | (nir == 0) | np.isin(scl, EXCLUDE) | ~np.isfinite(ndvi)] = np.nan
    profile.update(driver="COG", dtype="float32", nodata=float("nan"), compress="DEFLATE",
                   predictor=3, blocksize=512, num_threads="ALL_CPUS", count=1)
    for k in ("tiled", "blockxsize", "blockysize", "interleave"):
        profile.pop(k, None)
    with rasterio.open(out_p, "w", **profile) as dst:
        dst.write(ndvi, 1)
    return ndvi

times = []
for i in range(runs):
    t = time.perf_counter()
    ndvi = once()
    times.append(time.perf_counter() - t)
valid = np.isfinite(ndvi)
print(json.dumps({"seconds": statistics.median(times), "valid": int(valid.sum()), "sum": float(ndvi[valid].astype(np.float64).sum())}))
