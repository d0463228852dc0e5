/**
 * Parses the main header of a JPEG 2000 code-stream (ISO 15444-1 annex A): image and tile geometry from SIZ,
 * decomposition levels and code-block size from COD/COC, tile-part lengths from TLM when the encoder wrote
 * them, and the marker segments a single-tile code-stream needs again (COD, COC, QCD, QCC, RGN, POC). Every
 * claim is checked against JP2_LIMITS and the standard's ranges before anything is sized from it.
 *
 * @example
 * const header = await readJ2kMainHeader(bytes, boxes.codestream);
 * header.tilesAcross;  // 11 for a 10980 px Sentinel-2 band in 1024 px tiles
 */
import { BadJp2Error } from '../../../errors.ts';
import type { TiffBytes } from '../tiffBytes.ts';
import type { DType } from '../../types.ts';
import { JP2_LIMITS } from './jp2Limits.ts';

export const MARKER = {
  SOC: 0xff4f, SIZ: 0xff51, COD: 0xff52, COC: 0xff53, TLM: 0xff55, PLM: 0xff57, PLT: 0xff58,
  QCD: 0xff5c, QCC: 0xff5d, RGN: 0xff5e, POC: 0xff5f, PPM: 0xff60, PPT: 0xff61, CRG: 0xff63, COM: 0xff64,
  SOT: 0xff90, SOD: 0xff93, EOC: 0xffd9,
} as const;

/** Progression orders (COD SGcod), annex A.6.1. */
const PROGRESSION = { LRCP: 0, RLCP: 1, RPCL: 2, PCRL: 3, CPRL: 4 } as const;

/** Segments a one-tile code-stream keeps: coding style, quantisation, region of interest, progression. */
const KEPT = new Set<number>([MARKER.COD, MARKER.COC, MARKER.QCD, MARKER.QCC, MARKER.RGN, MARKER.POC]);

export interface J2kMainHeader {
  /** Image area on the reference grid: [x0, x1) x [y0, y1). */
  x0: number; y0: number; x1: number; y1: number;
  width: number; height: number;
  tileWidth: number; tileHeight: number;
  /** Tile grid origin (XTOsiz, YTOsiz). */
  tileX0: number; tileY0: number;
  tilesAcross: number; tilesDown: number;
  components: number;
  precision: number;
  dtype: DType;
  /** Decomposition levels of the main COD: the reduced resolutions available are 1..levels. */
  levels: number;
  /**
   * Packets come resolution by resolution (RLCP or RPCL, no POC changing that), so a tile stored as one
   * tile-part per resolution has its coarse resolutions in its first tile-parts.
   */
  resolutionMajor: boolean;
  /** The SIZ segment's parameters after Lsiz and Rsiz (copied, then edited for one tile). */
  siz: Uint8Array;
  rsiz: number;
  /** Marker segments (marker included) that every tile's code-stream repeats. */
  kept: Uint8Array[];
  /** Tile-part lengths from TLM, in code-stream order; tile undefined when TLM leaves it implicit. */
  tlm?: { tile: number | undefined; length: number }[];
  /** Absolute file offset of the first SOT marker, and of the end of the code-stream. */
  firstTilePart: number;
  end: number;
}

