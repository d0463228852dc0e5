/**
 * Well-Known Binary to a GeoJSON-like geometry: what GeoParquet 1.0 files store when their Parquet schema
 * does not mark the column as GEOMETRY. Polygons and MultiPolygons (2D, ISO or EWKB Z/M dimensions dropped).
 *
 * @example
 * parseWkb(bytes); // { type: 'Polygon', coordinates: [[[x, y], …]] }
 */
export function parseWkb(bytes: Uint8Array): { type: string; coordinates: unknown } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const readGeometry = (): { type: string; coordinates: unknown } => {
    const little = view.getUint8(pos) === 1;
    let type = view.getUint32(pos + 1, little);
    pos += 5;
    let dims = 2;
    if (type & 0x20000000) pos += 4; // EWKB SRID
    if (type & 0x80000000) dims++;
    if (type & 0x40000000) dims++;
    type &= 0xffff;
    if (type >= 1000) {
      dims += type >= 3000 ? 2 : 1;
      type %= 1000;
    }
    const u32 = () => { const v = view.getUint32(pos, little); pos += 4; return v; };
    const ring = () => {
      const n = u32();
      const out: number[][] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = [view.getFloat64(pos, little), view.getFloat64(pos + 8, little)];
        pos += 8 * dims;
      }
      return out;
    };
    const polygon = () => Array.from({ length: u32() }, ring);
    if (type === 3) return { type: 'Polygon', coordinates: polygon() };
    if (type === 6) return { type: 'MultiPolygon', coordinates: Array.from({ length: u32() }, () => readGeometry().coordinates) };
    return { type: ['Geometry', 'Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection'][type] ?? `WKB type ${type}`, coordinates: null };
  };
  return readGeometry();
}
