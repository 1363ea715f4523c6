import { describe, expect, it } from 'vitest';
import { upstreamProblem } from './upstream-check.js';

const credentials = { clientId: 'client-0123456789', token: 'secret-0123456789' };

describe('upstreamProblem', () => {
  it('accepts a stable key without credentials, and a descriptor that names none', () => {
    expect(
      upstreamProblem({ name: 'acme', upstream: () => 'api.acme.example:443' }, {}, credentials),
    ).toBeNull();
    expect(upstreamProblem({ name: 'acme' }, {}, credentials)).toBeNull();
  });

  it('refuses a key holding a credential value, naming the field and not the value', () => {
    const leaky = {
      name: 'acme',
      upstream: ({ credentials: c }: { credentials: Record<string, string> }) => `x-${c.token}`,
    };
    const problem = upstreamProblem(leaky, {}, credentials);
    expect(problem).toBe('holds the credential token');
  });

  it('refuses a key that changes per call or per account id, or holds a space', () => {
    let calls = 0;
    expect(upstreamProblem({ name: 'acme', upstream: () => `n${calls++}` }, {}, credentials)).toBe(
      'changes from one call to the next',
    );
    const perAccount = { name: 'acme', upstream: ({ accountId }: { accountId: string }) => accountId };
    expect(upstreamProblem(perAccount, {}, credentials)).toBe('changes with the account id');
    expect(upstreamProblem({ name: 'acme', upstream: () => 'a b' }, {}, credentials)).toMatch(/space/);
  });
});
