export type { EmulatorAdmin } from './admin.js';
export {
  type AccessTokenGrant,
  CONTACTS_READONLY_SCOPE,
  CONTACTS_SCOPE,
  DEFAULT_SCOPES,
  EMULATOR_CLIENT_ID_SUFFIX,
  type EmulatorCredentials,
  isEmulatorClientId,
  OTHER_CONTACTS_READONLY_SCOPE,
} from './auth.js';
export { type Clock, createManualClock, type ManualClock } from './clock.js';
export {
  EmulatorError,
  type EmulatorErrorCode,
  EXPIRED_SYNC_TOKEN_MESSAGE,
  type GoogleErrorBody,
  type GoogleErrorInfo,
  googleErrors,
} from './errors.js';
export type { Fault, FaultEndpoint, FaultKind, FaultOptions, FaultWhen, PendingFault } from './faults.js';
export { OTHER_CONTACT_FIELDS, PERSON_FIELDS, type PersonField } from './fields.js';
export type { FleetAccountAdmin, FleetAdmin } from './fleet/admin.js';
export type { SharedPlacement } from './fleet/book.js';
export { type FleetClient, fleetCredentials } from './fleet/credentials.js';
export type { FleetOptions } from './fleet/plan.js';
export {
  type AddressBook,
  type AwkwardCaseEntry,
  type GenerateAddressBookOptions,
  generateAddressBook,
} from './generator/address-book.js';
export { AWKWARD_CASES, type AwkwardCase } from './generator/awkward.js';
export type { LatencyOption } from './latency.js';
export type { QuotaOptions } from './quota.js';
export type { EmulatorEndpoint, RequestLogEntry } from './request-log.js';
export { type GoogleEmulator, type GoogleEmulatorOptions, startGoogleEmulator } from './server.js';
export type * from './types.js';
