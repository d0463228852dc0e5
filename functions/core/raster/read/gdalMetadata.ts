/**
 * Parses the GDAL_METADATA TIFF tag (42112), a small XML document GDAL writes:
 * `<GDALMetadata><Item name="FIRST_DATE">2018-01-06</Item><Item name="DESCRIPTION" sample="0"
 * role="description">red</Item></GDALMetadata>`. Dataset items have no `sample`; band descriptions have
 * `role="description"`. Items of other domains or roles (scale, offset, band metadata) are left out.
 *
 * @example
 * parseGdalMetadata('<GDALMetadata><Item name="A">1</Item></GDALMetadata>', 1);
 * // { metadata: { A: '1' }, descriptions: [undefined] }
 */
export function parseGdalMetadata(
  xml: string | undefined,
  bands: number,
): { metadata: Record<string, string>; descriptions: (string | undefined)[] } {
  const metadata: Record<string, string> = {};
  const descriptions: (string | undefined)[] = new Array(bands).fill(undefined);
  if (!xml) return { metadata, descriptions };
  for (const m of xml.matchAll(/<Item\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Item>)/g)) {
    const attrs = attributesOf(m[1]);
    const value = decodeEntities(m[2] ?? '');
    if (attrs.domain !== undefined && attrs.domain !== '') continue;
    if (attrs.sample === undefined) {
      if (attrs.name !== undefined && attrs.role === undefined) metadata[attrs.name] = value;
    } else if (attrs.role === 'description') {
      const band = Number(attrs.sample);
      if (Number.isInteger(band) && band >= 0 && band < bands) descriptions[band] = value;
    }
  }
  return { metadata, descriptions };
}

function attributesOf(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs[m[1]] = decodeEntities(m[2] ?? m[3] ?? '');
  }
  return attrs;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, body: string) => {
    if (body[0] !== '#') return NAMED[body.toLowerCase()] ?? whole;
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
