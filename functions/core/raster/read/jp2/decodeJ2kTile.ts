/**
 * Decodes one code-stream (one tile, see tileCodestream) with OpenJPEG compiled to WebAssembly
 * (@cornerstonejs/codec-openjpeg), optionally at a reduced resolution (`reduce` levels discarded). The wasm
 * module is instantiated once per thread from the package's own .wasm file (or one copied next to a bundle).
 * A decode that fails drops the instance, so a corrupt tile cannot leave a broken heap to the next one.
 *
 * @example
 * const tile = await decodeJ2kTile(stream, 0, { width: 1024, height: 1024 });  // { width: 1024, height: 1024, components: 1, bytesPerSample: 2, data }
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import openJpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';

export interface DecodedTile {
  width: number;
  height: number;
  components: number;
  /** 1 for samples up to 8 bits, 2 up to 16; pixel-interleaved, host order. */
  bytesPerSample: number;
  data: Uint8Array;
}

type OpenJpeg = Awaited<ReturnType<typeof openJpegFactory>>;
let instance: Promise<OpenJpeg> | undefined;
/** OpenJPEG's [ERROR] lines of the decode in progress: the wrapper reports a failed decode only there. */
let errors: string[] = [];

/** Prefix of the errors that mean the tile's data is bad (not the installation). */
export const DECODE_FAILED = 'OpenJPEG could not decode the tile';

function wasmPath(): string {
  try {
    return fileURLToPath(import.meta.resolve('@cornerstonejs/codec-openjpeg/decodewasm'));
  } catch {
    // In an esbuild bundle the package is gone: the build copies the .wasm next to the bundle.
    const beside = fileURLToPath(new URL('../../jp2/openjpegwasm_decode.wasm', import.meta.url));
    if (!existsSync(beside)) throw new Error(`OpenJPEG's openjpegwasm_decode.wasm is neither installed nor at ${beside}; copy it there when bundling`);
    return beside;
  }
}

function openJpeg(): Promise<OpenJpeg> {
  // OpenJPEG's [INFO]/[WARNING] lines would go to stdout; only its errors are kept.
  const keep = (line: string) => { if (line.startsWith('[ERROR]')) errors.push(line.slice(8).trim()); };
  if (instance) return instance;
  const wasmBinary = readFileSync(wasmPath());
  // The emscripten glue reads the CommonJS `__dirname` as it starts (synchronously); in an ESM bundle
  // (Lambda, OpenFaaS) there is none, so it gets one for that moment only. The .wasm itself is passed in.
  const global = globalThis as { __dirname?: string };
  const lent = global.__dirname === undefined;
  if (lent) global.__dirname = dirname(wasmPath());
  try {
    instance = openJpegFactory({ wasmBinary, print: keep, printErr: keep });
  } finally {
    if (lent) delete global.__dirname;
  }
  return instance;
}

/** `size` is the tile's size at the requested resolution (OpenJPEG's frame info gives the full one). */
export async function decodeJ2kTile(codestream: Uint8Array, reduce: number, size: { width: number; height: number }): Promise<DecodedTile> {
  const module = await openJpeg();
  const decoder = new module.J2KDecoder();
  errors = [];
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    if (reduce > 0) decoder.decodeSubResolution(reduce, 0);
    else decoder.decode();
    const info = decoder.getFrameInfo();
    const bytesPerSample = info.bitsPerSample <= 8 ? 1 : 2;
    const expected = size.width * size.height * info.componentCount * bytesPerSample;
    const decoded = decoder.getDecodedBuffer();
    if (errors.length) throw new Error(errors.join('; '));
    if (decoded.length < expected) throw new Error(`decoded ${decoded.length} bytes, expected ${expected}`);
    // The decoded buffer lives in the wasm heap and is reused: copy it out.
    return { width: size.width, height: size.height, components: info.componentCount, bytesPerSample, data: decoded.slice(0, expected) };
  } catch (e) {
    instance = undefined;
    throw new Error(`${DECODE_FAILED}: ${describe(e)}`);
  } finally {
    try { decoder.delete(); } catch { /* the instance is already dropped */ }
  }
}

function describe(e: unknown): string {
  if (typeof e === 'number') return `code-stream rejected (wasm exception ${e})`;
  return e instanceof Error ? e.message : String(e);
}
