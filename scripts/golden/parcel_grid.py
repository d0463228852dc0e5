"""A FlatGeobuf of 2,700 small square parcels on a 60 x 45 lattice (250 m by 240 m) in UTM 33N (EPSG:32633), written by GDAL's
FlatGeobuf driver with its packed Hilbert R-tree (parcel-grid.fgb) and without one (parcel-grid-noindex.fgb):
the fixtures of the bounding-box readers' tests. Feature order in the indexed file is GDAL's (Hilbert).

    /usr/bin/python3 scripts/golden/parcel_grid.py
"""
from pathlib import Path

from osgeo import ogr, osr

OUT = Path(__file__).resolve().parents[2] / "test/fixtures/parcels/grid"


def write(path, index):
    OUT.mkdir(parents=True, exist_ok=True)
    drv = ogr.GetDriverByName("FlatGeobuf")
    if path.exists():
        drv.DeleteDataSource(str(path))
    ds = drv.CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    lyr = ds.CreateLayer("parcels", srs, ogr.wkbPolygon, options=[f"SPATIAL_INDEX={'YES' if index else 'NO'}"])
    lyr.CreateField(ogr.FieldDefn("pid", ogr.OFTString))
    for row in range(60):
        for col in range(45):
            x, y = 546200 + col * 240, 5110300 - row * 250
            ring = ogr.Geometry(ogr.wkbLinearRing)
            for dx, dy in [(0, 0), (150, 0), (150, -150), (0, -150), (0, 0)]:
                ring.AddPoint_2D(x + dx, y + dy)
            poly = ogr.Geometry(ogr.wkbPolygon)
            poly.AddGeometry(ring)
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetField("pid", f"r{row:02d}c{col:02d}")
            f.SetGeometry(poly)
            lyr.CreateFeature(f)
    ds = None


if __name__ == "__main__":
    write(OUT / "parcel-grid.fgb", True)
    write(OUT / "parcel-grid-noindex.fgb", False)
