/**
 * The STAC item that describes a product: footprint in WGS84, the time span of its inputs, proj fields
 * of its grid, the job's op and params, and `derived_from` links to every input item.
 *
 * @example
 * const item = productItem(prepared, summary); // written as item.json
 */
import { epsgOf } from '../geo/crs.ts';
import { footprintWgs84 } from '../geo/gridOps.ts';
import type { ProductSummary } from '../ops/types.ts';
import type { PreparedJob } from './prepareJob.ts';

export function productItem(prepared: PreparedJob, summary: ProductSummary): Record<string, unknown> {
  const { job } = prepared;
  const dates = prepared.inputs.map((i) => i.datetime).filter((d): d is string => !!d).sort();
  const grid = summary.grid;
  const footprint = grid ? footprintWgs84(grid) : summary.bbox ? bboxPolygon(summary.bbox) : undefined;
  const properties: Record<string, unknown> = {
    datetime: dates.length === 1 ? dates[0] : null,
    ...(dates.length > 1 ? { start_datetime: dates[0], end_datetime: dates[dates.length - 1] } : {}),
    ...(dates.length === 0 ? { datetime: null } : {}),
    'eofn:op': job.op,
    'eofn:params': job.params,
    'eofn:inputs': prepared.inputs.map((i) => i.id),
    ...(grid ? {
      'proj:code': grid.crs,
      ...(epsgOf(grid.crs) ? { 'proj:epsg': epsgOf(grid.crs) } : {}),
      'proj:shape': [grid.height, grid.width],
      'proj:transform': [grid.resX, 0, grid.originX, 0, -grid.resY, grid.originY],
    } : {}),
    ...summary.properties,
  };
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    stac_extensions: [
      'https://stac-extensions.github.io/projection/v2.0.0/schema.json',
      'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
    ],
    id: job.id,
    geometry: footprint?.geometry ?? null,
    ...(footprint ? { bbox: footprint.bbox } : {}),
    properties,
    links: [
      { rel: 'self', href: './item.json', type: 'application/geo+json' },
      ...prepared.inputs.filter((i) => i.href).map((i) => ({ rel: 'derived_from', href: i.href, type: 'application/geo+json', title: i.id })),
    ],
    assets: summary.assets,
  };
}

function bboxPolygon(bbox: [number, number, number, number]) {
  const [x0, y0, x1, y1] = bbox;
  return { bbox, geometry: { type: 'Polygon' as const, coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } };
}
