"""Reference results of the `coherence-merge` op over the 30 sample coherence rasters (numpy, rasterio, gdalwarp).

The engine is tested against these files, so this script *is* the contract:

- items are the job's .tif hrefs, in datetime order, a pair dated by its SECOND_DATE (stable: pairs with
  the same second date keep the job's order, which lists the files by name);
- a pixel equal to 0 (the files' nodata) never counts; merges are numpy nan-functions across items in
  float64, written as float32 with NaN where no item has data; `count` = number of items with data;
- native grid (EPSG:4326, the first item's grid): the rasters already share it, so no resampling;
- UTM zone 14N at 150 m (the demo job's grid): each raster is warped by
  `gdalwarp -r near|bilinear -t_srs EPSG:32614 -tr 150 150 -te <bounds> -srcnodata 0 -dstnodata nan
  -ot Float32` (GDAL's default approximate transformer, error threshold 0.125 px), then merged.
  The per-item warps are kept as 30-band stacks, so that the engine's warp can be compared raster by raster.

Usage (scripts/make-golden.sh runs it):

    /usr/bin/python3 scripts/golden/coherence.py sample-data/jobs/coherence-demo.json test/golden/coherence-merge
"""
import json
import platform
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import rasterio

MERGES = {
    "mean": lambda s: np.nanmean(s, axis=0),
    "median": lambda s: np.nanmedian(s, axis=0),
}


def load_items(job_path):
    job = json.loads(job_path.read_text())
    paths = [(job_path.parent / href).resolve() for href in job["items"]]
    dated = []
    for index, p in enumerate(paths):
        with rasterio.open(p) as ds:
            dated.append((ds.tags()["SECOND_DATE"], index, p))
    return [p for _, _, p in sorted(dated)], job


def read_native(paths):
    layers = []
    for p in paths:
        with rasterio.open(p) as ds:
            data = ds.read(1).astype(np.float64)
            if ds.nodata != 0:
                sys.exit(f"{p}: expected nodata 0, got {ds.nodata}")
            data[data == 0] = np.nan
            layers.append(data)
            profile = ds.profile
    return np.stack(layers), profile


def gdalwarp(paths, grid, resampling, tmp):
    minx, miny, maxx, maxy = grid["bounds"]
    res = grid["resolution"]
    layers, cmd = [], None
    for k, p in enumerate(paths):
        out = Path(tmp) / f"{resampling}-{k}.tif"
        cmd = ["gdalwarp", "-q", "-overwrite", "-r", resampling, "-t_srs", grid["crs"], "-tr", str(res), str(res),
               "-te", str(minx), str(miny), str(maxx), str(maxy), "-srcnodata", "0", "-dstnodata", "nan",
               "-ot", "Float32"]
        subprocess.run(cmd + [str(p), str(out)], check=True)
        with rasterio.open(out) as ds:
            layers.append(ds.read(1).astype(np.float64))
            profile = ds.profile
    return np.stack(layers), profile, " ".join(cmd + ["<input>", "<output>"])


def write(path, bands, profile):
    out = {**profile, "driver": "GTiff", "count": len(bands), "dtype": "float32", "nodata": np.nan,
           "compress": "deflate", "predictor": 3, "tiled": False}
    out.pop("blockxsize", None), out.pop("blockysize", None)
    with rasterio.open(path, "w", **out) as ds:
        for b, (name, data) in enumerate(bands, start=1):
            ds.write(data.astype(np.float32), b)
            ds.set_band_description(b, name)


def merged(stack, name):
    count = (~np.isnan(stack)).sum(axis=0).astype(np.float64)
    return [(f"{name}(data)", MERGES[name](stack)), ("count", count)]


def main():
    job_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    paths, job = load_items(job_path)
    grid = job["params"]["grid"]
    ids = [p.stem for p in paths]
    summary = {}
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as tmp:
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels are expected
        native, profile = read_native(paths)
        for name in MERGES:
            write(out_dir / f"native-{name}.tif", merged(native, name), profile)
        for resampling in ["near", "bilinear"]:
            stack, utm_profile, command = gdalwarp(paths, grid, resampling, tmp)
            write(out_dir / f"warp-{resampling}-stack.tif", list(zip(ids, stack)), utm_profile)
            for name in MERGES:
                write(out_dir / f"utm-{resampling}-{name}.tif", merged(stack, name), utm_profile)
            summary[resampling] = {"valid_per_item": [int((~np.isnan(s)).sum()) for s in stack]}
    manifest = {
        "job": str(job_path),
        "items_in_order": ids,
        "grid": grid,
        "gdalwarp": command,
        "native_valid_per_item": [int((~np.isnan(s)).sum()) for s in native],
        "utm": summary,
    }
    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "rasterio": rasterio.__version__, "gdal": rasterio.__gdal_version__}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (out_dir / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    print("items:", len(ids), "utm grid:", utm_profile["width"], "x", utm_profile["height"])


if __name__ == "__main__":
    main()
