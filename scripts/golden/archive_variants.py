"""Makes test/fixtures/archive/: the sample data as the archives serve it, for the radiometry and asset-naming tests.

Three sources, the same pixels underneath (the 5 sample dates of tile 33TWM, sample-data/s2-l2a-33TWM):

- `legacy/`: Earth Search `sentinel-2-l2a` items as published, i.e. the sample items with the
  `raster:bands` scale 0.0001 / offset -0.1 and `earthsearch:boa_offset_applied: true` that the trimmed
  sample items leave out. Hrefs point at the sample COGs themselves (their pixels are what Earth Search
  serves: offset already removed).
- `c1/`: Earth Search `sentinel-2-c1-l2a` style: COGs whose valid pixels carry ESA's +1000
  (BOA_ADD_OFFSET = -1000, processing baseline >= 04.00), nodata 0 kept; items with keys red/nir/scl,
  `eo:bands` (name B04, common_name red), `raster:bands` scale 0.0001 offset -0.1, no boa flag.
- `cdse/`: Copernicus Data Space style (STAC 1.1) for 3 dates: keys B04_10m, B08_10m, SCL_20m,
  asset-level `raster:scale`/`raster:offset`/`nodata`, `bands[].eo:common_name`, `proj:code`, and decoys
  that a name must not resolve to: B04_20m and SCL_60m (coarser, hrefs to files that do not exist) and
  TCI_10m (three bands, one of them red). Band files carry the +1000 and, like the SAFE JPEG 2000 files,
  no nodata tag: nodata comes from the item. Each item exists twice: `item-cog.json` (hrefs to COG copies)
  and `item-jp2.json` (hrefs to lossless tiled JPEG 2000 made from the same pixels with GDAL's JP2OpenJPEG).

The field layout of the C1 and CDSE items follows real responses recorded in the project's shared data
(stac-api/earth-search-v1/sentinel-2-c1-l2a_13TDE_itemcollection.json, from stac-utils/rustac, MIT OR
Apache-2.0; stac-api/cdse/item_S2A_MSIL2A_20200301T090901_N0500_R050_T35UPU_20230630T033416.json, from
xcube-dev/xcube-stac, MIT): the constants below are small excerpts of those files.

Usage (scripts/make-golden.sh runs it; needs GDAL's command-line tools and rasterio):

    /usr/bin/python3 scripts/golden/archive_variants.py sample-data/s2-l2a-33TWM test/fixtures/archive
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import rasterio

COG_TYPE = "image/tiff; application=geotiff; profile=cloud-optimized"
COG_OPTIONS = ["-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2", "-co", "BLOCKSIZE=64"]
# Lossless, tiled, with resolution levels: as ESA writes the SAFE band files (scaled down to the fixture).
JP2_OPTIONS = ["-of", "JP2OpenJPEG", "-co", "REVERSIBLE=YES", "-co", "QUALITY=100", "-co", "BLOCKXSIZE=128",
               "-co", "BLOCKYSIZE=128", "-co", "RESOLUTIONS=2"]
BOA_ADD_OFFSET = 1000
SCALE, OFFSET = 0.0001, -0.1
CDSE_DATES = ["2023-08-10", "2023-08-13", "2023-08-15"]
BANDS = {
    "red": {"file": "B04", "name": "B04", "common_name": "red", "center_wavelength": 0.665, "full_width_half_max": 0.038, "title": "Red"},
    "nir": {"file": "B08", "name": "B08", "common_name": "nir", "center_wavelength": 0.842, "full_width_half_max": 0.145, "title": "NIR 1"},
}
# Excerpt of the CDSE SCL_20m asset's classification:classes (percentages dropped).
SCL_CLASSES = [
    {"name": "no_data", "value": 0, "nodata": True}, {"name": "saturated_or_defective", "value": 1},
    {"name": "dark_area_pixels", "value": 2}, {"name": "cloud_shadows", "value": 3}, {"name": "vegetation", "value": 4},
    {"name": "not_vegetated", "value": 5}, {"name": "water", "value": 6}, {"name": "unclassified", "value": 7},
    {"name": "cloud_medium_probability", "value": 8}, {"name": "cloud_high_probability", "value": 9},
    {"name": "thin_cirrus", "value": 10}, {"name": "snow", "value": 11},
]


def gdal(*args):
    subprocess.run(["gdal_translate", "-q", *args], check=True)


def offset_copy(src, dst, keep_nodata_tag, fmt_options):
    """The band with +1000 on every valid pixel (nodata 0 stays 0), written with `fmt_options`."""
    with rasterio.open(src) as ds:
        data = ds.read(1)
        profile = ds.profile
    shifted = np.where(data == 0, 0, data.astype(np.uint32) + BOA_ADD_OFFSET)
    if shifted.max() > 65535:
        sys.exit(f"{src}: +{BOA_ADD_OFFSET} overflows uint16")
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.tif"
        profile.update(driver="GTiff", tiled=False, compress=None, predictor=1, nodata=0 if keep_nodata_tag else None)
        for k in ("blockxsize", "blockysize", "interleave"):
            profile.pop(k, None)
        with rasterio.open(plain, "w", **profile) as out:
            out.write(shifted.astype(np.uint16), 1)
        gdal(*fmt_options, str(plain), str(dst))


def untagged_copy(src, dst, fmt_options):
    gdal("-a_nodata", "none", *fmt_options, str(src), str(dst))


def relative(target, start):
    return os.path.relpath(target, start).replace(os.sep, "/")


def legacy_item(sample_item, sample_dir, out_dir):
    item = json.loads(json.dumps(sample_item))
    item["properties"]["earthsearch:boa_offset_applied"] = True
    item["properties"]["s2:processing_baseline"] = "05.09"
    for key, asset in item["assets"].items():
        asset["href"] = relative(sample_dir / asset["href"], out_dir)
        if key != "scl":
            asset["raster:bands"][0].update({"scale": SCALE, "offset": OFFSET})
    item["links"] = [l for l in item["links"] if l["rel"] != "self"]
    return item


def c1_id(sample_item):
    platform = sample_item["id"][:3]
    stamp = sample_item["properties"]["datetime"][:19].replace("-", "").replace(":", "")
    return f"{platform}_T33TWM_{stamp}_L2A"


def c1_item(sample_item):
    base = sample_item["assets"]["red"]
    assets = {}
    for key, band in BANDS.items():
        assets[key] = {
            "href": f"./{band['file']}.tif", "type": COG_TYPE, "title": f"{band['title']} - 120m crop",
            "eo:bands": [{k: band[k] for k in ("name", "common_name", "center_wavelength", "full_width_half_max")}],
            "gsd": 120, "proj:shape": base["proj:shape"], "proj:transform": base["proj:transform"],
            "raster:bands": [{"nodata": 0, "data_type": "uint16", "spatial_resolution": 120, "scale": SCALE, "offset": OFFSET}],
            "roles": ["data", "reflectance"],
        }
    scl = sample_item["assets"]["scl"]
    assets["scl"] = {
        "href": "./SCL.tif", "type": COG_TYPE, "title": "Scene classification map (SCL)", "gsd": 240,
        "proj:shape": scl["proj:shape"], "proj:transform": scl["proj:transform"],
        "raster:bands": [{"nodata": 0, "data_type": "uint8", "spatial_resolution": 240}], "roles": ["data"],
    }
    props = {k: sample_item["properties"][k] for k in ("datetime", "platform", "constellation", "instruments", "eo:cloud_cover", "proj:epsg")}
    props["s2:processing_baseline"] = "05.10"
    return {
        "type": "Feature", "stac_version": "1.0.0",
        "stac_extensions": ["https://stac-extensions.github.io/eo/v1.1.0/schema.json",
                            "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
                            "https://stac-extensions.github.io/raster/v1.1.0/schema.json"],
        "id": c1_id(sample_item), "collection": "sentinel-2-c1-l2a",
        "geometry": sample_item["geometry"], "bbox": sample_item["bbox"], "properties": props,
        "links": [{"rel": "derived_from", "href": f"../../../../sample-data/s2-l2a-33TWM/{sample_item['id']}/{sample_item['id']}.json",
                   "title": "the sample item whose pixels these are, +1000 on valid pixels"}],
        "assets": assets,
    }


def cdse_id(sample_item):
    platform = sample_item["id"][:3]
    stamp = sample_item["properties"]["datetime"][:19].replace("-", "").replace(":", "")
    return f"{platform}_MSIL2A_{stamp}_N0509_R122_T33TWM_{stamp}"


def cdse_item(sample_item, ext):
    kind = "image/jp2" if ext == "jp2" else COG_TYPE
    red = sample_item["assets"]["red"]
    scl = sample_item["assets"]["scl"]
    t = red["proj:transform"]
    coarse = lambda f: [t[0] * f, 0.0, t[2], 0.0, t[4] * f, t[5]]
    common = {"proj:code": "EPSG:32633", "data_type": "uint16", "nodata": 0, "raster:scale": SCALE, "raster:offset": OFFSET}

    def band(key, b, gsd, transform, shape, href):
        return {
            "href": href, "type": kind, "title": f"{b['title']} - {key.split('_')[1]}",
            "bands": [{"name": b["name"], "eo:common_name": b["common_name"], "eo:center_wavelength": b["center_wavelength"]}],
            "gsd": gsd, "proj:transform": transform, "proj:shape": shape,
            "roles": ["data", "reflectance", f"gsd:{key.split('_')[1]}"], **common,
        }

    shape = red["proj:shape"]
    assets = {
        "B04_10m": band("B04_10m", BANDS["red"], 120, t, shape, f"./B04_10m.{ext}"),
        "B04_20m": band("B04_20m", BANDS["red"], 240, coarse(2), [s // 2 for s in shape], f"./B04_20m-not-shipped.{ext}"),
        "B08_10m": band("B08_10m", BANDS["nir"], 120, t, shape, f"./B08_10m.{ext}"),
        "SCL_20m": {"href": f"./SCL_20m.{ext}", "type": kind, "title": "Scene classification map (SCL) - 20m", "gsd": 240,
                    "proj:code": "EPSG:32633", "proj:transform": scl["proj:transform"], "proj:shape": scl["proj:shape"],
                    "data_type": "uint8", "nodata": 0, "classification:classes": SCL_CLASSES, "roles": ["data", "gsd:20m"]},
        "SCL_60m": {"href": f"./SCL_60m-not-shipped.{ext}", "type": kind, "title": "Scene classification map (SCL) - 60m", "gsd": 720,
                    "proj:code": "EPSG:32633", "proj:transform": coarse(6), "proj:shape": [s // 6 for s in shape],
                    "data_type": "uint8", "nodata": 0, "classification:classes": SCL_CLASSES, "roles": ["data", "gsd:60m"]},
        "TCI_10m": {"href": f"./TCI_10m-not-shipped.{ext}", "type": kind, "title": "True color image", "gsd": 120,
                    "bands": [{"name": "B04", "eo:common_name": "red"}, {"name": "B03", "eo:common_name": "green"},
                              {"name": "B02", "eo:common_name": "blue"}],
                    "proj:code": "EPSG:32633", "proj:transform": t, "proj:shape": shape, "data_type": "uint8", "roles": ["visual"]},
    }
    props = {k: sample_item["properties"][k] for k in ("datetime", "platform", "constellation", "instruments", "eo:cloud_cover")}
    props.update({"processing:version": "05.09", "product:type": "S2MSI2A", "grid:code": "MGRS-33TWM"})
    return {
        "type": "Feature", "stac_version": "1.1.0",
        "stac_extensions": ["https://stac-extensions.github.io/eo/v2.0.0/schema.json",
                            "https://stac-extensions.github.io/raster/v2.0.0/schema.json",
                            "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
                            "https://stac-extensions.github.io/classification/v2.0.0/schema.json"],
        "id": cdse_id(sample_item), "collection": "sentinel-2-l2a",
        "geometry": sample_item["geometry"], "bbox": sample_item["bbox"], "properties": props,
        "links": [], "assets": assets,
    }


def write_json(path, obj):
    path.write_text(json.dumps(obj, indent=2) + "\n")


def job(op, items, params, output):
    return {"op": op, "items": items, "params": params, "output": output}


def main():
    sample_root, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    samples = sorted(
        ((d, json.loads((d / f"{d.name}.json").read_text())) for d in sample_root.iterdir() if d.is_dir()),
        key=lambda di: di[1]["properties"]["datetime"])
    for sub in ("legacy", "c1", "cdse", "jobs"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True)
    hrefs = {"legacy": [], "c1": [], "cdse-cog": [], "cdse-jp2": []}
    for sample_dir, item in samples:
        legacy_dir = out / "legacy" / item["id"]
        legacy_dir.mkdir()
        write_json(legacy_dir / f"{item['id']}.json", legacy_item(item, sample_dir, legacy_dir))
        hrefs["legacy"].append(f"../legacy/{item['id']}/{item['id']}.json")

        c1 = c1_item(item)
        c1_dir = out / "c1" / c1["id"]
        c1_dir.mkdir()
        for band in BANDS.values():
            offset_copy(sample_dir / f"{band['file']}.tif", c1_dir / f"{band['file']}.tif", True, COG_OPTIONS)
        shutil.copyfile(sample_dir / "SCL.tif", c1_dir / "SCL.tif")
        write_json(c1_dir / f"{c1['id']}.json", c1)
        hrefs["c1"].append(f"../c1/{c1['id']}/{c1['id']}.json")

        if item["properties"]["datetime"][:10] not in CDSE_DATES:
            continue
        cdse_dir = out / "cdse" / cdse_id(item)
        cdse_dir.mkdir()
        for ext, options in (("tif", COG_OPTIONS), ("jp2", JP2_OPTIONS)):
            for band in BANDS.values():
                offset_copy(sample_dir / f"{band['file']}.tif", cdse_dir / f"{band['file']}_10m.{ext}", False, options)
            untagged_copy(sample_dir / "SCL.tif", cdse_dir / f"SCL_20m.{ext}", options)
            name = "item-cog.json" if ext == "tif" else "item-jp2.json"
            write_json(cdse_dir / name, cdse_item(item, ext))
            hrefs[f"cdse-{'cog' if ext == 'tif' else 'jp2'}"].append(f"../cdse/{cdse_dir.name}/{name}")
    for f in out.rglob("*.aux.xml"):
        f.unlink()

    ndvi = {"expression": "(nir - red) / (nir + red)", "reducer": "median",
            "mask": {"asset": "scl", "exclude": [0, 1, 3, 8, 9, 10]}}
    for source, items in hrefs.items():
        write_json(out / "jobs" / f"ndvi-{source}.json", job("tile-reduce", items, ndvi, f"out/ndvi-{source}"))
    composite = {"assets": ["red", "nir"], "method": "median", "mask": ndvi["mask"]}
    write_json(out / "jobs" / "composite-c1.json", job("composite", hrefs["c1"], composite, "out/composite-c1"))
    write_json(out / "jobs" / "composite-c1-mean.json",
               job("composite", hrefs["c1"], {**composite, "method": "mean"}, "out/composite-c1-mean"))


if __name__ == "__main__":
    main()
