import type { EmulatorAdmin } from '../admin.js';
import { EmulatorError } from '../errors.js';
import type { RouteHandler } from '../routes/route.js';
import type { EmulatorStore } from '../store/store.js';
import { type FleetBook, generateFleetBook, type SharedPlacement } from './book.js';
import type { FleetPlan } from './plan.js';

/** One fleet account as the server holds it once generated: its book, routes and admin. */
export interface FleetAccount {
  index: number;
  /** The OAuth client it belongs to. */
  client: number;
  store: EmulatorStore;
  /** The list routes, reading this account's store. */
  routes: Record<string, RouteHandler>;
  /** The admin calls on this account's store (its OAuth, fault and log calls are the emulator's). */
  admin: EmulatorAdmin;
  shared: SharedPlacement[];
}

/**
 * The accounts of a fleet, each generated on first use (a request with its token, or an admin
 * call) and kept: a 200-person book holds about 0.56 MB and takes 25 to 60 ms to generate on the
 * 2-core machine (docs/google-emulator.md).
 */
export class FleetAccounts {
  private readonly live = new Map<number, FleetAccount>();

  constructor(
    readonly plan: FleetPlan,
    private readonly open: (index: number, client: number, generated: FleetBook) => FleetAccount,
  ) {}

  clientOf(index: number): number {
    return index % this.plan.clients;
  }

  /** Throws NOT_FOUND unless account `index` exists. */
  check(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.plan.accounts) {
      throw new EmulatorError(
        'NOT_FOUND',
        `No fleet account ${index}: accounts are numbered 0 to ${this.plan.accounts - 1}.`,
      );
    }
  }

  /** Account `index`, generated now if it was not yet. */
  get(index: number): FleetAccount {
    this.check(index);
    let account = this.live.get(index);
    if (!account) {
      account = this.open(index, this.clientOf(index), generateFleetBook(this.plan, index));
      this.live.set(index, account);
    }
    return account;
  }

  /** How many accounts have their book generated so far. */
  get generated(): number {
    return this.live.size;
  }
}
