"""Reference results of the `composite` op over the 5 sample items, made with numpy + rasterio.

The engine is tested against these files, so this script *is* the contract:

- items in datetime order; each asset read as float64, a pixel equal to the asset's nodata is NaN;
- the `scl` mask is brought onto the band grid by nearest neighbour (the 240 m pixel holding each 120 m
  pixel's centre: scl[row // 2, col // 2]); a pixel whose raw SCL value (0 included) is in `exclude` is
  NaN in every asset of that item;
- one date is one observation of all assets read: where any of them is NaN, all are NaN (so every band
  of a pixel uses the same dates); `count` = number of valid dates;
- statistics: numpy nan-functions across dates (median of an even count = mean of the middle two,
  percentiles 'linear'), computed in float64, written as float32 (NaN where no valid date, count 0);
- `last` and `max-ndvi` (like min/max/first) keep the input type (uint16), nodata 0;
- max-ndvi: per pixel, all assets from the date with the highest NDVI = (nir - red) / (nir + red) in
  float64; ties keep the earliest date (a date replaces the best only when strictly greater).

Usage (scripts/make-golden.sh runs it):

    /usr/bin/python3 scripts/golden/composite.py sample-data/jobs/composite-demo.json test/golden/composite
"""
import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import rasterio

from series import first_valid, load_items

ASSETS = ["red", "green", "blue", "nir"]
EXCLUDE = [0, 1, 3, 8, 9, 10]


def read_asset(item_path, item, key):
    with rasterio.open(item_path.parent / item["assets"][key]["href"]) as ds:
        data = ds.read(1).astype(np.float64)
        if ds.nodata is not None:
            data[data == ds.nodata] = np.nan
        return data, ds.profile


def scl_on_grid(item_path, item, shape):
    with rasterio.open(item_path.parent / item["assets"]["scl"]["href"]) as ds:
        raw = ds.read(1)
    rows = np.arange(shape[0]) // 2
    cols = np.arange(shape[1]) // 2
    return raw[rows[:, None], cols[None, :]]


def stack(items, mask=True):
    """(dates, assets, rows, cols) float64 with joint validity applied, and the band profile."""
    dates = []
    for path, item in items:
        layers = []
        for key in ASSETS:
            data, profile = read_asset(path, item, key)
            layers.append(data)
        layers = np.stack(layers)
        if mask:
            layers[:, np.isin(scl_on_grid(path, item, layers.shape[1:]), EXCLUDE)] = np.nan
        layers[:, np.isnan(layers).any(axis=0)] = np.nan
        dates.append(layers)
    return np.stack(dates), profile


def max_ndvi(s):
    red, nir = s[:, ASSETS.index("red")], s[:, ASSETS.index("nir")]
    best = np.full(red.shape[1:], np.nan)
    picked = np.full(s.shape[1:], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for d in range(s.shape[0]):
            ndvi = (nir[d] - red[d]) / (nir[d] + red[d])
            ndvi = np.where(np.isnan(ndvi), -np.inf, ndvi)
            valid = ~np.isnan(red[d])
            take = valid & (np.isnan(best) | (ndvi > best))
            best[take] = ndvi[take]
            picked[:, take] = s[d][:, take]
    return picked


STATISTICS = {
    "median": lambda s: np.nanmedian(s, axis=0),
    "mean": lambda s: np.nanmean(s, axis=0),
    "p25": lambda s: np.nanpercentile(s, 25, axis=0, method="linear"),
}
PICKING = {
    "last": lambda s: first_valid(s, reverse=True),
    "max-ndvi": max_ndvi,
}


def write(path, bands, profile, dtype, nodata):
    out = {**profile, "driver": "GTiff", "count": len(bands), "dtype": dtype, "nodata": nodata,
           "compress": "deflate", "predictor": 3 if dtype == "float32" else 2, "tiled": False}
    out.pop("blockxsize", None), out.pop("blockysize", None)
    with rasterio.open(path, "w", **out) as ds:
        for b, (name, data) in enumerate(bands, start=1):
            ds.write(data, b)
            ds.set_band_description(b, name)


def main():
    job_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    items, job = load_items(job_path)
    if job["params"]["mask"]["exclude"] != EXCLUDE or job["params"]["assets"] != ASSETS:
        sys.exit("the demo job changed: update ASSETS/EXCLUDE and the README")
    s, profile = stack(items)
    count = (~np.isnan(s[:, 0])).sum(axis=0).astype(np.float64)
    files = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels are expected
        for name, fn in STATISTICS.items():
            result = fn(s)
            bands = [(k, result[a].astype(np.float32)) for a, k in enumerate(ASSETS)] + [("count", count.astype(np.float32))]
            write(out_dir / f"composite-{name}.tif", bands, profile, "float32", np.nan)
            files[name] = bands
        for name, fn in PICKING.items():
            result = fn(s)
            as_u16 = lambda a: np.where(np.isnan(a), 0, a).astype(np.uint16)
            bands = [(k, as_u16(result[a])) for a, k in enumerate(ASSETS)] + [("count", count.astype(np.uint16))]
            write(out_dir / f"composite-{name}.tif", bands, profile, "uint16", 0)
            files[name] = bands
    manifest = {
        "job": str(job_path),
        "items": [item["id"] for _, item in items],
        "assets": ASSETS,
        "mask": {"asset": "scl", "exclude": EXCLUDE},
        "pixels_with_count": {str(c): int((count == c).sum()) for c in range(len(items) + 1)},
        "even_count_pixels": int(((count % 2) == 0).sum() - (count == 0).sum()),
        "files": {f"composite-{n}.tif": {k: {"min": float(np.nanmin(np.where(d == 0, np.nan, d) if d.dtype == np.uint16 else d)),
                                             "max": float(np.nanmax(d))} for k, d in bands if k != "count"}
                  for n, bands in files.items()},
    }
    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "rasterio": rasterio.__version__, "gdal": rasterio.__gdal_version__}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (out_dir / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    print(json.dumps(manifest["pixels_with_count"]), "even-count pixels:", manifest["even_count_pixels"])


if __name__ == "__main__":
    main()