export async function readJ2kMainHeader(bytes: TiffBytes, codestream: { offset: number; length: number }): Promise<J2kMainHeader> {
  const href = bytes.href;
  const bad = (msg: string) => new BadJp2Error(href, msg);
  const start = codestream.offset;
  const end = codestream.offset + codestream.length;
  await bytes.keep(start);
  const u16 = async (at: number, what: string) => view(await bytes.read(at, 2, what)).getUint16(0);
  if (end - start < 4 || (await u16(start, 'code-stream start')) !== MARKER.SOC) throw bad('code-stream does not start with SOC');
  let at = start + 2;
  let siz: SizInfo | undefined;
  let levels: number | undefined;
  let progression: number | undefined;
  let poc = false;
  const kept: Uint8Array[] = [];
  const tlmSegments: { index: number; body: Uint8Array }[] = [];
  for (;;) {
    if (at - start > JP2_LIMITS.maxMainHeaderBytes) throw bad(`code-stream main header is longer than ${JP2_LIMITS.maxMainHeaderBytes} bytes`);
    if (at + 4 > end) throw bad('code-stream main header is truncated (no tile-part found): the file is truncated');
    const marker = await u16(at, 'marker');
    if (marker === MARKER.SOT) break;
    if (marker >>> 8 !== 0xff) throw bad(`expected a marker at byte ${at} of the code-stream header, found 0x${marker.toString(16)}`);
    const length = await u16(at + 2, 'marker segment length');
    if (length < 2 || at + 2 + length > end) throw bad(`marker 0x${marker.toString(16)} at byte ${at} claims ${length} bytes past the end of the code-stream: the file is truncated`);
    const segment = await bytes.read(at, 2 + length, 'marker segment');
    const body = segment.subarray(4);
    if (marker === MARKER.SIZ) siz = parseSiz(body, bad);
    else if (marker === MARKER.PPM) throw bad('packed packet headers (PPM) are not supported; re-encode without them');
    else if (marker === MARKER.TLM) tlmSegments.push({ index: body[0], body: body.subarray(1) });
    else if (marker === MARKER.COD || marker === MARKER.COC) {
      const codingLevels = checkCodingStyle(marker, body, siz, bad);
      if (marker === MARKER.COD) [levels, progression] = [codingLevels, body[1]];
    }
    if (marker === MARKER.POC) poc = true;
    if (KEPT.has(marker)) kept.push(segment.slice());
    at += 2 + length;
  }
  if (!siz) throw bad('code-stream has no SIZ marker');
  if (levels === undefined) throw bad('code-stream has no COD marker');
  const resolutionMajor = !poc && (progression === PROGRESSION.RLCP || progression === PROGRESSION.RPCL);
  return { ...siz.info, levels, resolutionMajor, siz: siz.raw, rsiz: siz.rsiz, kept, tlm: parseTlm(tlmSegments, bad), firstTilePart: at, end };
}

interface SizInfo {
  info: Omit<J2kMainHeader, 'levels' | 'resolutionMajor' | 'siz' | 'rsiz' | 'kept' | 'tlm' | 'firstTilePart' | 'end'>;
  raw: Uint8Array;
  rsiz: number;
}

function parseSiz(body: Uint8Array, bad: (m: string) => Error): SizInfo {
  const v = view(body);
  if (body.length < 36) throw bad('SIZ marker segment is too short');
  const rsiz = v.getUint16(0);
  const [x1, y1, x0, y0, tileWidth, tileHeight, tileX0, tileY0] = [2, 6, 10, 14, 18, 22, 26, 30].map((o) => v.getUint32(o));
  const components = v.getUint16(34);
  if (components < 1 || components > JP2_LIMITS.maxComponents) throw bad(`SIZ claims ${components} components (allowed 1..${JP2_LIMITS.maxComponents})`);
  if (body.length !== 36 + 3 * components) throw bad(`SIZ length does not match its ${components} components`);
  const width = x1 - x0;
  const height = y1 - y0;
  if (!(width >= 1 && width <= JP2_LIMITS.maxSide && height >= 1 && height <= JP2_LIMITS.maxSide)) {
    throw bad(`SIZ claims an image of ${width} x ${height} pixels (allowed 1..${JP2_LIMITS.maxSide} a side)`);
  }
  if (tileWidth < 1 || tileHeight < 1) throw bad(`SIZ claims tiles of ${tileWidth} x ${tileHeight} pixels`);
  if (tileX0 > x0 || tileY0 > y0 || tileX0 + tileWidth <= x0 || tileY0 + tileHeight <= y0) {
    throw bad('SIZ tile grid does not cover the image origin');
  }
  const tilesAcross = Math.ceil((x1 - tileX0) / tileWidth);
  const tilesDown = Math.ceil((y1 - tileY0) / tileHeight);
  if (tilesAcross * tilesDown > JP2_LIMITS.maxTiles) throw bad(`SIZ claims ${tilesAcross} x ${tilesDown} tiles (at most ${JP2_LIMITS.maxTiles})`);
  const tilePixels = Math.min(tileWidth, width) * Math.min(tileHeight, height);
  if (tilePixels * components * 4 > JP2_LIMITS.maxTileDecodedBytes) {
    throw bad(`SIZ claims tiles of ${tileWidth} x ${tileHeight} pixels x ${components} components, more than ${JP2_LIMITS.maxTileDecodedBytes} bytes decoded`);
  }
  const ssiz = body[36];
  for (let c = 0; c < components; c++) {
    const [s, dx, dy] = [body[36 + 3 * c], body[37 + 3 * c], body[38 + 3 * c]];
    if (s !== ssiz) throw bad(`components differ in bit depth (${ssiz} and ${s}); the reader has one dtype per file`);
    if (dx !== 1 || dy !== 1) throw bad(`component ${c} is subsampled (${dx} x ${dy}); only full-resolution components are supported`);
  }
  const precision = (ssiz & 0x7f) + 1;
  const signed = (ssiz & 0x80) !== 0;
  if (precision > 16) throw bad(`${precision}-bit samples are not supported (at most 16)`);
  const dtype: DType = precision <= 8 ? (signed ? 'int8' : 'uint8') : signed ? 'int16' : 'uint16';
  return {
    info: { x0, y0, x1, y1, width, height, tileWidth, tileHeight, tileX0, tileY0, tilesAcross, tilesDown, components, precision, dtype },
    raw: body.slice(2),
    rsiz,
  };
}

