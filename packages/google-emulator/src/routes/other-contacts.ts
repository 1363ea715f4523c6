import { OTHER_CONTACTS_READONLY_SCOPE } from '../auth.js';
import { OTHER_CONTACT_FIELDS, PERSON_FIELDS } from '../fields.js';
import { Query } from '../http.js';
import { listPeople, type PeopleListConfig } from './people-list.js';
import type { RouteDeps, RouteHandler } from './route.js';

const SPEC = {
  repeated: ['readMask', 'sources'],
  scalar: ['pageSize', 'pageToken', 'requestSyncToken', 'syncToken'],
} as const;

/**
 * `GET /v1/otherContacts` (`otherContacts.list`). Needs the `contacts.other.readonly` scope;
 * `readMask` may hold only emailAddresses, metadata, names, phoneNumbers and photos unless the
 * PROFILE source is requested too.
 */
export function otherContactsRoute(deps: RouteDeps): RouteHandler {
  const config: PeopleListConfig = {
    endpoint: 'otherContacts',
    collection: deps.store.otherContacts,
    maskParam: 'readMask',
    itemsKey: 'otherContacts',
    sortable: false,
    defaultSources: ['READ_SOURCE_TYPE_OTHER_CONTACT'],
    allowedFields: (sources) =>
      sources.includes('READ_SOURCE_TYPE_PROFILE') ? PERSON_FIELDS : OTHER_CONTACT_FIELDS,
    totals: (count) => [['totalSize', count > 0 ? count : undefined]],
  };
  return (req, url, options) => {
    deps.auth.authorize(req.headers.authorization, url.searchParams.get('access_token'), [
      OTHER_CONTACTS_READONLY_SCOPE,
    ]);
    return { status: 200, body: listPeople(deps, config, Query.parse(url.searchParams, SPEC), [], options) };
  };
}
