/** FileStorage: positional reads, atomic idempotent writes that create folders, recursive listing. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';

let dir: string;
const storage = new FileStorage();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'eofn-fs-'));
  writeFileSync(join(dir, 'ten.bin'), new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileStorage reads', () => {
  it('reads a range by path and by file:// URL', async () => {
    // Act
    const byPath = await storage.readRange(join(dir, 'ten.bin'), 3, 4);
    const byUrl = await storage.readRange(pathToFileURL(join(dir, 'ten.bin')).toString(), 3, 4);
    // Assess
    expect(Array.from(byPath)).toEqual([3, 4, 5, 6]);
    expect(Array.from(byUrl)).toEqual([3, 4, 5, 6]);
    expect(Buffer.isBuffer(byPath)).toBe(false);
  });

  it('returns fewer bytes only at the end of the file', async () => {
    // Act
    const tail = await storage.readRange(join(dir, 'ten.bin'), 8, 100);
    const past = await storage.readRange(join(dir, 'ten.bin'), 50, 4);
    // Assess
    expect(Array.from(tail)).toEqual([8, 9]);
    expect(past.length).toBe(0);
  });

  it('reports size, and undefined for a missing file', async () => {
    // Act / Assess
    expect(await storage.size(join(dir, 'ten.bin'))).toBe(10);
    expect(await storage.size(join(dir, 'missing.bin'))).toBeUndefined();
    expect(await storage.size(dir)).toBeUndefined();
  });

  it('names a missing file in an InputError', async () => {
    // Act
    const err = await storage.readAll(join(dir, 'missing.bin')).catch((e: unknown) => e);
    const errRange = await storage.readRange(join(dir, 'missing.bin'), 0, 1).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${join(dir, 'missing.bin')}: file not found`);
    expect(errRange).toBeInstanceOf(InputError);
  });

  it('rejects a negative range', async () => {
    // Act / Assess
    await expect(storage.readRange(join(dir, 'ten.bin'), -1, 4)).rejects.toThrow(/invalid byte range/);
  });
});

describe('FileStorage writes', () => {
  it('creates parent folders and leaves no temporary file', async () => {
    // Prepare
    const target = join(dir, 'out', 'deep', 'a.bin');
    // Act
    await storage.write(target, new Uint8Array([1, 2, 3]));
    // Assess
    expect(Array.from(readFileSync(target))).toEqual([1, 2, 3]);
    expect(readdirSync(join(dir, 'out', 'deep'))).toEqual(['a.bin']);
  });

  it('writes the same bytes twice to the same object', async () => {
    // Prepare
    const target = pathToFileURL(join(dir, 'twice', 'b.bin')).toString();
    const bytes = new Uint8Array([9, 8, 7, 6]);
    // Act
    await storage.write(target, bytes);
    await storage.write(target, bytes);
    // Assess
    expect(Array.from(await storage.readAll(target))).toEqual([9, 8, 7, 6]);
    expect(readdirSync(join(dir, 'twice'))).toEqual(['b.bin']);
  });

  it('replaces an existing object whole', async () => {
    // Prepare
    const target = join(dir, 'replace.bin');
    await storage.write(target, new Uint8Array(100).fill(1));
    // Act
    await storage.write(target, new Uint8Array([5]));
    // Assess
    expect(Array.from(readFileSync(target))).toEqual([5]);
  });

  it('uploads a local file', async () => {
    // Prepare
    const target = join(dir, 'copied', 'ten.bin');
    // Act
    await storage.writeFile(target, join(dir, 'ten.bin'));
    // Assess
    expect(readFileSync(target)).toEqual(readFileSync(join(dir, 'ten.bin')));
  });
});

describe('FileStorage list', () => {
  it('lists a folder recursively, sorted, in the form of the prefix', async () => {
    // Prepare
    const root = join(dir, 'tree');
    await storage.write(join(root, 'b', 'x.tif'), new Uint8Array(1));
    await storage.write(join(root, 'a.tif'), new Uint8Array(1));
    await storage.write(join(root, 'b', 'c', 'y.tif'), new Uint8Array(1));
    // Act
    const byPath = await storage.list(root);
    const byUrl = await storage.list(`${pathToFileURL(root).toString()}/`);
    // Assess
    expect(byPath).toEqual([join(root, 'a.tif'), join(root, 'b', 'c', 'y.tif'), join(root, 'b', 'x.tif')]);
    expect(byUrl).toEqual(byPath.map((p) => pathToFileURL(p).toString()));
  });

  it('lists by name prefix, and nothing under a missing folder', async () => {
    // Prepare
    const root = join(dir, 'prefix');
    await storage.write(join(root, 'B04_1.tif'), new Uint8Array(1));
    await storage.write(join(root, 'B04_2.tif'), new Uint8Array(1));
    await storage.write(join(root, 'B08_1.tif'), new Uint8Array(1));
    // Act / Assess
    expect(await storage.list(join(root, 'B04_'))).toEqual([join(root, 'B04_1.tif'), join(root, 'B04_2.tif')]);
    expect(await storage.list(join(dir, 'nothing', 'here'))).toEqual([]);
  });
});
