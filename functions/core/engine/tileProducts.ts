/**
 * What ties the tiles of a multi-tile product together: a STAC item per tile (`tiles/<tile>/item.json`), a
 * STAC collection linking them (`collection.json`), and for rasters a GDAL VRT mosaic per CRS
 * (`mosaic.vrt`, or `mosaic-<crs>.vrt` when the tiles span several CRSs). Where tiles overlap, the mosaic
 * shows the tile later in key order, except where that tile has no data.
 *
 * @example
 * const summary = await writeTileProducts(prepared, merged, sink); // assets: collection, mosaic
 */
import { COG_TYPE } from '../ops/mergeRaster.ts';
import { TILES_FOLDER } from '../ops/tiles/withTiles.ts';
import type { ProductAsset, ProductSink, ProductSummary } from '../ops/types.ts';
import type { Grid } from '../raster/types.ts';
import type { PreparedJob } from './prepareJob.ts';
import { productItem } from './productItem.ts';

type Tiles = NonNullable<ProductSummary['tiles']>;

export async function writeTileProducts(prepared: PreparedJob, merged: ProductSummary, sink: ProductSink): Promise<ProductSummary> {
  const tiles = merged.tiles as Tiles;
  const encode = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc, null, 2) + '\n');
  const bboxes: [number, number, number, number][] = [];
  for (const tile of tiles) {
    const tilePrepared: PreparedJob = {
      ...prepared,
      job: { ...prepared.job, id: `${prepared.job.id}-${tile.key}` },
      inputs: prepared.inputs.filter((i) => tile.items.includes(i.id)),
    };
    const item = productItem(tilePrepared, tile.summary);
    (item.properties as Record<string, unknown>)['eofn:tile'] = tile.key;
    item.links = [
      ...(item.links as unknown[]),
      { rel: 'collection', href: '../../collection.json', type: 'application/json' },
      { rel: 'parent', href: '../../collection.json', type: 'application/json' },
    ];
    (item as Record<string, unknown>).collection = prepared.job.id;
    if (item.bbox) bboxes.push(item.bbox as [number, number, number, number]);
    await sink.write(`${TILES_FOLDER}/${tile.key}/item.json`, encode(item), 'application/geo+json');
  }
  const bbox = unionBbox(bboxes);
  const collection = {
    type: 'Collection',
    stac_version: '1.1.0',
    id: prepared.job.id,
    description: `eofn ${prepared.job.op}: one item per tile (${tiles.map((t) => t.key).join(', ')})`,
    license: 'other',
    extent: {
      spatial: { bbox: [bbox ?? [-180, -90, 180, 90]] },
      temporal: { interval: [timeSpan(prepared)] },
    },
    links: [
      { rel: 'self', href: './collection.json', type: 'application/json' },
      { rel: 'root', href: './collection.json', type: 'application/json' },
      ...tiles.map((t) => ({ rel: 'item', href: `./${TILES_FOLDER}/${t.key}/item.json`, type: 'application/geo+json', title: t.key })),
    ],
  };
  const assets: Record<string, ProductAsset> = {
    collection: { href: await sink.write('collection.json', encode(collection), 'application/json'), type: 'application/json', roles: ['metadata'], title: 'One STAC item per tile' },
  };
  // Files the tiles' partitions wrote at the output's root (a Parquet dataset): listed here as one asset.
  const files: string[] = [];
  let rows = 0;
  let dataset: ProductAsset | undefined;
  for (const t of tiles) {
    for (const asset of Object.values(t.summary.assets)) {
      const own = asset['eofn:files'] as string[] | undefined;
      if (!own) continue;
      files.push(...own.map((f) => `./${f.replace(/^\.\.\/\.\.\//, '')}`));
      rows += Number(asset['table:row_count'] ?? 0);
      dataset ??= asset;
    }
  }
  if (dataset) {
    assets.data = { ...dataset, href: `./${dataset.href.replace(/^\.\.\/\.\.\//, '')}`, title: `${dataset.title}: every tile`, 'table:row_count': rows, 'eofn:files': files };
  }
  for (const [name, vrt] of mosaics(tiles)) {
    assets[name.replace(/\.vrt$/, '')] = { href: await sink.write(name, new TextEncoder().encode(vrt), 'application/xml'), type: 'application/xml', roles: ['data', 'mosaic'], title: 'GDAL VRT mosaic of the tiles' };
  }
  return {
    assets,
    bbox,
    properties: {
      ...(files.length ? { 'eofn:dataset': { glob: `${files[0].slice(2, files[0].lastIndexOf('/'))}/*${files[0].slice(files[0].lastIndexOf('.'))}`, files: files.length } } : {}),
      'eofn:tiles': tiles.map((t) => ({ tile: t.key, item: `./${TILES_FOLDER}/${t.key}/item.json`, ...numericProperties(t.summary) })),
      ...(merged.properties ?? sumOfNumericProperties(tiles)),
    },
  };
}

