/**
 * A small YAML writer for the stack files: maps, lists and scalars, every string double-quoted (JSON string
 * syntax is valid YAML), so values like "1769Mi" or "* * * * *" can never be misread.
 *
 * @example
 * toYaml({ version: 1.0, functions: { 'eofn-jobs': { image: 'x' } } });
 */
type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };

export function toYaml(value: Value, indent = 0): string {
  return lines(value, indent).join('\n') + '\n';
}

function lines(value: Value, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((v) => isScalar(v) ? [`${pad}- ${scalar(v)}`] : lines(v, indent + 2).map((l, i) => (i === 0 ? `${pad}- ${l.trimStart()}` : l)));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).filter(([, v]) => v !== undefined).flatMap(([k, v]) => {
      const key = /^[A-Za-z0-9_./-]+$/.test(k) ? k : JSON.stringify(k);
      if (isScalar(v) || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v && !Array.isArray(v) && !Object.keys(v).length)) {
        return [`${pad}${key}: ${isScalar(v) ? scalar(v) : Array.isArray(v) ? '[]' : '{}'}`];
      }
      return [`${pad}${key}:`, ...lines(v, indent + 2)];
    });
  }
  return [`${pad}${scalar(value)}`];
}

function isScalar(v: Value): v is string | number | boolean | null {
  return v === null || typeof v !== 'object';
}

function scalar(v: Value): string {
  if (v === null || v === undefined) return 'null';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
