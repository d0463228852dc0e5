"""A synthetic national parcel file for bench/parcelsNational.ts: N x N jittered, non-overlapping
quadrilaterals (ids "p<row>-<col>") on a regular lattice over a square of EXTENT metres whose top-left corner is
the top-left of MGRS tile 33TWM (EPSG:32633), written by GDAL's FlatGeobuf driver with its packed Hilbert
R-tree. With the defaults, 775 x 775 = 600,625 parcels over 2 x 2 tiles: about a quarter on 33TWM.

Usage: /usr/bin/python3 bench/reference/make_parcels_fgb.py OUT.fgb [N] [EXTENT]
"""
import sys

from osgeo import ogr, osr

ORIGIN_X, ORIGIN_Y = 499980.0, 5200020.0


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 775
    extent = float(sys.argv[3]) if len(sys.argv) > 3 else 219600.0
    step = extent / n
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    ds = ogr.GetDriverByName("FlatGeobuf").CreateDataSource(out)
    lyr = ds.CreateLayer("parcels", srs, ogr.wkbPolygon, options=["SPATIAL_INDEX=YES"])
    lyr.CreateField(ogr.FieldDefn("id", ogr.OFTString))
    defn = lyr.GetLayerDefn()
    seed = 42

    def rand():
        nonlocal seed
        seed = (seed * 1103515245 + 12345) % 2147483648
        return seed / 2147483648

    lyr.StartTransaction()
    for r in range(n):
        for c in range(n):
            x0, y0 = ORIGIN_X + c * step, ORIGIN_Y - (r + 1) * step
            j = [step * (0.02 + 0.38 * rand()) for _ in range(8)]
            pts = [(x0 + j[0], y0 + j[1]), (x0 + step - j[2], y0 + j[3]), (x0 + step - j[4], y0 + step - j[5]), (x0 + j[6], y0 + step - j[7])]
            wkt = "POLYGON((" + ",".join(f"{x} {y}" for x, y in pts + [pts[0]]) + "))"
            f = ogr.Feature(defn)
            f.SetField("id", f"p{r}-{c}")
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
            lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


if __name__ == "__main__":
    main()
