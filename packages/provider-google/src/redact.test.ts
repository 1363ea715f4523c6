import { describe, expect, it } from 'vitest';
import { redact } from './redact.js';

describe('redact', () => {
  it('removes the given secrets and anything shaped like a Google token', () => {
    const text =
      'secret GOCSPX-abc123 refresh 1//0gAbCdEfGhIjKlMn access ya29.a0AfH6SM-xyz Authorization: Bearer abc.def';
    const out = redact(text, ['GOCSPX-abc123']);
    expect(out).not.toMatch(/GOCSPX|0gAbCd|ya29|abc\.def/);
    expect(out).toContain('Bearer [redacted]');
  });

  it('leaves ordinary text alone and ignores absent or tiny secrets', () => {
    expect(redact('Sync token is expired.', [null, undefined, 'a'])).toBe('Sync token is expired.');
  });
});
