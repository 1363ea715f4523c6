import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../test-support/cli-process.js';
import { fastResolve } from './fast-resolve.js';

const DRIZZLE = 'file:///app/node_modules/.pnpm/drizzle-orm@0.45.4/node_modules/drizzle-orm/';

describe('fastResolve', () => {
  const next = (specifier: string) => ({ url: `node:${specifier}` });

  it('answers a relative import between files of a listed package: the URL against the parent, as an ES module', () => {
    expect(fastResolve('../entity.js', { parentURL: `${DRIZZLE}pg-core/table.js` }, next)).toEqual({
      url: `${DRIZZLE}entity.js`,
      format: 'module',
      shortCircuit: true,
    });
    expect(fastResolve('./columns/all.js', { parentURL: `${DRIZZLE}pg-core/table.js` }, next).url).toBe(
      `${DRIZZLE}pg-core/columns/all.js`,
    );
  });

  it('leaves everything else to Node', () => {
    const from = { parentURL: `${DRIZZLE}pg-core/table.js` };
    expect(fastResolve('postgres', from, next).url).toBe('node:postgres'); // bare
    expect(fastResolve('../../postgres/src/index.js', from, next).url).toBe(
      'node:../../postgres/src/index.js',
    ); // out of the package
    expect(fastResolve('./data.json', from, next).url).toBe('node:./data.json'); // not .js
    expect(fastResolve('./x.js', { parentURL: 'file:///app/node_modules/other/index.js' }, next).url).toBe(
      'node:./x.js',
    );
    expect(fastResolve('./x.js', { parentURL: 'file:///app/src/main.js' }, next).url).toBe('node:./x.js');
    expect(fastResolve('./x.js', {}, next).url).toBe('node:./x.js');
    // A package nested under a listed one (npm's layout): its own package.json may say commonjs.
    const nested = 'file:///app/node_modules/drizzle-orm/node_modules/some-cjs-dep/lib/a.js';
    expect(fastResolve('./b.js', { parentURL: nested }, next).url).toBe('node:./b.js');
  });

  it('gives, in a real process, the modules Node gives: drizzle-orm and zod load and work', () => {
    const hook = fileURLToPath(new URL('./fast-resolve.ts', import.meta.url));
    const script = `
      const { installFastResolve } = await import(${JSON.stringify(hook)});
      const installed = installFastResolve();
      const { sql } = await import('drizzle-orm');
      const { PgDialect } = await import('drizzle-orm/pg-core');
      const { z } = await import('zod');
      const query = new PgDialect().sqlToQuery(sql\`select \${z.string().parse('x')}\`);
      console.log(JSON.stringify({ installed, query }));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      // This package's directory: its node_modules hold drizzle-orm and zod.
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim()) as { installed: boolean; query: unknown };
    expect(out.query).toMatchObject({ sql: 'select $1', params: ['x'] });
    // Installed wherever Node has synchronous hooks (Node 22.15+; CI runs Node 22.23).
    expect(out.installed).toBe(
      typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function',
    );
  });
});

describe('the command process', () => {
  it('registers the resolve hook before drizzle-orm loads, and caps V8 heap growth', () => {
    const work = mkdtempSync(join(tmpdir(), 'contacts-setup-'));
    try {
      const trace = join(work, 'setup.txt');
      const setupTrace = fileURLToPath(new URL('../test-support/process-setup-trace.mjs', import.meta.url));
      const { command, args } = cliCommand(['--data-dir', join(work, 'none'), 'status']);
      const run = spawnSync(command, ['--import', setupTrace, ...args], {
        env: { PATH: process.env.PATH ?? '', CONTACTS_TRACE_SETUP: trace },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(2); // no data directory: said, nothing made
      const lines = readFileSync(trace, 'utf8').trim().split('\n');
      expect(lines).toContain('v8 --heap-growing-percent=100');
      if (typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function') {
        expect(lines.indexOf('registerHooks fast-resolve')).toBeGreaterThanOrEqual(0);
        expect(lines.indexOf('registerHooks fast-resolve')).toBeLessThan(lines.indexOf('drizzle-orm loaded'));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
