import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Issue 12: the module, runtime, tools, status and `contacts` command are provider-neutral. They
// look providers up in a ProviderRegistry; a provider's name, keys, endpoints and flags live in
// its descriptor. Comments may name a provider (an example); code may not.

const ROOT = new URL('.', import.meta.url).pathname;
const GENERIC_DIRS = ['module', 'runtime', 'tools', 'status', 'cli', 'credentials'];
const GENERIC_FILES = ['redact.ts'];
/** Files allowed to name a provider, and why. */
const ALLOWED: Record<string, string> = {
  'module/default-registry.ts': 'the composition root: registers the providers the module ships with',
  'module/legacy-options.ts': 'the pre-descriptor factory and endpoint options, kept for hosts that use them',
  'credentials/google-credentials.ts':
    'the pre-descriptor Google credential reader, kept for hosts that import it',
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
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  let out = '';
  let previous = ts.SyntaxKind.Unknown;
  const endsOperand = new Set([
    ts.SyntaxKind.Identifier,
    ts.SyntaxKind.NumericLiteral,
    ts.SyntaxKind.StringLiteral,
    ts.SyntaxKind.CloseParenToken,
    ts.SyntaxKind.CloseBracketToken,
  ]);
  // Brace depths at which a template literal's `${` opened: its `}` resumes the template's text.
  const templates: number[] = [];
  let depth = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia)
      continue;
    if (kind === ts.SyntaxKind.OpenBraceToken) depth += 1;
    if (kind === ts.SyntaxKind.CloseBraceToken) {
      if (templates.at(-1) === depth) {
        templates.pop();
        kind = scanner.reScanTemplateToken(false);
      } else depth -= 1;
    }
    if (kind === ts.SyntaxKind.TemplateHead || kind === ts.SyntaxKind.TemplateMiddle) templates.push(depth);
    // A `/` after an operator starts a regular expression: rescan so it is one token.
    if (
      (kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) &&
      !endsOperand.has(previous)
    ) {
      kind = scanner.reScanSlashToken();
    }
    if (kind !== ts.SyntaxKind.WhitespaceTrivia && kind !== ts.SyntaxKind.NewLineTrivia) previous = kind;
    out += scanner.getTokenText();
  }
  return out;
}

describe('generic files name no provider', () => {
  const files = [
    ...GENERIC_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir))),
    ...GENERIC_FILES.map((file) => join(ROOT, file)),
  ].map((path) => relative(ROOT, path));

  it('scans the module, runtime, tools, status, CLI and credential files', () => {
    expect(files.length).toBeGreaterThan(30);
    // The command that stores secrets groups them by provider: it must ask the descriptors.
    expect(files).toContain('cli/commands/secrets.ts');
    expect(files).toContain('credentials/source-credentials.ts');
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
