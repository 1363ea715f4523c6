// `@contacts/butler-module/worker`: the sync workers of a fleet (pg-boss), an entry of its own so
// that a single-host butler importing the package's main entry never loads the job engine.

export type { SyncJobReport, UpstreamGate, WorkerTimers } from '@contacts/fleet';
export { type ContactsWorker, type ContactsWorkerOptions, startContactsWorker } from './contacts-worker.js';
