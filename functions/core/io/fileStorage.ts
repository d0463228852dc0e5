/**
 * Local-disk storage for `file://` URLs and plain paths. Reads are positional (no whole-file loads for a
 * range); writes go to a temporary file in the target folder and are renamed into place, so a reader never
 * sees half an object and a re-run that writes the same bytes leaves the same file. A write into a folder that
 * is a symbolic link is refused (the link is never followed).
 *
 * @example
 * const storage = new FileStorage();
 * const header = await storage.readRange('file:///data/B04.tif', 0, 16384);
 */
import { randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeError, InputError, IoError } from '../errors.ts';
import type { Storage } from './storage.ts';

export class FileStorage implements Storage {
  async readRange(href: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(href, offset, length);
    const handle = await openForRead(href);
    try {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      // A positional read may return fewer bytes than asked before the end of the file: loop until EOF.
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return plainBytes(buffer, filled);
    } finally {
      await handle.close();
    }
  }

  async readAll(href: string): Promise<Uint8Array> {
    try {
      const buffer = await readFile(pathOf(href));
      return plainBytes(buffer, buffer.length);
    } catch (err) {
      throw asInputError(href, err);
    }
  }

  async size(href: string): Promise<number | undefined> {
    try {
      const info = await stat(pathOf(href));
      return info.isFile() ? info.size : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw asInputError(href, err);
    }
  }

  async write(href: string, bytes: Uint8Array): Promise<void> {
    const target = pathOf(href);
    await replaceAtomically(target, (tmp) => writeFile(tmp, bytes));
  }

  async writeFile(href: string, localPath: string): Promise<void> {
    const target = pathOf(href);
    await replaceAtomically(target, (tmp) => copyFile(localPath, tmp));
  }

  async writeStream(href: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const target = pathOf(href);
    await replaceAtomically(target, async (tmp) => {
      const fh = await open(tmp, 'w');
      try {
        for await (const chunk of body) await fh.write(chunk);
      } finally {
        await fh.close();
      }
    });
  }

  /** Every file under `prefix` (a folder, or a path prefix such as `out/B04_`), recursively, sorted. */
  async removeAll(prefix: string): Promise<void> {
    await rm(pathOf(prefix), { recursive: true, force: true });
  }

  async remove(href: string): Promise<void> {
    const target = pathOf(href);
    // As for writes: a folder swapped for a link would send the delete elsewhere.
    const folder = await lstat(dirname(target)).catch(() => undefined);
    if (folder?.isSymbolicLink()) throw new InputError(target, `the folder ${dirname(target)} is a symbolic link; eofn does not delete through links`);
    // force: a file already gone is the outcome asked for; not recursive: a folder is never removed here.
    await rm(target, { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const path = pathOf(prefix);
    const asUrl = /^file:\/\//i.test(prefix);
    const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
    const root = isDir ? path : dirname(path);
    const files = await walk(root);
    const wanted = isDir ? files : files.filter((f) => f.startsWith(path));
    return wanted.sort().map((f) => (asUrl ? pathToFileURL(f).toString() : f));
  }
}

/** The filesystem path of a `file://` URL or a plain path. */
export function pathOf(href: string): string {
  return /^file:\/\//i.test(href) ? fileURLToPath(href) : href;
}

/** A plain Uint8Array view: a Buffer's `slice` shares memory, which surprises code written for Uint8Array. */
function plainBytes(buffer: Buffer, length: number): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

async function openForRead(href: string) {
  try {
    return await open(pathOf(href), 'r');
  } catch (err) {
    throw asInputError(href, err);
  }
}

async function replaceAtomically(target: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  // A folder swapped for a link (`_parts` -> /etc) would send the write elsewhere: never write through one.
  if ((await lstat(dirname(target))).isSymbolicLink()) {
    throw new InputError(target, `the folder ${dirname(target)} is a symbolic link; eofn does not write through links`);
  }
  // The temporary file sits beside the target so that rename stays on one filesystem (atomic).
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fill(tmp);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    if (isMissing(err)) return [];
    throw err;
  });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = join(dir, e.name);
      if (e.isDirectory()) return walk(full);
      return Promise.resolve(e.isFile() ? [full] : []);
    }),
  );
  return nested.flat();
}

function checkRange(href: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new InputError(href, `invalid byte range: offset ${offset}, length ${length}`);
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function asInputError(href: string, err: unknown): Error {
  if (isMissing(err)) return new InputError(href, 'file not found');
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EISDIR') return new InputError(href, 'is a folder, not a file');
  if (code === 'EACCES' || code === 'EPERM') return new InputError(href, 'permission denied');
  return new IoError(href, describeError(err), { cause: err });
}
