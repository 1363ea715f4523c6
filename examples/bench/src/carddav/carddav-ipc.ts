import { type ControlReply, type MessagePort, messageIs } from '../child-ipc.js';
import type { CardDavConnection, CardDavControl, CardDavJob, CardDavRunResult } from './carddav-types.js';

/** Parent to child: the CardDAV run to do, and the server (the counting proxy) to do it against. */
export interface CardDavJobMessage {
  kind: 'carddav-job';
  job: CardDavJob;
  connection: CardDavConnection;
}

/** Child to parent: a call on the Radicale book the parent runs. */
export interface CardDavControlRequest {
  kind: 'carddav-control';
  id: number;
  op: 'editCards' | 'resetRequests' | 'requestCounts';
  count?: number;
}

/** Child to parent: the CardDAV run's result, or why it failed. */
export type CardDavOutcomeMessage =
  | { kind: 'carddav-done'; result: CardDavRunResult }
  | { kind: 'failed'; error: string };

const isKind = <T extends { kind: string }>(message: unknown, kind: T['kind']): message is T =>
  typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === kind;

/** Narrows a CardDAV IPC message by its `kind`. */
export const cardDavMessageIs = {
  job: (m: unknown): m is CardDavJobMessage => isKind<CardDavJobMessage>(m, 'carddav-job'),
  control: (m: unknown): m is CardDavControlRequest => isKind<CardDavControlRequest>(m, 'carddav-control'),
  done: (m: unknown): m is Extract<CardDavOutcomeMessage, { kind: 'carddav-done' }> =>
    isKind(m, 'carddav-done'),
};

/**
 * The child's {@link CardDavControl}: every call goes to the parent, which runs Radicale and the
 * counting proxy, and waits for its reply.
 */
export function remoteCardDavControl(connection: CardDavConnection, port: MessagePort): CardDavControl {
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  port.on('message', (message) => {
    if (!messageIs.reply(message)) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`radicale control: ${message.error}`));
    else waiter?.resolve(message.value);
  });
  const call = <T>(op: CardDavControlRequest['op'], count?: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      port.send({
        kind: 'carddav-control',
        id,
        op,
        ...(count === undefined ? {} : { count }),
      } satisfies CardDavControlRequest);
    });
  return {
    connection,
    editCards: (count) => call('editCards', count),
    resetRequests: () => call('resetRequests'),
    requestCounts: () => call('requestCounts'),
  };
}

/** The parent's side: answers a child's calls with `control`. */
export function serveCardDavControl(port: MessagePort, control: CardDavControl): void {
  port.on('message', (message) => {
    if (!cardDavMessageIs.control(message)) return;
    const reply = (body: Omit<ControlReply, 'kind' | 'id'>) =>
      port.send({ kind: 'control-reply', id: message.id, ...body } satisfies ControlReply);
    const run = async (): Promise<unknown> => {
      switch (message.op) {
        case 'editCards':
          return control.editCards(message.count ?? 0);
        case 'resetRequests':
          return control.resetRequests();
        case 'requestCounts':
          return control.requestCounts();
      }
    };
    run().then(
      (value) => reply({ value: value ?? null }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}
