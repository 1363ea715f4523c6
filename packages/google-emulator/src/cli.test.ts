import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { call } from './test-support.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const stop = new AbortController();
  return {
    out,
    err,
    stop,
    io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), signal: stop.signal },
  };
}

async function firstLine(lines: string[]): Promise<string> {
  while (lines.length === 0) await new Promise((resolve) => setImmediate(resolve));
  return lines[0] as string;
}

describe('google-emulator command (runCli)', () => {
  it('starts, prints URLs and credentials as one JSON line, serves until the signal, exits 0', async () => {
    const { out, err, stop, io: cliIo } = io();
    const done = runCli(['--port', '0', '--seed', '3', '--people', '40', '--other-contacts', '5'], cliIo);
    const line = await firstLine(out);
    expect(line).not.toContain('\n');
    const info = JSON.parse(line) as {
      url: string;
      tokenUrl: string;
      adminUrl: string;
      credentials: { clientId: string; clientSecret: string; refreshToken: string };
      people: number;
      otherContacts: number;
    };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(info.tokenUrl).toBe(`${info.url}token`);
    expect(info.adminUrl).toBe(`${info.url}__admin/`);
    expect({ people: info.people, otherContacts: info.otherContacts }).toEqual({
      people: 40,
      otherContacts: 5,
    });

    const grant = await call(info.tokenUrl, info.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: info.credentials.clientId,
        client_secret: info.credentials.clientSecret,
        refresh_token: info.credentials.refreshToken,
        grant_type: 'refresh_token',
      }),
    });
    const page = await call(info.url, 'v1/people/me/connections?personFields=names', {
      headers: { authorization: `Bearer ${grant.body.access_token}` },
    });
    expect(page.body.totalItems).toBe(40);

    stop.abort();
    expect(await done).toBe(0);
    expect(err).toEqual([]);
    await expect(fetch(info.url)).rejects.toThrow();
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--port', 'eighty'], '--port must be an integer in 0..65535'],
    [['--port', '70000'], '--port must be an integer in 0..65535'],
    [['--people=-3'], '--people must be an integer'],
    [['--people', '-3'], "Option '--people' argument is ambiguous"],
    [['--seed', '1.5'], '--seed must be an integer'],
    [['extra'], 'positional'],
    [['--clients', '2'], 'need --accounts'],
    [['--accounts', '2', '--shared-share', '1.5'], '--shared-share must be a number in 0..1'],
    [['--latency-ms', 'slow'], '--latency-ms must be N or MIN,MAX'],
    [['--quota-user', '0'], '--quota-user must be an integer in 1..'],
  ])('refuses %j with exit code 2 and a clear message', async (argv, message) => {
    const { out, err, io: cliIo } = io();
    expect(await runCli(argv, cliIo)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain(message);
    expect(err.join('\n')).toContain('Usage: google-emulator');
  });

  it('serves a fleet with quotas: accounts by refresh token, 429 past the per-user limit', async () => {
    const { out, stop, io: cliIo } = io();
    const done = runCli(
      [
        '--seed',
        '2',
        '--accounts',
        '3',
        '--people-per-account',
        '4',
        '--clients',
        '2',
        '--quota-user',
        '1',
        '--latency-ms',
        '0,0',
      ],
      cliIo,
    );
    const info = JSON.parse(await firstLine(out)) as {
      url: string;
      tokenUrl: string;
      adminUrl: string;
      fleet: { accounts: number; clients: { clientId: string }[] };
    };
    expect(info.fleet.accounts).toBe(3);
    expect(info.fleet.clients).toHaveLength(2);
    const account = await call(info.adminUrl, 'fleet/accounts/1');
    const credentials = account.body.credentials as {
      clientId: string;
      clientSecret: string;
      refreshToken: string;
    };
    expect(credentials.clientId).toBe(info.fleet.clients[1]?.clientId);
    const grant = await call(info.tokenUrl, info.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        refresh_token: credentials.refreshToken,
        grant_type: 'refresh_token',
      }),
    });
    const read = () =>
      call(info.url, 'v1/people/me/connections?personFields=names', {
        headers: { authorization: `Bearer ${grant.body.access_token}` },
      });
    expect((await read()).body.totalItems).toBe(4);
    expect((await read()).status).toBe(429);
    stop.abort();
    expect(await done).toBe(0);
  });

  it('prints usage with --help', async () => {
    const { out, io: cliIo } = io();
    expect(await runCli(['--help'], cliIo)).toBe(0);
    expect(out[0]).toContain('Usage: google-emulator');
  });

  it('exits 1 when the port is taken', async () => {
    const first = io();
    const running = runCli(['--port', '0'], first.io);
    const { url } = JSON.parse(await firstLine(first.out)) as { url: string };
    const second = io();
    expect(await runCli(['--port', new URL(url).port], second.io)).toBe(1);
    expect(second.err[0]).toContain('cannot start');
    first.stop.abort();
    await running;
  });
});
