/**
 * TIFF 6.0 and BigTIFF field types: the number an IFD entry stores for how its values are encoded, and the
 * bytes one value takes. Shared by the reader (`read/tiffDirectory.ts`) and the COG writer
 * (`cog/tiffWriterIfd.ts`), so that neither spells a type as a bare number.
 *
 * @example
 * if (entry.type === FIELD_TYPE.ASCII) return decodeText(raw);
 * FIELD_TYPE_SIZE[FIELD_TYPE.DOUBLE]; // 8
 */

export const FIELD_TYPE = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  RATIONAL: 5,
  SBYTE: 6,
  UNDEFINED: 7,
  SSHORT: 8,
  SLONG: 9,
  SRATIONAL: 10,
  FLOAT: 11,
  DOUBLE: 12,
  IFD: 13,
  LONG8: 16,
  SLONG8: 17,
  IFD8: 18,
} as const;

export type FieldTypeName = keyof typeof FIELD_TYPE;

/** Bytes per value of each field type; a type not listed here is unknown and skipped, as the TIFF spec asks. */
export const FIELD_TYPE_SIZE: Readonly<Record<number, number>> = {
  [FIELD_TYPE.BYTE]: 1,
  [FIELD_TYPE.ASCII]: 1,
  [FIELD_TYPE.SHORT]: 2,
  [FIELD_TYPE.LONG]: 4,
  [FIELD_TYPE.RATIONAL]: 8,
  [FIELD_TYPE.SBYTE]: 1,
  [FIELD_TYPE.UNDEFINED]: 1,
  [FIELD_TYPE.SSHORT]: 2,
  [FIELD_TYPE.SLONG]: 4,
  [FIELD_TYPE.SRATIONAL]: 8,
  [FIELD_TYPE.FLOAT]: 4,
  [FIELD_TYPE.DOUBLE]: 8,
  [FIELD_TYPE.IFD]: 4,
  [FIELD_TYPE.LONG8]: 8,
  [FIELD_TYPE.SLONG8]: 8,
  [FIELD_TYPE.IFD8]: 8,
};
