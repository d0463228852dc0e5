"""Reference timing for bench/composite.ts: median composite of N dates of one 10980 x 10980 band with numpy.

Per strip of ROWS rows (the full 12-date float32 stack would need 5.8 GB before nanmedian copies it):
read the strip of every date with rasterio, 0 -> NaN, `np.nanmedian(stack, axis=0)`, write it into a tiled
DEFLATE float32 GeoTIFF. Times the whole run and, separately, the nanmedian calls alone.

Usage: /usr/bin/python3 bench/reference/composite.py OUT.tif ROWS IN1.tif IN2.tif ...
Prints one JSON line: {"seconds": total, "nanmedian_seconds": ..., "checksum": nansum of the result}.
"""
import json
import resource
import sys
import time
import warnings

import numpy as np
import rasterio
from rasterio.windows import Window


def main() -> None:
    out_path, rows, inputs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    start = time.perf_counter()
    median_seconds = 0.0
    checksum = 0.0
    sources = [rasterio.open(p) for p in inputs]
    profile = {**sources[0].profile, "driver": "GTiff", "dtype": "float32", "nodata": np.nan, "count": 1,
               "compress": "deflate", "predictor": 3, "tiled": True, "blockxsize": 512, "blockysize": 512}
    width, height = sources[0].width, sources[0].height
    with rasterio.open(out_path, "w", **profile) as dst, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for y in range(0, height, rows):
            window = Window(0, y, width, min(rows, height - y))
            stack = np.stack([s.read(1, window=window) for s in sources]).astype(np.float32)
            stack[stack == 0] = np.nan
            t = time.perf_counter()
            result = np.nanmedian(stack, axis=0)
            median_seconds += time.perf_counter() - t
            checksum += float(np.nansum(result, dtype=np.float64))
            dst.write(result.astype(np.float32), 1, window=window)
    for s in sources:
        s.close()
    print(json.dumps({"seconds": time.perf_counter() - start, "nanmedian_seconds": median_seconds, "checksum": checksum,
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


if __name__ == "__main__":
    main()
