#!/usr/bin/env bash
# Regenerates sample-data/ (the data `eofn demo` and the tests use) from the real files in ../shared/data.
#
# Needs: the shared data folder beside the project (override with SHARED_DATA=/path/to/shared/data),
# GDAL's command-line tools (gdal_translate) and /usr/bin/python3 with rasterio + numpy
# (Debian: apt-get install gdal-bin python3-rasterio python3-numpy).
#
# What it writes (the hand-written README.md files in sample-data/ are kept as they are):
#   sample-data/s2-l2a-33TWM/<item id>/{B02,B03,B04,B08,SCL}.tif + <item id>.json   (5 dates)
#   sample-data/jobs/ndvi-demo.json
#   sample-data/parcels/{si-eurocrops-2021.geojson,si-eurocrops-2021.fgb,dk-marker-2026.geojson,dk-fiboa-2024.parquet}
#   sample-data/s1-coherence-cdmx/*.tif  (30 files, copied as published)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED_DATA="${SHARED_DATA:-$ROOT/../shared/data}"
OUT="$ROOT/sample-data"
PY=/usr/bin/python3

# The crop window in pixels of the 915 x 915 px, 120 m tile (see sample-data/s2-l2a-33TWM/README.md for why here).
CROP_X=96
CROP_Y=224
CROP_SIZE=256

command -v gdal_translate >/dev/null || { echo "gdal_translate not found: install GDAL (gdal-bin)" >&2; exit 1; }
[ -d "$SHARED_DATA/s2-l2a-33TWM" ] || { echo "no $SHARED_DATA/s2-l2a-33TWM: set SHARED_DATA" >&2; exit 1; }

# 64 px blocks so that one 256 px crop holds several blocks for the planner; GDAL 3.6 warns that it
# expects >= 128 but writes 64 x 64 tiles all the same.
COG_OPTS=(-of COG -co COMPRESS=DEFLATE -co PREDICTOR=2 -co BLOCKSIZE=64)

mkdir -p "$OUT/s2-l2a-33TWM"
for src_dir in "$SHARED_DATA"/s2-l2a-33TWM/*/; do
  id="$(basename "$src_dir")"
  dst="$OUT/s2-l2a-33TWM/$id"
  mkdir -p "$dst"
  for band in B02 B03 B04 B08; do
    # Integer source window, no -tr: pixel values are copied, never resampled.
    # OVERVIEW_LEVEL=NONE keeps GDAL from reading the source's overviews.
    gdal_translate -q -oo OVERVIEW_LEVEL=NONE -srcwin "$CROP_X" "$CROP_Y" "$CROP_SIZE" "$CROP_SIZE" \
      "${COG_OPTS[@]}" -co OVERVIEW_RESAMPLING=AVERAGE "$src_dir/$band.tif" "$dst/$band.tif" 2>/dev/null
  done
  # SCL at 240 m, like the real 20 m SCL beside 10 m bands. Without OVERVIEW_LEVEL=NONE GDAL would
  # take the source's own (differently aligned) overview instead of the 120 m pixels.
  gdal_translate -q -oo OVERVIEW_LEVEL=NONE -srcwin "$CROP_X" "$CROP_Y" "$CROP_SIZE" "$CROP_SIZE" \
    -tr 240 240 -r nearest "${COG_OPTS[@]}" -co OVERVIEW_RESAMPLING=NEAREST \
    "$src_dir/SCL.tif" "$dst/SCL.tif" 2>/dev/null
  rm -f "$dst"/*.aux.xml
done

# STAC items, pixel checks (bands exact, SCL == scl120[1::2, 1::2]) and the demo job.
"$PY" "$ROOT/scripts/golden/sample_items.py" "$SHARED_DATA/s2-l2a-33TWM" "$OUT" "$CROP_X" "$CROP_Y" "$CROP_SIZE"

mkdir -p "$OUT/parcels" "$OUT/s1-coherence-cdmx"
for f in si-eurocrops-2021.geojson si-eurocrops-2021.fgb dk-marker-2026.geojson dk-fiboa-2024.parquet; do
  cp "$SHARED_DATA/parcels/$f" "$OUT/parcels/$f"
done
cp "$SHARED_DATA"/s1-coherence-cdmx/*.tif "$OUT/s1-coherence-cdmx/"
chmod -R u+w "$OUT"

du -sb "$OUT"/* | sed "s|$OUT/||"
