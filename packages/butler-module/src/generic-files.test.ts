import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 12: the module, runtime, tools, status and `contacts` command are provider-neutral. They
// look providers up in a ProviderRegistry; a provider's name, keys, endpoints and flags live in
// its descriptor. Comments may name a provider (an example); code may not.

const ROOT = new URL('.', import.meta.url).pathname;
const GENERIC_DIRS = ['module', 'runtime', 'tools', 'status', 'cli'];
const GENERIC_FILES = ['redact.ts'];
/** Files allowed to name a provider, and why. */
const ALLOWED: Record<string, string> = {
  'module/default-registry.ts': 'the composition root: registers the providers the module ships with',
  'module/legacy-options.ts': 'the pre-descriptor factory and endpoint options, kept for hosts that use them',
};
const PROVIDER_NAMES = /google|carddav/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The code of a TypeScript file without its comments (strings kept: a message is code). */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  let quote: string | null = null;
  while (i < text.length) {
    const c = text[i]!;
    if (quote) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === quote) quote = null;
      i += 1;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      quote = c;
      out += c;
      i += 1;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

describe('generic files name no provider', () => {
  const files = [
    ...GENERIC_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir))),
    ...GENERIC_FILES.map((file) => join(ROOT, file)),
  ].map((path) => relative(ROOT, path));

  it('scans the module, runtime, tools, status and CLI files', () => {
    expect(files.length).toBeGreaterThan(30);
    for (const dir of GENERIC_DIRS) expect(files.some((f) => f.startsWith(`${dir}/`))).toBe(true);
  });

  it.each(files.filter((f) => !(f in ALLOWED)))('%s names no provider in its code', (file) => {
    const code = withoutComments(readFileSync(join(ROOT, file), 'utf8'));
    const lines = code
      .split('\n')
      .map((line, index) => ({ line: line.trim(), index }))
      .filter(({ line }) => PROVIDER_NAMES.test(line));
    expect(lines.map(({ line }) => line)).toEqual([]);
  });

  it('finds a provider name where one is (the scan is not blind)', () => {
    expect(withoutComments("const a = 'google'; // carddav")).toMatch(PROVIDER_NAMES);
    expect(withoutComments('/* google */ const b = 1; // carddav')).not.toMatch(PROVIDER_NAMES);
  });
});
