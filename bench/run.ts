/**
 * `npm run bench`: every benchmark, each against a reference (rasterio / numpy / GDAL) run side by side on
 * this machine, printed as ratios of medians (eofn time ÷ reference time: below 1 is faster) and peak RSS.
 * Needs Debian's GDAL and rasterio (`apt-get install gdal-bin python3-gdal python3-rasterio python3-numpy`).
 * `npm run bench -- decode ndvi` runs only those.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';

const BENCHES: Record<string, () => Promise<unknown>> = {
  decode: async () => (await import('./decode.ts')).benchDecode(),
  jp2: async () => (await import('./jp2Decode.ts')).benchJp2Decode(),
  ndvi: async () => (await import('./ndvi.ts')).benchNdvi(),
  'cog-write': async () => {
    const { benchCogWrite, printCogWrite } = await import('./cogWrite.ts');
    printCogWrite(await benchCogWrite(), 10980);
  },
  composite: async () => (await import('./composite.ts')).benchComposite(),
  parcels: async () => (await import('./parcels.ts')).benchParcels(),
  'parcels-national': async () => (await import('./parcelsNational.ts')).benchParcelsNational(),
  'index-parcels': async () => (await import('./indexParcels.ts')).benchIndexParcels(),
  fanout: async () => (await import('./fanout.ts')).benchFanout(process.argv.slice(2).filter((a) => a.startsWith('--'))),
  'plan-heap': async () => (await import('./planHeap.ts')).benchPlanHeap(process.argv.slice(2).filter((a) => a.startsWith('--'))),
  'plan-tile-reads': async () => (await import('./planTileReads.ts')).benchPlanTileReads(process.argv.slice(2).filter((a) => a.startsWith('--'))),
};

if (!existsSync('/usr/bin/gdal_translate') || !existsSync('/usr/bin/python3')) {
  console.error('npm run bench needs GDAL and rasterio: apt-get install gdal-bin python3-gdal python3-rasterio python3-numpy');
  process.exit(2);
}

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = chosen.length ? chosen : Object.keys(BENCHES);
console.log(`eofn benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name}`);
  await bench();
}
