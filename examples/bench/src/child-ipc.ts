import type { ChangeSet } from './change-set.js';
import type { EmulatorConnection, EmulatorControl, RequestCounts } from './emulator-control.js';
import type { CaseJob, RunResult } from './run-types.js';

/** Parent to child: the run to do, and the emulator to do it against. */
export interface JobMessage {
  kind: 'job';
  job: CaseJob;
  connection: EmulatorConnection;
}

/** Child to parent: an emulator admin call (the emulator lives in the parent). */
export interface ControlRequest {
  kind: 'control';
  id: number;
  op: 'livePeople' | 'applyChanges' | 'resetRequests' | 'requestCounts' | 'emulatorCpu';
  fraction?: number;
}

/** Parent to child: the answer to a {@link ControlRequest}. */
export interface ControlReply {
  kind: 'control-reply';
  id: number;
  value?: unknown;
  error?: string;
}

/** Child to parent: the run's result, or why it failed. */
export type OutcomeMessage = { kind: 'done'; result: RunResult } | { kind: 'failed'; error: string };

/** Either end of the IPC channel. */
export interface MessagePort {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

const isKind = <T extends { kind: string }>(message: unknown, kind: T['kind']): message is T =>
  typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === kind;

/** Narrows an IPC message by its `kind`. */
export const messageIs = {
  job: (m: unknown): m is JobMessage => isKind<JobMessage>(m, 'job'),
  control: (m: unknown): m is ControlRequest => isKind<ControlRequest>(m, 'control'),
  reply: (m: unknown): m is ControlReply => isKind<ControlReply>(m, 'control-reply'),
  done: (m: unknown): m is Extract<OutcomeMessage, { kind: 'done' }> => isKind(m, 'done'),
  failed: (m: unknown): m is Extract<OutcomeMessage, { kind: 'failed' }> => isKind(m, 'failed'),
};

/**
 * The child's {@link EmulatorControl}: every admin call goes to the parent, which runs the
 * emulator, and waits for its reply.
 */
export function remoteControl(connection: EmulatorConnection, port: MessagePort): EmulatorControl {
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  port.on('message', (message) => {
    if (!messageIs.reply(message)) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`emulator admin: ${message.error}`));
    else waiter?.resolve(message.value);
  });
  const call = <T>(op: ControlRequest['op'], fraction?: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      const request: ControlRequest = {
        kind: 'control',
        id,
        op,
        ...(fraction === undefined ? {} : { fraction }),
      };
      port.send(request);
    });
  return {
    connection,
    livePeople: () => call<number>('livePeople'),
    applyChanges: (fraction) => call<ChangeSet>('applyChanges', fraction),
    resetRequests: () => call<void>('resetRequests'),
    requestCounts: () => call<RequestCounts>('requestCounts'),
    emulatorCpu: () => call<{ pid: number; cpuMs: number }>('emulatorCpu'),
  };
}

/** The parent's side: answers a child's admin calls with `control`. */
export function serveControl(port: MessagePort, control: EmulatorControl): void {
  port.on('message', (message) => {
    if (!messageIs.control(message)) return;
    const reply = (body: Omit<ControlReply, 'kind' | 'id'>) =>
      port.send({ kind: 'control-reply', id: message.id, ...body } satisfies ControlReply);
    const run = async (): Promise<unknown> => {
      switch (message.op) {
        case 'livePeople':
          return control.livePeople();
        case 'applyChanges':
          return control.applyChanges(message.fraction ?? 0.01);
        case 'resetRequests':
          return control.resetRequests();
        case 'requestCounts':
          return control.requestCounts();
        case 'emulatorCpu':
          return control.emulatorCpu();
      }
    };
    run().then(
      (value) => reply({ value: value ?? null }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}
