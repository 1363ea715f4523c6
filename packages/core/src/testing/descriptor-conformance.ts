import { describe, expect, it } from 'vitest';
import type { ProviderDescriptor } from '../provider/descriptor.js';
import { systemClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { upstreamProblem } from './upstream-check.js';

/**
 * What {@link describeDescriptorConformance} needs besides the descriptor: settings it should
 * accept, and credentials for its `create`.
 *
 * @example
 * ```ts
 * const options: DescriptorConformanceOptions = {
 *   descriptor: acmeDescriptor,
 *   validSettings: [{}, { root_url: 'https://api.acme.example/' }],
 *   credentials: { token: 'acme_0123456789abcdef0123456789abcdef' },
 * };
 * ```
 */
export interface DescriptorConformanceOptions {
  descriptor: ProviderDescriptor<unknown>;
  /** Source tables (without provider and account_id) its schema must accept; `{}` is always tried. */
  validSettings?: readonly Record<string, unknown>[];
  /** Values for every credential field, used to build a provider. */
  credentials?: Record<string, string>;
  /** Samples of real secrets of this provider that its `secretShapes` must blank. */
  secretSamples?: readonly string[];
}

/**
 * Checks a {@link ProviderDescriptor} keeps the contract the contacts module relies on: a
 * lower-case name, a settings schema that accepts `{}` and refuses an unknown key, credential
 * keys that are unique, upper-case and explained, secret shapes that are global and leave
 * ordinary text alone, declared environment settings that name settings, an upstream key that is
 * stable, the same for every account id and free of credential values, and a `create` that builds
 * a provider of the descriptor's name.
 *
 * @example
 * ```ts
 * describeDescriptorConformance('acme', { descriptor: acmeDescriptor, credentials: { token: 't' } });
 * ```
 */
export function describeDescriptorConformance(title: string, options: DescriptorConformanceOptions): void {
  const { descriptor } = options;
  describe(`${title}: descriptor conformance`, () => {
    it('has a lower-case name without spaces', () => {
      expect(descriptor.name).toMatch(/^[a-z][a-z0-9_-]*$/);
    });

    it('accepts {} and the given settings, and refuses an unknown key', () => {
      for (const settings of [{}, ...(options.validSettings ?? [])]) {
        const result = descriptor.settings.safeParse(settings);
        expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
      }
      expect(descriptor.settings.safeParse({ no_such_setting_here: 1 }).success).toBe(false);
    });

    it('names unique upper-case credential keys with distinct fields and explains each', () => {
      const keys = descriptor.credentials.map((c) => c.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(new Set(descriptor.credentials.map((c) => c.field)).size).toBe(keys.length);
      for (const c of descriptor.credentials) {
        expect(c.key).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(c.explain.length).toBeGreaterThan(5);
      }
    });

    it('declares global secret shapes that blank its samples and leave ordinary text alone', () => {
      const shapes = descriptor.secretShapes ?? [];
      for (const shape of shapes) expect(shape.flags).toContain('g');
      const ordinary = 'Ada Lovelace <ada@example.org>, +44 20 7946 0958, 2024-05-01T10:00:00Z, people/c123';
      for (const shape of shapes) {
        shape.lastIndex = 0;
        expect(shape.test(ordinary), String(shape)).toBe(false);
        shape.lastIndex = 0;
      }
      for (const sample of options.secretSamples ?? []) {
        const hit = shapes.some((shape) => {
          shape.lastIndex = 0;
          const found = shape.test(sample);
          shape.lastIndex = 0;
          return found;
        });
        expect(hit, sample.slice(0, 8)).toBe(true);
      }
    });

    it('declares environment settings named CONTACTS_* that its schema takes', () => {
      for (const env of descriptor.env ?? []) {
        expect(env.name).toMatch(/^CONTACTS_[A-Z0-9_]+$/);
        const parsed = descriptor.settings.safeParse({ [env.setting]: undefined });
        expect(parsed.success, env.setting).toBe(true);
      }
    });

    it('names an upstream that is stable, not per account id, and holds no credential value', () => {
      const credentials =
        options.credentials ??
        Object.fromEntries(descriptor.credentials.map((c) => [c.field, `${c.field}-value-0123456789`]));
      for (const raw of [{}, ...(options.validSettings ?? [])]) {
        const settings = descriptor.settings.parse(raw);
        expect(upstreamProblem(descriptor, settings, credentials), JSON.stringify(raw)).toBeNull();
      }
    });

    it('creates a provider named after the descriptor', async () => {
      const credentials =
        options.credentials ??
        Object.fromEntries(descriptor.credentials.map((c) => [c.field, `${c.field}-value-0123456789`]));
      const provider = await descriptor.create({
        accountId: 'default',
        settings: descriptor.settings.parse({}),
        credentials,
        logger: silentLogger,
        clock: systemClock,
      });
      try {
        expect(provider.name()).toBe(descriptor.name);
      } finally {
        await provider.close();
      }
    });
  });
}
