import { CONTACTS_READONLY_SCOPE, CONTACTS_SCOPE } from '../auth.js';
import { GoogleHttpError } from '../errors.js';
import { PERSON_FIELDS } from '../fields.js';
import { Query } from '../http.js';
import { listPeople, type PeopleListConfig } from './people-list.js';
import type { RouteDeps, RouteHandler } from './route.js';

const SPEC = {
  repeated: ['personFields', 'sources', 'requestMask.includeField'],
  scalar: ['pageSize', 'pageToken', 'sortOrder', 'requestSyncToken', 'syncToken'],
} as const;

/**
 * `GET /v1/{resourceName}/connections` (`people.connections.list`). Only `people/me` has
 * connections; `requestMask.includeField` (deprecated) is read as more `personFields` paths.
 */
export function connectionsRoute(deps: RouteDeps): RouteHandler {
  const config: PeopleListConfig = {
    endpoint: 'connections',
    collection: deps.store.people,
    maskParam: 'personFields',
    itemsKey: 'connections',
    sortable: true,
    defaultSources: ['READ_SOURCE_TYPE_CONTACT', 'READ_SOURCE_TYPE_PROFILE'],
    allowedFields: () => PERSON_FIELDS,
    totals: (count) => [
      ['totalPeople', count > 0 ? count : undefined],
      ['totalItems', count > 0 ? count : undefined],
    ],
  };
  return (req, url, options) => {
    const resourceName = decodeURIComponent(url.pathname.slice('/v1/'.length, -'/connections'.length));
    deps.auth.authorize(req.headers.authorization, url.searchParams.get('access_token'), [
      CONTACTS_READONLY_SCOPE,
      CONTACTS_SCOPE,
    ]);
    if (resourceName !== 'people/me') {
      throw GoogleHttpError.invalidArgument(
        `Resource name "${resourceName}" is not valid for connections: only "people/me" is supported.`,
      );
    }
    const query = Query.parse(url.searchParams, SPEC);
    const legacyMask = (query.all('requestMask.includeField') ?? [])
      .flatMap((value) => value.split(','))
      .map((path) => path.trim().replace(/^person\./, ''));
    return { status: 200, body: listPeople(deps, config, query, legacyMask, options) };
  };
}
