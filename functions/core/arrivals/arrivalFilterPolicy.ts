/**
 * The SNS filter policy that lets through only what the arrival rules could match, on the message
 * attributes Earth Search (Cirrus) publishes with every item: `collection`, `status` (`created`/`updated`),
 * `cloud_cover`, `bbox.ll_lon`/`ll_lat`/`ur_lon`/`ur_lat` (github.com/Element84/earth-search, "SNS
 * Notifications of Items"). SNS allows five keys per policy, so the area is tested on the lower-left corner
 * only: an item can overlap [w, s, e, n] only if its lower-left corner lies in [w - margin, s - margin, e, n],
 * with a margin as wide as the widest footprint we expect (300 km: Sentinel-1 IW is 250 km). The policy is a
 * coarse pre-filter that never drops an item a rule would take; the rules then decide exactly.
 *
 * @example
 * arrivalFilterPolicy(rules);
 * // { collection: ['sentinel-2-c1-l2a'], status: ['created'], cloud_cover: [{ numeric: ['<=', 30] }],
 * //   'bbox.ll_lon': [{ numeric: ['>=', 11.6, '<=', 19] }], 'bbox.ll_lat': [{ numeric: ['>=', 37.3, '<=', 48.5] }] }
 */
import type { ArrivalRule } from './arrivalRules.ts';

export type FilterPolicy = Record<string, (string | { numeric: (string | number)[] })[]>;

const FOOTPRINT_KM = 300;
const KM_PER_DEGREE = 111.32;
/** MGRS latitude bands C…X (no I, O), 8° each from 80°S; X is 12° high. */
const BANDS = 'CDEFGHJKLMNPQRSTUVWX';

export function arrivalFilterPolicy(rules: ArrivalRule[]): FilterPolicy | undefined {
  if (!rules.length) return undefined;
  const policy: FilterPolicy = { status: ['created'] };
  if (rules.every((r) => r.collection)) policy.collection = [...new Set(rules.map((r) => r.collection!))].sort();
  if (rules.every((r) => r.maxCloudCover !== undefined)) {
    policy.cloud_cover = [{ numeric: ['<=', Math.max(...rules.map((r) => r.maxCloudCover!))] }];
  }
  const areas = rules.map(areaOf);
  if (areas.every((a) => a !== undefined)) {
    const [w, s, e, n] = areas.reduce((u, a) => [Math.min(u[0], a![0]), Math.min(u[1], a![1]), Math.max(u[2], a![2]), Math.max(u[3], a![3])], [180, 90, -180, -90]);
    const latMargin = FOOTPRINT_KM / KM_PER_DEGREE;
    const poleward = Math.min(89, Math.max(Math.abs(s - latMargin), Math.abs(n)));
    const lonMargin = Math.min(360, FOOTPRINT_KM / (KM_PER_DEGREE * Math.cos((poleward * Math.PI) / 180)));
    policy['bbox.ll_lon'] = [{ numeric: ['>=', round(Math.max(-180, w - lonMargin)), '<=', round(e)] }];
    policy['bbox.ll_lat'] = [{ numeric: ['>=', round(Math.max(-90, s - latMargin)), '<=', round(n)] }];
  }
  return policy;
}

/** [w, s, e, n] of a rule: its bbox, or the UTM zone × latitude band boxes of its MGRS tiles (padded). */
function areaOf(rule: ArrivalRule): [number, number, number, number] | undefined {
  if (rule.bbox) return rule.bbox;
  if (!rule.tiles?.length) return undefined;
  const boxes = rule.tiles.map(mgrsZoneBox);
  if (boxes.some((b) => !b)) return undefined;
  return boxes.reduce((u, b) => [Math.min(u![0], b![0]), Math.min(u![1], b![1]), Math.max(u![2], b![2]), Math.max(u![3], b![3])])!;
}

/** The grid zone of an MGRS tile ("33TWM": zone 33, band T), widened by 1° of longitude and 0.5° of latitude. */
export function mgrsZoneBox(tile: string): [number, number, number, number] | undefined {
  const m = /^(\d{1,2})([C-X])[A-Z]{2}$/.exec(tile.toUpperCase());
  const band = m ? BANDS.indexOf(m[2]) : -1;
  if (!m || band < 0 || Number(m[1]) < 1 || Number(m[1]) > 60) return undefined;
  const west = -180 + 6 * (Number(m[1]) - 1);
  const south = -80 + 8 * band;
  const north = m[2] === 'X' ? 84 : south + 8;
  return [Math.max(-180, west - 1), Math.max(-90, south - 0.5), Math.min(180, west + 6 + 1), Math.min(90, north + 0.5)];
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
