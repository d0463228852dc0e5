"""Reference results for radiometry and asset naming, over the archive-style fixtures (archive_variants.py).

The contract, written plainly:

- an asset name resolves to the item's key: the key itself, else the single-band asset whose band has that
  common name (`eo:bands[].common_name`, STAC 1.1 `bands[]."eo:common_name"`), else the Sentinel-2 band
  (red = B04, nir = B08, scl = SCL) as `B04`/`B04_10m`; several: the finest `gsd`;
- value = DN * scale + offset in float64, with `raster:bands[0].scale/offset` (STAC 1.0) or the asset's
  `raster:scale/raster:offset` (STAC 1.1); `earthsearch:boa_offset_applied: true`: scale only; SCL raw;
- nodata: the file's tag, else the item's (`raster:bands[0].nodata` or the asset's `nodata`); such pixels NaN;
- the SCL mask on the band grid by nearest neighbour, raw classes in `exclude` hide every asset of the date;
- NDVI in float64, nanmedian across dates; composites: joint validity, nanmedian / nanmean; float32 out.

Writes the NDVI golden of the CDSE-style items (3 dates); for the others it checks, against the golden files
of the sample data, what the fixtures are for: legacy and C1 give the sample's NDVI, composites over C1 are
reflectance (the sample composite of digital numbers * 0.0001), and each JPEG 2000 band holds exactly the
pixels of its COG copy.

    /usr/bin/python3 scripts/golden/radiometry.py test/fixtures/archive test/golden/radiometry
"""
import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import rasterio

S2_BAND = {"red": "B04", "nir": "B08", "scl": "SCL"}


def resolve(item, name):
    assets = item["assets"]
    if name in assets:
        return name
    def common(a):
        bands = a.get("bands") or a.get("eo:bands") or []
        return (bands[0].get("eo:common_name") or bands[0].get("common_name")) if len(bands) == 1 else None
    found = [k for k, a in assets.items() if common(a) == name]
    if not found:
        band = S2_BAND[name]
        found = [k for k in assets if k == band or (k.startswith(band + "_") and k.endswith("m"))]
    finest = min(assets[k]["gsd"] for k in found)
    best = [k for k in found if assets[k]["gsd"] == finest]
    assert len(best) == 1, (name, best)
    return best[0]


def radiometry(item, key, raw=False):
    a = item["assets"][key]
    rb = (a.get("raster:bands") or [{}])[0]
    nodata = a.get("nodata", rb.get("nodata"))
    if raw or key.lower().startswith("scl") or "classification:classes" in a:
        return 1.0, 0.0, nodata
    if "raster:scale" in a or "raster:offset" in a:
        scale, offset = a.get("raster:scale", 1.0), a.get("raster:offset", 0.0)
    else:
        scale, offset = rb.get("scale", 1.0), rb.get("offset", 0.0)
    if item["properties"].get("earthsearch:boa_offset_applied") is True:
        offset = 0.0
    return scale, offset, nodata


def read(item_path, item, name, raw=False):
    key = resolve(item, name)
    scale, offset, stac_nodata = radiometry(item, key, raw)
    with rasterio.open(item_path.parent / item["assets"][key]["href"]) as ds:
        raw = ds.read(1)
        nodata = ds.nodata if ds.nodata is not None else stac_nodata
        transform = ds.transform
    values = raw.astype(np.float64) * scale + offset
    if nodata is not None:
        values[raw == nodata] = np.nan
    return values, raw, transform


def mask(item_path, item, shape, exclude):
    _, raw, _ = read(item_path, item, "scl")
    factor = shape[0] // raw.shape[0]
    return np.isin(np.repeat(np.repeat(raw, factor, 0), factor, 1)[: shape[0], : shape[1]], exclude)


def load(job_path):
    job = json.loads(job_path.read_text())
    items = [(job_path.parent / h).resolve() for h in job["items"]]
    items = [(p, json.loads(p.read_text())) for p in items]
    return sorted(items, key=lambda pi: pi[1]["properties"]["datetime"]), job


def ndvi_median(job_path):
    items, job = load(job_path)
    layers = []
    for path, item in items:
        red, _, transform = read(path, item, "red")
        nir, _, _ = read(path, item, "nir")
        hidden = mask(path, item, red.shape, job["params"]["mask"]["exclude"])
        red[hidden] = np.nan
        nir[hidden] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            ndvi = (nir - red) / (nir + red)
        ndvi[np.isinf(ndvi)] = np.nan
        layers.append(ndvi)
    return np.nanmedian(np.stack(layers), axis=0), transform


