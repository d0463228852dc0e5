/**
 * Little-endian WKB of a GeoJSON Polygon or MultiPolygon, for tests that write their own GeoParquet.
 *
 * @example
 * const bytes = wkbOf({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] });
 */
export function wkbOf(geometry: { type: string; coordinates: unknown }): Uint8Array {
  const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as number[][][][];
  const chunks: Uint8Array[] = [];
  const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); chunks.push(b); };
  const f64 = (v: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v, true); chunks.push(b); };
  const polygon = (rings: number[][][]) => {
    chunks.push(Uint8Array.of(1)); u32(3); u32(rings.length);
    for (const ring of rings) { u32(ring.length); for (const [x, y] of ring) { f64(x); f64(y); } }
  };
  if (geometry.type === 'Polygon') polygon(polygons[0]);
  else { chunks.push(Uint8Array.of(1)); u32(6); u32(polygons.length); polygons.forEach(polygon); }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}
