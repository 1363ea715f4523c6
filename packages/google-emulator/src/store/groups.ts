import type { Clock } from '../clock.js';
import { googleTimestamp } from '../clock.js';
import { EmulatorError } from '../errors.js';
import { etagsFor } from '../etag.js';
import type { Prng } from '../generator/prng.js';
import type { ContactGroup } from '../types.js';
import { ChangeLog, type SequenceCounter } from './change-log.js';

/** One contact group as the store holds it (without `memberCount`, which is counted when served). */
export interface GroupRecord {
  readonly id: string;
  readonly createSeq: number;
  changeSeq: number;
  version: number;
  group: ContactGroup;
  deleted: boolean;
}

/** Contact groups, system and user, with a change log for `contactGroups.list` sync tokens. */
export class GroupCollection {
  readonly changes = new ChangeLog<GroupRecord>();
  private readonly byId = new Map<string, GroupRecord>();

  constructor(
    private readonly seq: SequenceCounter,
    private readonly clock: Clock,
    private readonly rng: Prng,
  ) {}

  ingest(group: ContactGroup): GroupRecord {
    const id = group.resourceName.replace(/^contactGroups\//, '');
    if (this.byId.has(id))
      throw new EmulatorError('INVALID_INPUT', `Duplicate contact group ${group.resourceName}.`);
    const { memberCount: _counted, ...stored } = group;
    const seq = this.seq.next();
    const record: GroupRecord = {
      id,
      createSeq: seq,
      changeSeq: seq,
      version: 1,
      group: stored,
      deleted: false,
    };
    this.byId.set(id, record);
    this.changes.append(record);
    return record;
  }

  /** Adds a user group with a new opaque id (12 hex digits, like Google's). */
  add(name: string): GroupRecord {
    if (!name.trim()) throw new EmulatorError('INVALID_INPUT', 'A contact group needs a non-empty name.');
    const taken = [...this.byId.values()].some((record) => !record.deleted && record.group.name === name);
    if (taken)
      throw new EmulatorError('INVALID_INPUT', `A contact group named ${JSON.stringify(name)} exists.`);
    let id = this.rng.hex(12);
    while (this.byId.has(id)) id = this.rng.hex(12);
    const seq = this.seq.next();
    const record: GroupRecord = {
      id,
      createSeq: seq,
      changeSeq: seq,
      version: 1,
      group: this.build(id, 1, 'USER_CONTACT_GROUP', name),
      deleted: false,
    };
    this.byId.set(id, record);
    this.changes.append(record);
    return record;
  }

  /** Deletes a user group; system groups cannot be deleted, as in Google. */
  remove(resourceName: string): GroupRecord {
    const record = this.find(resourceName);
    if (!record || record.deleted) throw new EmulatorError('NOT_FOUND', `No contact group ${resourceName}.`);
    if (record.group.groupType === 'SYSTEM_CONTACT_GROUP') {
      throw new EmulatorError('INVALID_INPUT', `${resourceName} is a system group and cannot be deleted.`);
    }
    record.deleted = true;
    record.version += 1;
    record.changeSeq = this.seq.next();
    record.group = this.build(record.id, record.version, 'USER_CONTACT_GROUP', record.group.name ?? '');
    this.changes.append(record);
    return record;
  }

  find(resourceNameOrId: string): GroupRecord | undefined {
    return this.byId.get(resourceNameOrId.replace(/^contactGroups\//, ''));
  }

  /** Live groups in creation order (the book lists system groups first). */
  live(): GroupRecord[] {
    return [...this.byId.values()].filter((record) => !record.deleted);
  }

  private build(
    id: string,
    version: number,
    groupType: ContactGroup['groupType'],
    name: string,
  ): ContactGroup {
    return {
      resourceName: `contactGroups/${id}`,
      etag: etagsFor(`group:${id}`, version).sourceEtag.slice(1),
      metadata: { updateTime: googleTimestamp(this.clock.now(), (version * 271) % 1000) },
      groupType,
      name,
      formattedName: name,
    };
  }
}