def composite(job_path, reduce):
    items, job = load(job_path)
    dates = []
    for path, item in items:
        raw = job["params"].get("radiometry") == "raw"
        layers = np.stack([read(path, item, name, raw)[0] for name in job["params"]["assets"]])
        layers[:, mask(path, item, layers.shape[1:], job["params"]["mask"]["exclude"])] = np.nan
        layers[:, np.isnan(layers).any(axis=0)] = np.nan
        dates.append(layers)
        transform = read(path, item, "red")[2]
    s = np.stack(dates)
    count = (~np.isnan(s[:, 0])).sum(axis=0).astype(np.float64)
    return np.concatenate([reduce(s, axis=0), count[None]]), transform


def write(path, data, transform):
    data = np.atleast_3d(data.T).T if data.ndim == 2 else data
    profile = {"driver": "GTiff", "width": data.shape[2], "height": data.shape[1], "count": data.shape[0],
               "dtype": "float32", "nodata": np.nan, "crs": "EPSG:32633", "transform": transform,
               "compress": "deflate", "predictor": 3, "tiled": False}
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data.astype(np.float32))


def same(a, b, tol):
    return np.array_equal(np.isnan(a), np.isnan(b)) and np.nanmax(np.abs(a - b)) <= tol


def composite_of_legacy(fixtures, c1_job, reduce):
    """The same composite from the legacy items with radiometry ignored: the sample's own digital numbers."""
    job = json.loads(c1_job.read_text())
    legacy = {"op": "composite", "params": {**job["params"], "radiometry": "raw"}}
    legacy["items"] = [f"../legacy/{d.name}/{d.name}.json" for d in sorted((fixtures / "legacy").iterdir())]
    tmp = fixtures / "jobs" / ".legacy-composite.json"
    tmp.write_text(json.dumps(legacy))
    try:
        return composite(tmp, reduce)[0]
    finally:
        tmp.unlink()


def golden(path):
    with rasterio.open(path) as ds:
        return ds.read().astype(np.float64), list(ds.descriptions)


def main():
    fixtures, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    jobs = fixtures / "jobs"
    root = Path(__file__).resolve().parents[2]
    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as they should
    ndvi = {}
    for source in ("legacy", "c1", "cdse-cog", "cdse-jp2"):
        ndvi[source], transform = ndvi_median(jobs / f"ndvi-{source}.json")
    # Legacy and C1 hold the sample scene: their NDVI is the sample's (test/golden/tile-reduce, digital numbers).
    sample_ndvi = golden(root / "test/golden/tile-reduce/ndvi-median.tif")[0][0]
    for source in ("legacy", "c1"):
        assert same(ndvi[source], sample_ndvi, 1e-6), f"{source} NDVI differs from the sample's"
    assert np.array_equal(ndvi["cdse-cog"], ndvi["cdse-jp2"], equal_nan=True), "JP2 pixels differ from their COG copies"
    write(out / "ndvi-median-cdse.tif", ndvi["cdse-cog"], transform)
    # Composites over C1 are reflectance, DN_true * 0.0001: the goldens hold the composites of DN_true, taken
    # from the legacy items with params.radiometry "raw" (the sample's own pixels), and the C1 route must agree.
    checked = {}
    for method, reduce, job in (("median", np.nanmedian, "composite-c1.json"), ("mean", np.nanmean, "composite-c1-mean.json")):
        result, transform = composite(jobs / job, reduce)
        dn = composite_of_legacy(fixtures, jobs / job, reduce)
        reflectance = dn.copy()
        reflectance[:2] *= 1e-4
        assert same(result, reflectance, 1e-12), f"C1 {method} composite is not DN_true * 0.0001"
        write(out / f"composite-{method}-dn.tif", dn, transform)
        checked[method] = float(np.nanmax(np.abs(result - reflectance)))
    (out / "manifest.json").write_text(json.dumps({
        "ndvi-median-cdse.tif": {"job": "test/fixtures/archive/jobs/ndvi-cdse-cog.json (and -jp2: identical pixels)",
                                 "valid": int((~np.isnan(ndvi["cdse-cog"])).sum())},
        "composite-median-dn.tif": {"job": "test/fixtures/archive/jobs/composite-c1.json", "bands": ["red", "nir", "count"],
                                    "units": "DN_true (the C1 job's result must be these * 0.0001, count as is)"},
        "composite-mean-dn.tif": {"job": "test/fixtures/archive/jobs/composite-c1-mean.json", "bands": ["red", "nir", "count"],
                                  "units": "DN_true"},
        "checked_here": {"legacy and c1 NDVI vs test/golden/tile-reduce/ndvi-median.tif": "max |diff| <= 1e-6",
                         "c1 composite (metadata applied) vs DN_true * 0.0001, max |diff|": checked},
    }, indent=2) + "\n")
    (out / "versions.json").write_text(json.dumps({
        "python": platform.python_version(), "numpy": np.__version__, "rasterio": rasterio.__version__,
        "gdal": rasterio.__gdal_version__}, indent=2) + "\n")


if __name__ == "__main__":
    main()
