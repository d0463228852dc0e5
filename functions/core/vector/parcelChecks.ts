/**
 * The checks of `toParcels` (ids present and unique, geometries valid under the `invalidGeometry` policy,
 * one self-intersection budget for the file) made one feature at a time, for a file read as a stream, with
 * the same messages. Memory: 8 bytes per feature (a 53-bit hash of its id) and the few problems a message
 * lists. Ids whose hashes meet are compared for real in a second read of those features only, so a hash
 * collision never fails a file and a true duplicate is named exactly as `toParcels` names it.
 *
 * @example
 * const checks = new ParcelChecks(href, { idProperty: 'ID' });
 * for await (const batch of stream.batches()) for (const f of batch) checks.add(f);
 * await checks.finish(() => stream.batches()); // throws the InputError toParcels would throw
 */
import { InputError } from '../errors.ts';
import { CheckTooCostlyError, SELF_INTERSECTION_WORK, type WorkBudget } from './ringSelfIntersection.ts';
import {
  checkedPolygons, duplicateIdMessage, duplicatesOf, idOf, invalidMessage, LISTED, missingIdMessage, tooComplexMessage,
  type InvalidParcel, type ToParcelsOptions,
} from './toParcels.ts';
import type { RawFeature } from './types.ts';

export class ParcelChecks {
  private readonly keys: string[];
  private readonly work: number;
  private readonly budget: WorkBudget;
  private hashes = new Float64Array(1024);
  private count = 0;
  private missing: number[] = [];
  private missingCount = 0;
  private missingProperties: string[] = [];
  private invalid: InvalidParcel[] = [];
  private invalidCount = 0;
  private tooComplexAt: number | undefined;

  private readonly href: string;
  private readonly opts: ToParcelsOptions;

  constructor(href: string, opts: ToParcelsOptions) {
    this.href = href;
    this.opts = opts;
    this.keys = Array.isArray(opts.idProperty) ? opts.idProperty : [opts.idProperty];
    this.work = opts.selfIntersectionWork ?? SELF_INTERSECTION_WORK;
    this.budget = { pairs: this.work };
  }

  /** Checks one feature; features come in file order, each with its `index`. */
  add(feature: RawFeature): void {
    const index = feature.index ?? this.count;
    const id = idOf(feature.properties, this.keys);
    if (id === undefined) {
      if (this.missingCount++ === 0) this.missingProperties = Object.keys(feature.properties);
      if (this.missing.length < LISTED) this.missing.push(index);
    }
    if (this.count === this.hashes.length) {
      const grown = new Float64Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = id === undefined ? -1 : hash53(id);
    if (this.tooComplexAt !== undefined) return;
    try {
      const { problem } = checkedPolygons(feature.geometry, !!this.opts.trusted, this.budget);
      if (problem && this.invalidCount++ < LISTED) this.invalid.push({ index, id: id ?? 'undefined', reason: problem });
    } catch (e) {
      if (!(e instanceof CheckTooCostlyError)) throw e;
      this.tooComplexAt = index;
    }
  }

  /**
   * Throws what `toParcels` would throw for the whole file, in its order: missing ids, duplicate ids, rings
   * too costly to check, invalid geometries. `reread` reads the file again (only when two id hashes meet).
   */
  async finish(reread: () => AsyncIterable<RawFeature[]>): Promise<void> {
    if (this.missingCount) throw new InputError(this.href, missingIdMessage(this.keys, this.missing, this.missingCount, this.missingProperties));
    const dupes = await this.duplicates(reread);
    if (dupes.length) throw new InputError(this.href, duplicateIdMessage(this.keys, dupes));
    if (this.tooComplexAt !== undefined) throw new InputError(this.href, tooComplexMessage(this.work, this.tooComplexAt));
    if (this.invalidCount && (this.opts.invalidGeometry ?? 'error') === 'error') throw new InputError(this.href, invalidMessage(this.invalid, this.invalidCount));
  }

  private async duplicates(reread: () => AsyncIterable<RawFeature[]>): Promise<string[]> {
    const hashes = this.hashes.subarray(0, this.count);
    const sorted = Float64Array.from(hashes).sort();
    const met = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) met.add(sorted[i]);
    if (!met.size) return [];
    // The features whose hashes meet hold every true duplicate: read their ids again, in file order.
    const ids: { id: string; index: number }[] = [];
    let at = 0;
    for await (const batch of reread()) {
      for (const f of batch) {
        if (met.has(hashes[at])) ids.push({ id: idOf(f.properties, this.keys)!, index: f.index ?? at });
        at++;
      }
    }
    return duplicatesOf(ids);
  }
}

/** Two 32-bit string hashes (FNV-1a and a multiply-xorshift) folded into a double that holds 53 bits exactly. */
function hash53(text: string): number {
  let a = 0x811c9dc5, b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff);
}
