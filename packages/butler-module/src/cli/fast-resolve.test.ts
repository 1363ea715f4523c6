import { spawnSync } from 'node:child_process';
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
