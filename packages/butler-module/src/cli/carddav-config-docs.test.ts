import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { configuredSources } from '../module/configured-sources.js';
import { defaultProviderRegistry } from '../module/default-registry.js';
import { loadCliConfig } from './load-config.js';

const root = new URL('../../../../', import.meta.url);

// Every CardDAV configuration the docs show (docs/carddav.md's per-server examples, the README's)
// is one `contacts --config` accepts, with the urls it shows.
it('the CardDAV butler.toml examples of docs/carddav.md and the README load as CardDAV sources', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'contacts-carddav-docs-'));
  try {
    const blocks: string[] = [];
    for (const file of ['docs/carddav.md', 'README.md']) {
      const text = await readFile(new URL(file, root), 'utf8');
      for (const match of text.matchAll(/```toml\n([\s\S]*?)```/g)) {
        if (match[1]!.includes('provider = "carddav"')) blocks.push(match[1]!);
      }
    }
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const [index, block] of blocks.entries()) {
      const path = join(dir, `butler-${index}.toml`);
      await writeFile(path, block);
      const sources = configuredSources(await loadCliConfig(path), defaultProviderRegistry());
      const carddav = sources.filter((s) => s.provider === 'carddav');
      // One source per `provider = "carddav"` (the top of [modules.contacts] and each source
      // table), each with the url its table shows.
      const urls = [...block.matchAll(/^url = "([^"]+)"/gm)].map((m) => m[1]);
      expect(carddav, block).toHaveLength(block.match(/^provider = "carddav"/gm)?.length ?? 0);
      expect(carddav.map((s) => (s.settings as { url?: string }).url).sort(), block).toEqual(urls.sort());
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
