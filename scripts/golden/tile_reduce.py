"""Reference results of the `tile-reduce` op (NDVI over the sample items), made with numpy + rasterio.

The engine is tested against these files, so this script *is* the contract, written as plainly as
possible:

- items in datetime order; `red` and `nir` read as float64, a pixel equal to the asset's nodata is NaN;
- the `scl` mask is brought onto the band grid by nearest neighbour (the coarse pixel holding each
  fine pixel's centre); a pixel whose raw SCL value (0 included) is in `exclude` is NaN in every asset;
- NDVI = (nir - red) / (nir + red) in float64, +-inf counted as NaN;
- reducers across items ignore NaN; an all-NaN pixel gives NaN, except `count` which gives 0;
- results are cast to float32.

Usage (scripts/make-golden.sh runs it):

    /usr/bin/python3 scripts/golden/tile_reduce.py sample-data/jobs/ndvi-demo.json test/golden/tile-reduce
"""
import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import rasterio

from series import first_valid, load_items
from rasterio.warp import Resampling, reproject

EXCLUDE = [0, 1, 3, 8, 9, 10]
PERCENTILES = {"p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90}


def nansum_or_nan(stack):
    return np.where((~np.isnan(stack)).any(axis=0), np.nansum(stack, axis=0), np.nan)


REDUCERS = {
    "mean": lambda s: np.nanmean(s, axis=0),
    "median": lambda s: np.nanmedian(s, axis=0),
    "min": lambda s: np.nanmin(s, axis=0),
    "max": lambda s: np.nanmax(s, axis=0),
    "sum": nansum_or_nan,
    "count": lambda s: (~np.isnan(s)).sum(axis=0).astype(np.float64),
    "std": lambda s: np.nanstd(s, axis=0, ddof=0),
    "first": first_valid,
    "last": lambda s: first_valid(s, reverse=True),
    **{name: (lambda s, q=q: np.nanpercentile(s, q, axis=0, method="linear")) for name, q in PERCENTILES.items()},
}


def read_asset(item_path, item, key):
    """Band as float64 with nodata -> NaN, plus its grid."""
    asset = item["assets"][key]
    with rasterio.open(item_path.parent / asset["href"]) as ds:
        data = ds.read(1).astype(np.float64)
        nodata = asset["raster:bands"][0]["nodata"]
        if ds.nodata != nodata:
            sys.exit(f"{item['id']}/{key}: file nodata {ds.nodata} != item nodata {nodata}")
        data[data == nodata] = np.nan
        return data, ds.transform, ds.crs


def mask_on_grid(item_path, item, key, shape, transform, crs):
    """The mask asset's raw values resampled (nearest) onto the band grid, nodata ignored on purpose."""
    with rasterio.open(item_path.parent / item["assets"][key]["href"]) as ds:
        raw = ds.read(1)
        out = np.full(shape, 255, dtype=raw.dtype)
        # src_nodata/dst_nodata None: SCL 0 is a value to be tested against `exclude`, not a hole.
        reproject(raw, out, src_transform=ds.transform, src_crs=ds.crs, dst_transform=transform,
                  dst_crs=crs, resampling=Resampling.nearest, src_nodata=None, dst_nodata=None)
        factor = round(ds.transform.a / transform.a)
        by_hand = np.repeat(np.repeat(raw, factor, axis=0), factor, axis=1)[: shape[0], : shape[1]]
        if not np.array_equal(out, by_hand):
            sys.exit(f"{item['id']}/{key}: GDAL nearest differs from the pixel-centre rule")
        return out


def ndvi_stack(items, mask):
    layers = []
    for path, item in items:
        red, transform, crs = read_asset(path, item, "red")
        nir, _, _ = read_asset(path, item, "nir")
        if mask:
            scl = mask_on_grid(path, item, "scl", red.shape, transform, crs)
            hidden = np.isin(scl, EXCLUDE)
            red[hidden] = np.nan
            nir[hidden] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            ndvi = (nir - red) / (nir + red)
        ndvi[np.isinf(ndvi)] = np.nan
        layers.append(ndvi)
    return np.stack(layers), transform, crs


def write(path, data, transform, crs):
    profile = {
        "driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1,
        "dtype": "float32", "nodata": np.nan, "crs": crs, "transform": transform,
        "compress": "deflate", "predictor": 3, "tiled": False,
    }
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data.astype(np.float32), 1)


def summarise(data):
    valid = ~np.isnan(data)
    return {
        "valid": int(valid.sum()),
        "valid_fraction": round(float(valid.mean()), 4),
        "min": float(np.nanmin(data)) if valid.any() else None,
        "max": float(np.nanmax(data)) if valid.any() else None,
    }


def main():
    job_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    items, job = load_items(job_path)
    if job["params"]["mask"]["exclude"] != EXCLUDE:
        sys.exit("the demo job's exclude list changed: update EXCLUDE and the README")

    masked, transform, crs = ndvi_stack(items, mask=True)
    unmasked, _, _ = ndvi_stack(items, mask=False)
    single, _, _ = ndvi_stack(items[:1], mask=True)

    outputs = {}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices are expected
        for name, reduce in REDUCERS.items():
            outputs[f"ndvi-{name}.tif"] = reduce(masked).astype(np.float32)
        outputs["ndvi-nomask-mean.tif"] = np.nanmean(unmasked, axis=0).astype(np.float32)
        outputs["ndvi-single-first.tif"] = first_valid(single).astype(np.float32)

    for name, data in outputs.items():
        write(out_dir / name, data, transform, crs)

    manifest = {
        "job": str(job_path),
        "items": [item["id"] for _, item in items],
        "single_item": items[0][1]["id"],
        "expression": "(nir - red) / (nir + red)",
        "mask": {"asset": "scl", "exclude": EXCLUDE},
        "per_item_valid_fraction": {item["id"]: round(float((~np.isnan(layer)).mean()), 4)
                                    for (_, item), layer in zip(items, masked)},
        "files": {name: summarise(data) for name, data in outputs.items()},
    }
    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rasterio": rasterio.__version__,
        "gdal": rasterio.__gdal_version__,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (out_dir / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    for name, s in manifest["files"].items():
        print(f"{name:24s} valid {s['valid']:6d} ({s['valid_fraction']:.1%})")


if __name__ == "__main__":
    main()