/** Checks the decomposition levels and code-block size of a COD or COC; returns the levels. */
function checkCodingStyle(marker: number, body: Uint8Array, siz: SizInfo | undefined, bad: (m: string) => Error): number {
  const name = marker === MARKER.COD ? 'COD' : 'COC';
  // COD: Scod, progression, layers(2), MCT, then SPcod; COC: component (1 or 2 bytes), Scoc, then SPcoc.
  const spAt = marker === MARKER.COD ? 5 : (siz && siz.info.components >= 257 ? 2 : 1) + 1;
  if (body.length < spAt + 5) throw bad(`${name} marker segment is too short`);
  const [levels, xcb, ycb] = [body[spAt], body[spAt + 1], body[spAt + 2]];
  if (levels > JP2_LIMITS.maxDecompositionLevels) throw bad(`${name} claims ${levels} decomposition levels (at most ${JP2_LIMITS.maxDecompositionLevels})`);
  // Code-blocks are 2^(xcb+2) x 2^(ycb+2) with each exponent 2..10 and their sum at most 12 (annex A.6.1).
  if (xcb > 8 || ycb > 8 || xcb + ycb > 8) throw bad(`${name} claims code-blocks of ${2 ** (xcb + 2)} x ${2 ** (ycb + 2)} (at most 4096 samples, 1024 a side)`);
  return levels;
}

function parseTlm(segments: { index: number; body: Uint8Array }[], bad: (m: string) => Error): J2kMainHeader['tlm'] {
  if (segments.length === 0) return undefined;
  const out: { tile: number | undefined; length: number }[] = [];
  for (const { body } of [...segments].sort((a, b) => a.index - b.index)) {
    const stlm = body[0];
    const tileBytes = (stlm >> 4) & 3;
    const lengthBytes = (stlm >> 6) & 1 ? 4 : 2;
    if (tileBytes === 3) throw bad('TLM marker has an invalid Stlm');
    const entry = tileBytes + lengthBytes;
    const v = view(body.subarray(1));
    if ((body.length - 1) % entry !== 0) throw bad('TLM marker length is not a whole number of entries');
    for (let at = 0; at < body.length - 1; at += entry) {
      const tile = tileBytes === 0 ? undefined : tileBytes === 1 ? v.getUint8(at) : v.getUint16(at);
      const length = lengthBytes === 2 ? v.getUint16(at + tileBytes) : v.getUint32(at + tileBytes);
      out.push({ tile, length });
    }
  }
  return out;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
