/**
 * The two GDAL private TIFF tags: GDAL_METADATA (42112, an XML document) and GDAL_NODATA (42113, text).
 * The XML follows GDAL's own serialisation byte for byte so that a file written here and the same file
 * rewritten by GDAL carry the same metadata text. GDAL escapes item values twice (once when storing the
 * value, once when serialising the XML) and names once; readers that undo it once per step get the text back.
 */

/**
 * GDAL_METADATA XML for dataset items and band descriptions, or undefined when there is nothing to say.
 *
 * @example
 * gdalMetadataXml(['red'], { FIRST_DATE: '2024-06-01' });
 * // <GDALMetadata>\n  <Item name="FIRST_DATE">2024-06-01</Item>\n
 * //   <Item name="DESCRIPTION" sample="0" role="description">red</Item>\n</GDALMetadata>\n
 */
export function gdalMetadataXml(
  descriptions: readonly string[] | undefined,
  metadata: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const items: string[] = [];
  for (const [name, value] of Object.entries(metadata ?? {})) {
    items.push(`  <Item name="${escapeXml(name)}">${escapeXml(escapeXml(String(value)))}</Item>\n`);
  }
  (descriptions ?? []).forEach((text, band) => {
    if (text === undefined || text === '') return;
    items.push(`  <Item name="DESCRIPTION" sample="${band}" role="description">${escapeXml(escapeXml(text))}</Item>\n`);
  });
  if (items.length === 0) return undefined;
  return `<GDALMetadata>\n${items.join('')}</GDALMetadata>\n`;
}

/**
 * GDAL_NODATA text: GDAL parses it with `CPLAtof`, which reads "nan", "inf" and JavaScript's exponent form.
 *
 * @example
 * gdalNodataText(NaN); // "nan"
 * gdalNodataText(-9999); // "-9999"
 */
export function gdalNodataText(nodata: number): string {
  if (Number.isNaN(nodata)) return 'nan';
  if (nodata === Infinity) return 'inf';
  if (nodata === -Infinity) return '-inf';
  return String(nodata);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
