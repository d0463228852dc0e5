"""Reference timing for bench/parcels.ts: per-parcel count / mean / std of one 10980 x 10980 band with
rasterio + numpy, the way it is usually done at scale: rasterize every parcel id into one label image
(GDAL, pixel centre rule) and `numpy.bincount` count, sum and sum of squares of the valid pixels.
Timed: reading the parcels (GeoJSON), decoding the band, rasterizing, the bincounts, mean/std. Not done:
percentiles (bincount cannot; eofn computes p25/p50/p75 as well) and writing a table.

Usage: /usr/bin/python3 bench/reference/parcels.py PARCELS.geojson BAND.tif [RUNS]
Prints one JSON line: {"seconds": median wall time, "runs": [...], "parcels": n, "pixels": total count,
"checksum": sum over parcels of count * (parcel index + 1), "phases": median seconds of parse, decode,
rasterize and bincount (mask, bincounts, mean/std)}.
"""
import json
import statistics
import sys
import time

import numpy as np
import rasterio
from rasterio.features import rasterize


def once(parcels_path, band_path, phases=None):
    start = time.perf_counter()
    with open(parcels_path) as fh:
        features = json.load(fh)["features"]
    parsed = time.perf_counter()
    with rasterio.open(band_path) as src:
        band = src.read(1)
        nodata = src.nodata
        transform, shape = src.transform, (src.height, src.width)
    decoded = time.perf_counter()
    labels = rasterize(((f["geometry"], i + 1) for i, f in enumerate(features)), out_shape=shape,
                       transform=transform, fill=0, dtype="int32")
    rasterized = time.perf_counter()
    valid = (labels > 0) & (band != nodata)
    lab = labels[valid]
    vals = band[valid].astype(np.float64)
    n = len(features) + 1
    count = np.bincount(lab, minlength=n)
    total = np.bincount(lab, weights=vals, minlength=n)
    sq = np.bincount(lab, weights=vals * vals, minlength=n)
    with np.errstate(all="ignore"):
        mean = total / count
        std = np.sqrt(np.maximum(sq / count - mean * mean, 0))
    if phases is not None:
        for name, seconds in (("parse", parsed - start), ("decode", decoded - parsed), ("rasterize", rasterized - decoded),
                              ("bincount", time.perf_counter() - rasterized)):
            phases.setdefault(name, []).append(seconds)
    return count[1:], mean[1:], std[1:]


def main():
    parcels_path, band_path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    count, _, _ = once(parcels_path, band_path)  # warm-up: page cache, GDAL drivers
    times = []
    phases = {}
    for _ in range(runs):
        start = time.perf_counter()
        once(parcels_path, band_path, phases)
        times.append(time.perf_counter() - start)
    checksum = int(np.sum(count.astype(np.int64) * np.arange(1, len(count) + 1, dtype=np.int64)))
    print(json.dumps({"seconds": statistics.median(times), "runs": times, "parcels": int(len(count)),
                      "pixels": int(count.sum()), "checksum": checksum,
                      "phases": {name: statistics.median(v) for name, v in phases.items()}}))


if __name__ == "__main__":
    main()
