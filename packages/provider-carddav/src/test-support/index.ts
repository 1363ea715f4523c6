// What other packages' tests use to run CardDAV servers: `@contacts/provider-carddav/testing`.
export { deleteCard, type PutCardOptions, putCard } from '../dav/card-writes.js';
export { DavTransport } from '../dav/dav-transport.js';
export { DAV_SERVERS, type DavServerName, describeOnDavServer } from './describe-dav-server.js';
export {
  RADICALE_MISSING,
  type RadicaleOptions,
  type RadicaleServer,
  radicaleAvailable,
  startRadicale,
} from './radicale.js';
export { vcard } from './scripted-fixtures.js';
export {
  type ScriptedQuirks,
  type ScriptedRequest,
  type ScriptedServer,
  type ScriptedServerOptions,
  startScriptedServer,
} from './scripted-server.js';
export { startXandikos, XANDIKOS_MISSING, type XandikosServer, xandikosAvailable } from './xandikos.js';
