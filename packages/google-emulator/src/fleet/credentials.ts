import { createHash, timingSafeEqual } from 'node:crypto';
import { defaultCredentials, type EmulatorCredentials } from '../auth.js';

/**
 * An OAuth client of a fleet: what a Google Cloud project's OAuth client would be (id and
 * secret), and the project number its quota errors name.
 *
 * @example
 * ```ts
 * const [first]: readonly FleetClient[] = emulator.fleet!.clients;
 * ```
 */
export interface FleetClient {
  clientId: string;
  clientSecret: string;
  /** Twelve digits, as in Google's `consumer: projects/{number}`. */
  projectNumber: string;
}

const digest = (text: string, length: number): string =>
  createHash('sha256').update(text).digest('base64url').replace(/[-_]/g, 'x').slice(0, length);

// Account i's refresh token carries i (base 36) and a digest that only the seed gives: the
// emulator finds the account without a table of a million tokens, and an edited token fails.
const REFRESH_TOKEN = /^1\/\/0f([0-9a-z]{1,11})-([0-9A-Za-z]{36})$/;

const refreshDigest = (seed: number, index: number): string => digest(`fleet-refresh:${seed}:${index}`, 36);

/** The project number of client `index` (deterministic for the seed). */
export function projectNumber(seed: number, index: number): string {
  const n = createHash('sha256').update(`project:${seed}:${index}`).digest().readUIntBE(0, 6);
  return String(100_000_000_000 + (n % 900_000_000_000));
}

/**
 * Client `index` of a fleet for `seed`: client 0 is the emulator's own (`primary`, default
 * `defaultCredentials(seed)`), the others are derived from the seed.
 */
export function fleetClient(
  seed: number,
  index: number,
  primary: Pick<EmulatorCredentials, 'clientId' | 'clientSecret'> = defaultCredentials(seed),
): FleetClient {
  if (index === 0)
    return {
      clientId: primary.clientId,
      clientSecret: primary.clientSecret,
      projectNumber: projectNumber(seed, 0),
    };
  return {
    clientId: `${digest(`fleet-client:${seed}:${index}`, 12).toLowerCase()}-emulator.apps.googleusercontent.com`,
    clientSecret: `GOCSPX-${digest(`fleet-secret:${seed}:${index}`, 28)}`,
    projectNumber: projectNumber(seed, index),
  };
}

/**
 * The credentials of fleet account `index`: its client's id and secret (client `index % clients`)
 * and its own refresh token. Deterministic for the seed, so a process other than the emulator's
 * (a worker of a benchmark) can compute them; they assume the emulator runs with default
 * credentials (no `credentials` option).
 *
 * @example
 * ```ts
 * const { clientId, clientSecret, refreshToken } = fleetCredentials({ seed: 1, index: 42, clients: 2 });
 * ```
 */
export function fleetCredentials(options: {
  seed: number;
  index: number;
  clients?: number;
  primary?: Pick<EmulatorCredentials, 'clientId' | 'clientSecret'>;
}): EmulatorCredentials {
  const client = fleetClient(options.seed, options.index % (options.clients ?? 1), options.primary);
  return {
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    refreshToken: `1//0f${options.index.toString(36)}-${refreshDigest(options.seed, options.index)}`,
  };
}

/** The account a fleet refresh token stands for, or undefined (not one, edited, or out of range). */
export function accountOfRefreshToken(seed: number, accounts: number, token: string): number | undefined {
  const match = REFRESH_TOKEN.exec(token);
  if (!match) return undefined;
  const index = Number.parseInt(match[1] as string, 36);
  if (!Number.isSafeInteger(index) || index >= accounts) return undefined;
  const expected = Buffer.from(refreshDigest(seed, index));
  const given = Buffer.from(match[2] as string);
  return expected.length === given.length && timingSafeEqual(expected, given) ? index : undefined;
}
