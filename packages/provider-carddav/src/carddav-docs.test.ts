import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSettingsIssues, HttpGuardError } from '@contacts/core';
import { expect, it } from 'vitest';
import { authRefused, authWithheld, exchangeFailure, statusError } from './dav/dav-errors.js';
import { DavTransport } from './dav/dav-transport.js';
import { discoverAddressBooks } from './dav/discovery.js';
import { cursorExpiredError } from './dav/sync-collection.js';
import { carddavProviderDescriptor } from './descriptor.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The (sentence, code) rows of the "What to do when it fails" table in docs/carddav.md. */
function documentedRows(): { sentences: string[]; code: string }[] {
  const doc = readFileSync(join(root, 'docs/carddav.md'), 'utf8');
  const start = doc.indexOf('### What to do when it fails');
  const table = doc.slice(start, doc.indexOf('\nDigest authentication', start));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split('|');
      return {
        sentences: [...(cells[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
        code: (cells[2] ?? '').trim(),
      };
    });
}

/** Non-test sources of the provider, string concatenations joined: for sentences written whole. */
function providerSources(): string {
  const dir = join(root, 'packages/provider-carddav/src');
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      out.push(readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return out.join('\n').replace(/['`]\s*\+\s*\n\s*['`]/g, '');
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

const respond = (status: number, body = '', headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : body, { status, headers });

/** The sentences the code writes, made by the code itself for a sample server. */
async function writtenSentences(): Promise<string[]> {
  const site = new URL('https://dav.example.org/');
  const url = new URL('https://dav.example.org/ada/contacts/');
  const credentials = { username: 'ada', password: 'pw' };
  const headers = new Headers();
  const transport = (answer: () => Response) =>
    new DavTransport({ site, credentials, fetch: async () => answer() });
  const empty = '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"/>';
  const settings = carddavProviderDescriptor.settings.safeParse({ url: 'http://dav.example.org/' });
  return [
    authRefused(url).message,
    authWithheld(site, new URL('https://other.example.net/')).message,
    await messageOf(
      discoverAddressBooks(
        transport(() => respond(207, empty)),
        site,
      ),
    ),
    ...[404, 403, 405].map((status) => statusError({ status, url, headers }, 'PROPFIND', 0).message),
    statusError({ status: 500, url, headers }, 'REPORT', 0).message,
    ...(settings.success ? [] : formatSettingsIssues(settings.error, {}, 'modules.contacts.sources[0]', [])),
    await messageOf(
      transport(() => respond(207)).request({ method: 'PROPFIND', url: 'http://dav.example.org/' }),
    ),
    await messageOf(
      transport(() => respond(207)).request({ method: 'PROPFIND', url: 'https://ada:pw@dav.example.org/' }),
    ),
    await messageOf(
      transport(() => respond(302, '', { location: url.href })).request({ method: 'PROPFIND', url }),
    ),
    exchangeFailure(
      Object.assign(new Error('fetch failed'), { cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }),
      'PROPFIND',
      url,
    ).message,
    exchangeFailure(HttpGuardError.deadline(60_000, 0, false), 'PROPFIND', url).message,
    cursorExpiredError({ kind: 'token-invalid', reason: 'invalid-token', status: 403 }).message,
  ];
}

// The sentences docs/carddav.md tells people to look for are the ones the code writes: each
// documented sentence, its placeholders (HOST, PATH, N, CODE, numbers) and elisions (...) read as
// "anything", matches a sentence the code makes, or is written whole in the provider's source.
// (The module's own `config` sentences are its tests' business.)
it("docs/carddav.md's error sentences are the provider's own", async () => {
  const written = await writtenSentences();
  const source = providerSources();
  const rows = documentedRows().filter((row) => row.code !== 'config');
  expect(rows.length).toBeGreaterThan(12);
  const missing = rows
    .flatMap((row) => row.sentences)
    .filter((sentence) => {
      const pattern = new RegExp(
        sentence
          .split(/(\.\.\.|HOST|PATH|CODE|\bN\b|\d+)/)
          .map((part, i) => (i % 2 === 1 ? '[^\\n]*?' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join(''),
      );
      return !written.some((message) => pattern.test(message)) && !pattern.test(source);
    });
  expect(missing).toEqual([]);
});
