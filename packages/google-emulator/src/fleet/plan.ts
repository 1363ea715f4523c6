import { createHash } from 'node:crypto';
import { EmulatorError } from '../errors.js';

/**
 * Many accounts on one emulator (option `fleet` of `startGoogleEmulator`), each chosen by its own
 * refresh token and holding its own address book, generated on the account's first request from
 * the seed. Part of every book is drawn from one pool of shared people, so that the same person
 * (same names, e-mails, phones) sits in several accounts' books under a different resource name
 * in each, as colleagues share contacts. Accounts are numbered 0 to `accounts - 1`; account `i`
 * belongs to OAuth client `i % clients`. The emulator's own account (its `credentials` and book)
 * stays as it is, on client 0.
 *
 * @example
 * ```ts
 * const fleet: FleetOptions = { accounts: 1_000, peoplePerAccount: 200, sharedShare: 0.3, clients: 2 };
 * ```
 */
export interface FleetOptions {
  /** How many accounts (>= 1). */
  accounts: number;
  /** Contacts in each account's book, shared ones included (default 200). */
  peoplePerAccount?: number;
  /** Share of each book drawn from the shared pool, 0 to 1 (default 0.3). */
  sharedShare?: number;
  /**
   * People in the shared pool (default: a quarter of all shared places, at least 1, so a shared
   * person is in about four books).
   */
  sharedPeople?: number;
  /** Other contacts in each account (default 0). */
  otherContactsPerAccount?: number;
  /** OAuth clients (Google Cloud projects) the accounts are spread over (default 1: the emulator's own). */
  clients?: number;
}

/** {@link FleetOptions} checked, with every default filled in. */
export interface FleetPlan {
  seed: number;
  accounts: number;
  peoplePerAccount: number;
  /** Shared people in each book. */
  sharedPerAccount: number;
  sharedPeople: number;
  otherContactsPerAccount: number;
  clients: number;
}

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new EmulatorError('INVALID_OPTIONS', `fleet.${name} must be an integer >= ${min}; got ${n}.`);
  }
  return n;
}

/** Checks the options and fills in the defaults. */
export function fleetPlan(seed: number, options: FleetOptions): FleetPlan {
  const accounts = count('accounts', options.accounts, 0, 1);
  const peoplePerAccount = count('peoplePerAccount', options.peoplePerAccount, 200, 0);
  const share = options.sharedShare ?? 0.3;
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new EmulatorError('INVALID_OPTIONS', `fleet.sharedShare must be in 0..1; got ${share}.`);
  }
  const wanted = Math.round(peoplePerAccount * share);
  const sharedPeople = count(
    'sharedPeople',
    options.sharedPeople,
    Math.max(1, Math.ceil((accounts * wanted) / 4)),
    wanted > 0 ? 1 : 0,
  );
  return {
    seed,
    accounts,
    peoplePerAccount,
    sharedPerAccount: Math.min(wanted, sharedPeople),
    sharedPeople,
    otherContactsPerAccount: count('otherContactsPerAccount', options.otherContactsPerAccount, 0, 0),
    clients: count('clients', options.clients, 1, 1),
  };
}

/**
 * A safe integer derived from the seed and a path (`'account', 7`): independent random streams
 * for each account and each shared person, so any one can be generated alone, in any order.
 */
export function derivedSeed(seed: number, ...path: (string | number)[]): number {
  return createHash('sha256')
    .update(JSON.stringify([seed, ...path]))
    .digest()
    .readUIntBE(0, 6);
}
