import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { holderIsDeadHere, leaseOwnerId, localLeaseIdentity } from './lease-owner.js';

describe('lease owner', () => {
  const me = { machine: 'box#ns', pid: 10, isAlive: (pid: number) => pid === 10 || pid === 11 };

  it('round-trips machine and pid, also when the machine name holds the separator', () => {
    expect(holderIsDeadHere(leaseOwnerId({ ...me, pid: 12 }, 'u'), me)).toBe(true);
    expect(holderIsDeadHere(leaseOwnerId({ ...me, pid: 11 }, 'u'), me)).toBe(false);
    expect(holderIsDeadHere(leaseOwnerId(me, 'u'), me)).toBe(false);
  });

  it('never judges owners of another machine or of another form', () => {
    for (const owner of ['other#12#u', 'box#ns#x#u', 'plain-owner', 'box#ns#-1#u', 'box#ns#12#', '']) {
      expect(holderIsDeadHere(owner, me)).toBe(false);
    }
  });

  it('sees this process alive and an exited child dead', () => {
    const here = localLeaseIdentity();
    expect(here.pid).toBe(process.pid);
    expect(here.isAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    expect(here.isAlive(Number(child.stdout.toString()))).toBe(false);
  });
});
