import { googleErrors } from '../errors.js';
import { connectionsRoute } from './connections.js';
import { contactGroupsRoute } from './contact-groups.js';
import { otherContactsRoute } from './other-contacts.js';
import type { RouteDeps, RouteHandler } from './route.js';
import { tokenRoute } from './token.js';

/** The API routes over one account's store, by the key `routeOf` gives a request. */
export function routeTable(deps: RouteDeps): Record<string, RouteHandler> {
  return {
    connections: connectionsRoute(deps),
    otherContacts: otherContactsRoute(deps),
    contactGroups: contactGroupsRoute(deps),
    token: tokenRoute(deps),
    notFound: () => ({ status: 404, body: googleErrors.notFound() }),
  };
}
