/**
 * Who holds an account's sync lease, in a form that lets a process on the same machine tell that
 * the holder has died. A `kill -9` leaves the lease row held until its TTL (10 minutes by default)
 * runs out; when the holder was a process of this machine and that process is gone, the next
 * cycle may take the lease over at once instead of waiting.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The machine and process a cycle runs in. `machine` names the process namespace: the host name
 * plus, on Linux, the kernel's boot id and the pid namespace, so two hosts or containers that
 * share a host name never judge each other's pids.
 *
 * @example
 * ```ts
 * const me: LeaseIdentity = { machine: 'box-1', pid: 4242, isAlive: (pid) => pid === 4242 };
 * await runSyncCycle({ db, butlerSchema, provider, accountId, leaseIdentity: me });
 * ```
 */
export interface LeaseIdentity {
  machine: string;
  pid: number;
  /** Whether a process of this machine with that pid is running. */
  isAlive(pid: number): boolean;
}

function readOr(read: () => string): string {
  try {
    return read().trim();
  } catch {
    return '';
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * This process's identity.
 *
 * @example
 * ```ts
 * const owner = leaseOwnerId(localLeaseIdentity(), randomUUID());
 * ```
 */
export function localLeaseIdentity(): LeaseIdentity {
  // The pid namespace tells containers of one kernel apart; the boot id tells kernels apart (the
  // root namespace has the same inode number everywhere, and cloned VMs share host names).
  const parts = [
    hostname(),
    readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    readOr(() => readlinkSync('/proc/self/ns/pid')),
  ];
  return { machine: parts.filter(Boolean).join('/'), pid: process.pid, isAlive: processIsAlive };
}

const SEPARATOR = '#';

/**
 * A lease owner string: `<machine>#<pid>#<unique>`.
 *
 * @example
 * ```ts
 * leaseOwnerId({ machine: 'box-1', pid: 42, isAlive: () => true }, 'c0ffee'); // 'box-1#42#c0ffee'
 * ```
 */
export function leaseOwnerId(identity: LeaseIdentity, unique: string): string {
  return [identity.machine, identity.pid, unique].join(SEPARATOR);
}

/**
 * Whether `owner` names a process of this machine that is no longer running. Owners of other
 * machines, or written in another form (a host's own `lockOwner`), are never judged dead: their
 * lease waits for its TTL.
 *
 * @example
 * ```ts
 * if (holder && holderIsDeadHere(holder, localLeaseIdentity())) await store.takeOverLease(...);
 * ```
 */
export function holderIsDeadHere(owner: string, identity: LeaseIdentity): boolean {
  const parts = owner.split(SEPARATOR);
  if (parts.length < 3) return false;
  const unique = parts.pop();
  const pid = Number(parts.pop());
  const machine = parts.join(SEPARATOR);
  if (!unique || !Number.isSafeInteger(pid) || pid <= 0 || machine !== identity.machine) return false;
  return pid !== identity.pid && !identity.isAlive(pid);
}