function unionBbox(boxes: [number, number, number, number][]): [number, number, number, number] | undefined {
  if (!boxes.length) return undefined;
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

function timeSpan(prepared: PreparedJob): [string | null, string | null] {
  const dates = prepared.inputs.map((i) => i.datetime).filter((d): d is string => !!d).sort();
  return [dates[0] ?? null, dates[dates.length - 1] ?? null];
}

function numericProperties(summary: ProductSummary): Record<string, number> {
  return Object.fromEntries(Object.entries(summary.properties ?? {}).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
}

/** Counts a tile reports (parcels, rows, …) summed over the tiles, for the job's own item. */
function sumOfNumericProperties(tiles: Tiles): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const t of tiles) for (const [k, v] of Object.entries(numericProperties(t.summary))) sums[k] = (sums[k] ?? 0) + v;
  return sums;
}

/** One VRT per CRS over the tiles' COGs (`result` assets), at the finest resolution among them. */
function mosaics(tiles: Tiles): [string, string][] {
  const byCrs = new Map<string, { key: string; grid: Grid; asset: ProductAsset }[]>();
  for (const t of tiles) {
    const asset = t.summary.assets.result;
    if (!t.summary.grid || !asset || asset.type !== COG_TYPE) continue;
    const list = byCrs.get(t.summary.grid.crs) ?? [];
    list.push({ key: t.key, grid: t.summary.grid, asset });
    byCrs.set(t.summary.grid.crs, list);
  }
  return [...byCrs.entries()].map(([crs, list]) => [byCrs.size === 1 ? 'mosaic.vrt' : `mosaic-${crs.replace(/[^A-Za-z0-9]+/g, '_')}.vrt`, mosaicVrt(crs, list)]);
}

function mosaicVrt(crs: string, tiles: { key: string; grid: Grid; asset: ProductAsset }[]): string {
  const resX = Math.min(...tiles.map((t) => t.grid.resX)), resY = Math.min(...tiles.map((t) => t.grid.resY));
  const minX = Math.min(...tiles.map((t) => t.grid.originX));
  const maxY = Math.max(...tiles.map((t) => t.grid.originY));
  const maxX = Math.max(...tiles.map((t) => t.grid.originX + t.grid.width * t.grid.resX));
  const minY = Math.min(...tiles.map((t) => t.grid.originY - t.grid.height * t.grid.resY));
  // Rounded as gdalbuildvrt does, so that GDAL users get the same grid from either.
  const width = Math.round((maxX - minX) / resX), height = Math.round((maxY - minY) / resY);
  const bands = (tiles[0].asset['raster:bands'] as { name?: string; data_type: string; nodata?: number | string }[] | undefined) ?? [];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const lines = [
    `<VRTDataset rasterXSize="${width}" rasterYSize="${height}">`,
    `  <SRS dataAxisToSRSAxisMapping="1,2">${esc(crs)}</SRS>`,
    `  <GeoTransform>${minX}, ${resX}, 0, ${maxY}, 0, ${-resY}</GeoTransform>`,
  ];
  bands.forEach((band, b) => {
    const nodata = band.nodata === undefined ? undefined : String(band.nodata);
    lines.push(`  <VRTRasterBand dataType="${GDAL_TYPE[band.data_type] ?? 'Float32'}" band="${b + 1}">`);
    if (band.name) lines.push(`    <Description>${esc(band.name)}</Description>`);
    if (nodata !== undefined) lines.push(`    <NoDataValue>${nodata}</NoDataValue>`);
    for (const t of tiles) {
      const r = sourceRects(t.grid, minX, maxY, resX, resY, width, height);
      const href = `${TILES_FOLDER}/${t.key}/${t.asset.href.replace(/^\.\//, '')}`;
      lines.push(
        '    <ComplexSource>',
        `      <SourceFilename relativeToVRT="1">${esc(href)}</SourceFilename>`,
        `      <SourceBand>${b + 1}</SourceBand>`,
        `      <SrcRect xOff="0" yOff="0" xSize="${r.srcW}" ySize="${r.srcH}"/>`,
        `      <DstRect xOff="${r.dstX}" yOff="${r.dstY}" xSize="${r.dstW}" ySize="${r.dstH}"/>`,
        ...(nodata !== undefined ? [`      <NODATA>${nodata}</NODATA>`] : []),
        '    </ComplexSource>',
      );
    }
    lines.push('  </VRTRasterBand>');
  });
  lines.push('</VRTDataset>', '');
  return lines.join('\n');
}

/** Where a tile lands in the mosaic, its source cut where the (rounded) mosaic ends, as gdalbuildvrt does. */
function sourceRects(g: Grid, minX: number, maxY: number, resX: number, resY: number, width: number, height: number) {
  const dstX = (g.originX - minX) / resX, dstY = (maxY - g.originY) / resY;
  const dstW = Math.min((g.width * g.resX) / resX, width - dstX), dstH = Math.min((g.height * g.resY) / resY, height - dstY);
  return { dstX, dstY, dstW, dstH, srcW: (dstW * resX) / g.resX, srcH: (dstH * resY) / g.resY };
}

const GDAL_TYPE: Record<string, string> = {
  uint8: 'Byte', int8: 'Int8', uint16: 'UInt16', int16: 'Int16', uint32: 'UInt32', int32: 'Int32', float32: 'Float32', float64: 'Float64',
};
