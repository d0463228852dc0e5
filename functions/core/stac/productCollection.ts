/**
 * The STAC collection of a job that writes several items (one per tile of a multi-tile product): its extent
 * is the union of the items', it links each item relative to itself, and each item gets `collection`,
 * `parent` and `root` links back, so a STAC browser or pystac walks the product from either end.
 *
 * @example
 * const { collection, items } = productCollection({ id: job.id, description: 'NDVI median',
 *   href: `${outputHref}/collection.json`, items: [{ item: tileItem, href: `${outputHref}/33TWM/item.json` }] });
 */
import { absoluteHref, relativeHref } from './stacHrefs.ts';

type StacObject = Record<string, any>;

export interface CollectionInput {
  id: string;
  description: string;
  /** Where collection.json is written. */
  href: string;
  /** Each item and where it is written; every item's self link is rewritten to that place. */
  items: { item: StacObject; href: string }[];
  license?: string;
}

export function productCollection(input: CollectionInput): { collection: StacObject; items: StacObject[] } {
  const self = absoluteHref(input.href);
  const collection = {
    type: 'Collection',
    stac_version: '1.1.0',
    stac_extensions: [],
    id: input.id,
    description: input.description,
    license: input.license ?? 'other',
    extent: {
      spatial: { bbox: [unionBbox(input.items.map(({ item }) => item.bbox).filter(Boolean))] },
      temporal: { interval: [timeSpan(input.items.map(({ item }) => item.properties))] },
    },
    links: [
      { rel: 'self', href: self, type: 'application/json' },
      { rel: 'root', href: self, type: 'application/json' },
      ...input.items.map(({ item, href }) => ({ rel: 'item', href: relativeHref(href, self), type: 'application/geo+json', title: item.id })),
    ],
  };
  const items = input.items.map(({ item, href }) => {
    const itemSelf = absoluteHref(href);
    const back = relativeHref(self, itemSelf);
    return {
      ...item,
      collection: input.id,
      links: [
        { rel: 'self', href: itemSelf, type: 'application/geo+json' },
        { rel: 'collection', href: back, type: 'application/json' },
        { rel: 'parent', href: back, type: 'application/json' },
        { rel: 'root', href: back, type: 'application/json' },
        ...(item.links ?? []).filter((l: { rel: string }) => !['self', 'collection', 'parent', 'root'].includes(l.rel))
          .map((l: { href: string }) => ({ ...l, href: relinked(l.href, item, itemSelf) })),
      ],
    };
  });
  return { collection, items };
}

/** An item link written relative to the item's old self is rewritten relative to its new place. */
function relinked(href: string, item: StacObject, itemSelf: string): string {
  const oldSelf = item.links?.find((l: { rel: string }) => l.rel === 'self')?.href;
  if (!oldSelf || /^[a-z][a-z0-9+.-]*:/i.test(href)) return href;
  return relativeHref(new URL(href, oldSelf).href, itemSelf);
}

function unionBbox(boxes: number[][]): number[] {
  if (!boxes.length) return [-180, -90, 180, 90];
  return [0, 1, 2, 3].map((k) => (k < 2 ? Math.min : Math.max)(...boxes.map((b) => b[k])));
}

function timeSpan(props: StacObject[]): (string | null)[] {
  const times = props.flatMap((p) => [p.datetime, p.start_datetime, p.end_datetime]).filter((t): t is string => !!t).sort();
  return times.length ? [times[0], times[times.length - 1]] : [null, null];
}
