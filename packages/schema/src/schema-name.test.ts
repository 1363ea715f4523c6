import { describe, expect, it } from 'vitest';
import { SchemaError } from './errors.js';
import { assertButlerSchemaName } from './schema-name.js';

describe('assertButlerSchemaName', () => {
  it.each(['relationship', 'butler_2', '_private', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(assertButlerSchemaName(name)).toBe(name);
  });

  it.each([
    ['', 'non-empty'],
    ['a'.repeat(64), 'longer than the 63'],
    ['x"; drop schema shared cascade; --', 'lower-case letters'],
    ["o'brien", 'lower-case letters'],
    ['Relationship', 'lower-case letters'],
    ['1abc', 'starting with a letter'],
    ['select', 'reserved SQL word'],
    ['user', 'reserved SQL word'],
    ['pg_temp', 'Postgres reserves'],
    ['information_schema', 'Postgres reserves'],
    ['shared', 'fixed shared schema'],
    // Issue 11: `--butler-schema public` migrated, then every other command failed in drizzle.
    ['public', 'default schema'],
  ])('refuses %j', (name, why) => {
    expect(() => assertButlerSchemaName(name)).toThrowError(SchemaError);
    expect(() => assertButlerSchemaName(name)).toThrowError(why);
  });

  it('refuses non-strings with the INVALID_SCHEMA_NAME code', () => {
    try {
      assertButlerSchemaName(42);
      expect.unreachable();
    } catch (error) {
      expect((error as SchemaError).code).toBe('INVALID_SCHEMA_NAME');
    }
  });
});
