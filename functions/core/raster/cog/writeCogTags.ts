/**
 * The tags of one COG directory (full resolution or an overview), laid out as GDAL's COG driver writes
 * them: pixel-interleaved (PlanarConfiguration 1, GDAL's default INTERLEAVE=PIXEL), MinIsBlack with
 * unspecified extra samples beyond the first band, DEFLATE with a predictor, and GDAL_NODATA repeated on
 * every overview so that a reader of one level alone still knows its nodata.
 */
import { TAG } from '../read/tiffTags.ts';
import type { GeoTags } from './geoKeysEncode.ts';
import type { TiffTag } from './tiffWriterIfd.ts';
import type { Predictor } from './tiffWriterTiles.ts';
import type { DType } from '../types.ts';

const SAMPLE_FORMAT: Record<DType, { bits: number; format: number }> = {
  uint8: { bits: 8, format: 1 },
  int8: { bits: 8, format: 2 },
  uint16: { bits: 16, format: 1 },
  int16: { bits: 16, format: 2 },
  uint32: { bits: 32, format: 1 },
  int32: { bits: 32, format: 2 },
  float32: { bits: 32, format: 3 },
  float64: { bits: 64, format: 3 },
};
const COMPRESSION_DEFLATE = 8;
const PHOTOMETRIC_MIN_IS_BLACK = 1;
const PLANAR_CONTIGUOUS = 1;
const SUBFILE_REDUCED_IMAGE = 1;

export interface LevelTagInput {
  width: number;
  height: number;
  blockSize: number;
  bands: number;
  dtype: DType;
  predictor: Predictor;
  bigTiff: boolean;
  /** Tile offsets and byte counts, one per tile, row-major (zeros while sizing the header). */
  offsets: readonly number[];
  byteCounts: readonly number[];
  /** Present on the full-resolution directory only. */
  geo?: GeoTags;
  metadataXml?: string;
  nodataText?: string;
}

/**
 * Tags for one directory; their count and types depend only on the sizes, never on the offsets.
 *
 * @example
 * const tags = cogLevelTags({ width: 550, height: 350, blockSize: 512, bands: 1, dtype: 'float32',
 *   predictor: 3, bigTiff: false, offsets: [0], byteCounts: [0], nodataText: 'nan' });
 */
export function cogLevelTags(l: LevelTagInput): TiffTag[] {
  const { bits, format } = SAMPLE_FORMAT[l.dtype];
  const perSample = (v: number) => new Array<number>(l.bands).fill(v);
  const dim = (tag: number, v: number): TiffTag => ({ tag, type: v < 65536 ? 'SHORT' : 'LONG', values: [v] });
  const tags: TiffTag[] = [
    dim(TAG.ImageWidth, l.width),
    dim(TAG.ImageLength, l.height),
    { tag: TAG.BitsPerSample, type: 'SHORT', values: perSample(bits) },
    { tag: TAG.Compression, type: 'SHORT', values: [COMPRESSION_DEFLATE] },
    { tag: TAG.PhotometricInterpretation, type: 'SHORT', values: [PHOTOMETRIC_MIN_IS_BLACK] },
    { tag: TAG.SamplesPerPixel, type: 'SHORT', values: [l.bands] },
    { tag: TAG.PlanarConfiguration, type: 'SHORT', values: [PLANAR_CONTIGUOUS] },
    { tag: TAG.Predictor, type: 'SHORT', values: [l.predictor] },
    dim(TAG.TileWidth, l.blockSize),
    dim(TAG.TileLength, l.blockSize),
    { tag: TAG.TileOffsets, type: l.bigTiff ? 'LONG8' : 'LONG', values: l.offsets },
    { tag: TAG.TileByteCounts, type: l.bigTiff ? 'LONG8' : 'LONG', values: l.byteCounts },
    { tag: TAG.SampleFormat, type: 'SHORT', values: perSample(format) },
  ];
  if (!l.geo) tags.push({ tag: TAG.NewSubfileType, type: 'LONG', values: [SUBFILE_REDUCED_IMAGE] });
  if (l.bands > 1) tags.push({ tag: TAG.ExtraSamples, type: 'SHORT', values: new Array<number>(l.bands - 1).fill(0) });
  if (l.geo) {
    tags.push(
      { tag: TAG.ModelPixelScale, type: 'DOUBLE', values: l.geo.modelPixelScale },
      { tag: TAG.ModelTiepoint, type: 'DOUBLE', values: l.geo.modelTiepoint },
      { tag: TAG.GeoKeyDirectory, type: 'SHORT', values: l.geo.geoKeyDirectory },
    );
  }
  if (l.geo && l.metadataXml) tags.push({ tag: TAG.GdalMetadata, type: 'ASCII', values: l.metadataXml });
  if (l.nodataText !== undefined) tags.push({ tag: TAG.GdalNodata, type: 'ASCII', values: l.nodataText });
  return tags;
}

/** Bytes per sample of a dtype. */
export function bytesPerSample(dtype: DType): number {
  return SAMPLE_FORMAT[dtype].bits / 8;
}
