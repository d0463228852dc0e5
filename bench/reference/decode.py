"""Reference timing for bench/decode.ts: full-band decode with rasterio (GDAL), median of N runs.

Usage: /usr/bin/python3 bench/reference/decode.py FILE [RUNS]
Prints one JSON line: {"seconds": median wall time, "cpu": median CPU seconds (user + system), "runs": [...],
"sum": checksum of band 1}.
"""
import json
import resource
import statistics
import sys
import time

import rasterio


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with rasterio.open(path) as src:  # warm-up: page cache and GDAL driver loading, not timed
        total = int(src.read(1).sum(dtype="uint64"))
    times, cpus = [], []
    for _ in range(runs):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        with rasterio.open(path) as src:
            src.read(1)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpus.append(after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime)
    print(json.dumps({"seconds": statistics.median(times), "cpu": statistics.median(cpus), "runs": times, "sum": total}))


if __name__ == "__main__":
    main()
