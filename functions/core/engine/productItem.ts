/**
 * The STAC 1.1 item that describes a product: footprint in WGS84, the time span of its inputs, proj fields
 * of its grid, the job's op and params, and `derived_from` links to every input item. It declares exactly
 * the extensions whose fields it carries; `self` is absolute and the other links are relative to the item
 * (see stacHrefs.ts), so they resolve from where the item is stored.
 *
 * @example
 * const item = productItem(prepared, summary); // written as item.json
 */
import { absoluteHref, relativeHref } from '../stac/stacHrefs.ts';
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
      'proj:shape': [grid.height, grid.width],
      'proj:transform': [grid.resX, 0, grid.originX, 0, -grid.resY, grid.originY],
    } : {}),
    ...summary.properties,
  };
  const self = absoluteHref(`${prepared.outputHref}/item.json`);
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    stac_extensions: extensionsOf(properties, summary.assets),
    id: job.id,
    geometry: footprint?.geometry ?? null,
    ...(footprint ? { bbox: footprint.bbox } : {}),
    properties,
    links: [
      { rel: 'self', href: self, type: 'application/geo+json' },
      ...prepared.inputs.filter((i) => i.href).map((i) => ({
        rel: 'derived_from', href: relativeHref(i.href!, self), type: inputType(i.href!), title: i.id,
      })),
    ],
    assets: summary.assets,
  };
}

function bboxPolygon(bbox: [number, number, number, number]) {
  const [x0, y0, x1, y1] = bbox;
  return { bbox, geometry: { type: 'Polygon' as const, coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } };
}

/** The extension schema of each field prefix our items use. */
const STAC_EXTENSIONS: Record<string, string> = {
  proj: 'https://stac-extensions.github.io/projection/v2.0.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  table: 'https://stac-extensions.github.io/table/v1.2.0/schema.json',
};

/** The extensions whose fields the item carries, in a stable order. */
function extensionsOf(properties: Record<string, unknown>, assets: Record<string, object>): string[] {
  const keys = [...Object.keys(properties), ...Object.values(assets).flatMap((a) => Object.keys(a))];
  const used = new Set(keys.map((k) => k.split(':')[0]));
  return Object.entries(STAC_EXTENSIONS).filter(([prefix]) => used.has(prefix)).map(([, url]) => url);
}

/** A GeoTIFF input (an item made from a bare .tif) is linked as what it is, not as JSON. */
function inputType(href: string): string {
  return /\.tiff?$/i.test(href.split('?')[0]) ? 'image/tiff; application=geotiff' : 'application/geo+json';
}
