/**
 * An independent STAC validator for tests: Ajv (draft-07) over the official STAC 1.1 schemas and the
 * schema of every extension an object declares, vendored in test/fixtures/stac-schemas (no network), plus
 * the two rules a schema cannot state: every `prefix:` field belongs to a declared extension, and every
 * local link resolves from the object's own location.
 *
 * @example
 * expect(await stacProblems(item, 'file:///tmp/out/item.json')).toEqual([]);
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ROOT = resolve('test/fixtures/stac-schemas');
const SPEC = 'https://schemas.stacspec.org/v1.1.0';
const ENTRY: Record<string, string> = {
  Feature: `${SPEC}/item-spec/json-schema/item.json`,
  Catalog: `${SPEC}/catalog-spec/json-schema/catalog.json`,
  Collection: `${SPEC}/collection-spec/json-schema/collection.json`,
};
/** Field prefix -> the extension schemas that define it. */
const PREFIXES: Record<string, RegExp> = {
  proj: /\/projection\//, raster: /\/raster\//, table: /\/table\//, eo: /\/eo\//,
};

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
// STAC's own schemas use these RFC 3987 formats, which ajv-formats leaves out.
ajv.addFormat('iri', (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(s) && URL.canParse(s));
ajv.addFormat('iri-reference', (s: string) => !/[\s<>"{}|\\^`]/.test(s));
for (const file of walk(ROOT)) {
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  if (schema.$id === `${SPEC}/item-spec/json-schema/commonjson`) schema.$id = `${SPEC}/item-spec/json-schema/common.json`;
  ajv.addSchema(schema);
}
ajv.addSchema({ $id: 'https://proj.org/schemas/v0.7/projjson.schema.json', type: 'object' });

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : f.endsWith('.json') ? [p] : [];
  });
}

function compiled(id: string): ValidateFunction {
  const v = ajv.getSchema(id) ?? ajv.getSchema(`${id}#`);
  if (!v) throw new Error(`no vendored schema for ${id}; copy it into test/fixtures/stac-schemas`);
  return v;
}

/**
 * Every problem of a STAC item, catalog or collection, as `schema: path message` lines; empty when valid.
 * `location` is where the object is stored (a file:// URL or s3:// href): relative links resolve from it.
 */
export async function stacProblems(object: Record<string, any>, location?: string): Promise<string[]> {
  const problems: string[] = [];
  const entry = ENTRY[object.type];
  if (!entry) return [`type: expected Feature, Catalog or Collection, got ${JSON.stringify(object.type)}`];
  if (object.stac_version !== '1.1.0') problems.push(`stac_version: expected 1.1.0, got ${object.stac_version}`);
  const extensions: string[] = object.stac_extensions ?? [];
  for (const id of [entry, ...extensions]) {
    const validate = compiled(id);
    if (!validate(object)) {
      for (const e of validate.errors ?? []) problems.push(`${id.split('/').slice(-3).join('/')}: ${e.instancePath || '/'} ${e.message}`);
    }
  }
  for (const field of prefixedFields(object)) {
    const prefix = field.split(':')[0];
    const declared = extensions.filter((e) => PREFIXES[prefix]?.test(e));
    if (PREFIXES[prefix] && !declared.length) problems.push(`${field}: the ${prefix} extension is not declared`);
    // A field a declared version no longer defines (proj:epsg under projection v2) passes its schema but
    // is lost on readers of that version.
    else if (declared.length && !declared.some((e) => JSON.stringify(compiled(e).schema).includes(`"${field}"`))) {
      problems.push(`${field}: not a field of ${declared.join(', ')}`);
    }
  }
  if (location?.startsWith('file:')) problems.push(...await localLinkProblems(object, location));
  return problems;
}

/** Links of an object stored at `location` (a file: URL): self names that place, the others exist from it. */
async function localLinkProblems(object: Record<string, any>, location: string): Promise<string[]> {
  const problems: string[] = [];
  const self = (object.links ?? []).find((l: { rel: string }) => l.rel === 'self');
  if (self && self.href !== location) problems.push(`links[self]: ${self.href}, but the object is at ${location}`);
  const refs = [
    ...(object.links ?? []).map((l: { rel: string; href: string }) => ({ what: `links[${l.rel}]`, href: l.href })),
    ...Object.entries(object.assets ?? {}).map(([k, a]) => ({ what: `assets.${k}`, href: (a as { href: string }).href })),
  ];
  for (const link of refs) {
    const target = new URL(link.href, location);
    if (target.protocol === 'file:') {
      await access(fileURLToPath(target)).catch(() => problems.push(`${link.what} ${link.href}: nothing at ${target.href}`));
    }
  }
  return problems;
}

function prefixedFields(object: Record<string, any>): string[] {
  const keys = [
    ...Object.keys(object),
    ...Object.keys(object.properties ?? {}),
    ...Object.values(object.assets ?? {}).flatMap((a) => Object.keys(a as object)),
  ];
  return [...new Set(keys.filter((k) => /^[a-z0-9_]+:/.test(k) && !k.startsWith('eofn:')))];
}

/** The problems of the STAC document stored in the local file `path` (item, catalog or collection). */
export async function stacFileProblems(path: string): Promise<string[]> {
  return stacProblems(JSON.parse(readFileSync(path, 'utf8')), pathToFileURL(resolve(path)).href);
}
