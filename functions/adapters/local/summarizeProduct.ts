/**
 * A one-line look at a raster product, so that the demo shows a number and not only a path:
 * valid pixels, and the mean and range of the first band.
 *
 * @example
 * await summarizeProduct('eofn-demo/result.tif'); // '65,288 of 65,536 pixels valid; mean 0.716, range -0.62 … 0.93'
 */
import { openRaster } from '../../core/raster/read/openRaster.ts';

export async function summarizeProduct(href: string): Promise<string> {
  const raster = await openRaster(href);
  try {
    const { width, height } = raster.info.grid;
    const band = await raster.readWindow({ x: 0, y: 0, width, height });
    let n = 0, sum = 0, min = Infinity, max = -Infinity;
    for (const v of band) {
      if (v !== v || v === raster.info.nodata) continue;
      n++; sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const total = width * height;
    if (!n) return `no valid pixel in ${total.toLocaleString('en')}`;
    return `${n.toLocaleString('en')} of ${total.toLocaleString('en')} pixels valid; mean ${(sum / n).toFixed(3)}, range ${min.toFixed(2)} … ${max.toFixed(2)}`;
  } finally {
    await raster.close();
  }
}
