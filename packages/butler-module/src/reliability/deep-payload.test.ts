import { startGoogleEmulator } from '@contacts/google-emulator';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { startGoogleModule } from '../test-support/google-module.js';
import { resultText } from '../test-support/module-harness.js';

// Issue 11, defect 5: a person whose emailAddresses nest 10,000 levels (60 KB) failed the whole
// page with "Maximum call stack size exceeded", on every cycle. Served byte for byte by the
// emulator over HTTP, read by the real Google client and provider, applied by the runtime
// through the MCP tool: the page commits, the person is one failure with a sentence, every
// cycle, until the source corrects it.
const deepList = (depth: number) => `${'['.repeat(depth)}{"value":"deep@example.org"}${']'.repeat(depth)}`;
const person = (etag: string, emailAddresses: string) =>
  `{"resourceName":"people/deep","etag":"${etag}","names":[{"displayName":"Deep Person"}],"emailAddresses":${emailAddresses}}`;

describeDatabase(
  'a person nested 10,000 levels deep, through the emulator, the Google client and the runtime',
  (t) => {
    it('fails alone, every cycle, with a sentence, and is applied once corrected', async () => {
      const emulator = await startGoogleEmulator({ seed: 11, people: 5 });
      const deep = emulator.admin.addRawPersonText(person('d1', deepList(10_000)));
      const { call, module, logger, close } = await startGoogleModule({
        db: t.db,
        butlerSchema: t.butlerSchema,
        emulator,
      });
      try {
        const sync = async (mode: 'incremental' | 'full') => {
          const result = await call('contacts_sync_now', { mode });
          expect(result.isError, resultText(result)).toBeFalsy();
          expect(module.runtime?.status().lastError).toBeNull();
          return (result.structuredContent as { summary: Record<string, number> }).summary;
        };
        const failures = () =>
          queryRows<{ id: string; error: string; kind: string; attempts: number }>(
            t.db,
            sql`select external_contact_id as id, error, jsonb_typeof(raw) as kind, attempts
            from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures`,
          );

        expect(await sync('full')).toMatchObject({ fetched: 6, applied: 5, failed: 1 });
        const [row] = await failures();
        expect(row).toMatchObject({ id: 'people/deep', kind: 'object' });
        expect(row!.error).toMatch(/^Contact people\/deep is invalid: /);
        expect(row!.error).toMatch(/nests deeper than 100 levels; it is kept cut at that depth\.$/);
        expect(row!.error).not.toMatch(/call stack/i);

        // Every cycle: a full one (the page again) and an incremental one (the retry) succeed.
        expect(await sync('full')).toMatchObject({ failed: 1 });
        expect(await sync('incremental')).toMatchObject({ failed: 1 });
        expect((await failures())[0]!.attempts).toBeGreaterThanOrEqual(3);
        const status = (await call('contacts_sync_status')).structuredContent as Record<string, unknown>;
        expect(status).toMatchObject({ failed_contacts: 1, last_error: null });

        emulator.admin.replaceRawPersonText(deep.resourceName, person('d2', deepList(1)));
        expect(await sync('incremental')).toMatchObject({ applied: 1, failed: 0 });
        expect(await failures()).toEqual([]);
        expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
      } finally {
        await close();
        await emulator.close();
      }
    });
  },
);
