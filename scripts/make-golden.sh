#!/usr/bin/env bash
# Regenerates test/golden/{tile-reduce,composite,coherence-merge}/ (reference results) from the committed sample data.
# Needs /usr/bin/python3 with numpy and rasterio (Debian: apt-get install python3-rasterio python3-numpy);
# it reads only sample-data/, not ../shared.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
"$PY" -c 'import numpy, rasterio' 2>/dev/null || { echo "$PY lacks numpy/rasterio: apt-get install python3-rasterio" >&2; exit 1; }
"$PY" scripts/golden/tile_reduce.py sample-data/jobs/ndvi-demo.json test/golden/tile-reduce
rm -f test/golden/tile-reduce/*.aux.xml
"$PY" scripts/golden/composite.py sample-data/jobs/composite-demo.json test/golden/composite
"$PY" scripts/golden/coherence.py sample-data/jobs/coherence-demo.json test/golden/coherence-merge
rm -f test/golden/composite/*.aux.xml test/golden/coherence-merge/*.aux.xml
"$PY" scripts/golden/parcels.py golden
"$PY" scripts/golden/two_tiles.py golden
# Archive-style variants of the sample data (Earth Search legacy/C1, CDSE with COG and JPEG 2000 copies) and
# their references: radiometry from STAC metadata and assets found by meaning.
"$PY" scripts/golden/archive_variants.py sample-data/s2-l2a-33TWM test/fixtures/archive
"$PY" scripts/golden/radiometry.py test/fixtures/archive test/golden/radiometry
