/**
 * A date for a bare GeoTIFF, from the metadata tags producers actually write: TIFF DateTime
 * ("YYYY:MM:DD HH:MM:SS"), GDAL items such as ACQUISITION_DATE or DATETIME, and the pair dates of
 * interferometric coherence (FIRST_DATE/SECOND_DATE: a pair is dated by its second, the later, image).
 *
 * @example
 * datetimeFromTiffMetadata({ SECOND_DATE: '2018-01-30' }); // '2018-01-30T00:00:00Z'
 */
export function datetimeFromTiffMetadata(meta: Record<string, string>): string | null {
  const candidates = [meta.SECOND_DATE, meta.ACQUISITION_DATE, meta.DATETIME, meta.DATE, meta.TIFFTAG_DATETIME, meta.FIRST_DATE];
  for (const raw of candidates) {
    const iso = toIso(raw);
    if (iso) return iso;
  }
  return null;
}

function toIso(raw: string | undefined): string | null {
  if (!raw) return null;
  const m = /^(\d{4})[-:]?(\d{2})[-:]?(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?))?/.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}
