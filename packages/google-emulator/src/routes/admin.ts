import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { EmulatorAdmin } from '../admin.js';
import { EmulatorError } from '../errors.js';
import type { FaultOptions } from '../faults.js';
import { PERSON_LIST_FIELDS_IN_ORDER } from '../fields.js';
import type { FleetAccounts } from '../fleet/accounts.js';
import type { FleetAdmin } from '../fleet/admin.js';
import { readBody } from '../http.js';
import type { EmulatorEndpoint } from '../request-log.js';
import type { PersonInput } from '../types.js';
import type { RouteResult } from './route.js';

// Bodies are checked here, at the HTTP edge; the programmatic admin API trusts its TypeScript types.
const personInput = z.strictObject(
  Object.fromEntries(
    PERSON_LIST_FIELDS_IN_ORDER.map((field) => [field, z.array(z.looseObject({})).optional()]),
  ),
);
const common = {
  endpoint: z.enum(['connections', 'otherContacts', 'contactGroups', 'token', 'any']).optional(),
  times: z.number().int().positive().optional(),
  when: z.enum(['always', 'fullSyncFirstPage', 'withSyncToken', 'withPageToken']).optional(),
  after: z.number().int().nonnegative().optional(),
  account: z.number().int().nonnegative().optional(),
  client: z.number().int().nonnegative().optional(),
};
const faultInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('rateLimit'),
    retryAfterSeconds: z.number().int().nonnegative().nullable().optional(),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('serverError'),
    status: z.union([z.literal(500), z.literal(503)]).optional(),
    ...common,
  }),
  z.strictObject({ kind: z.literal('slow'), delayMs: z.number().nonnegative(), ...common }),
  z.strictObject({ kind: z.literal('malformed'), ...common }),
  z.strictObject({ kind: z.literal('expiredSyncToken'), ...common }),
  z.strictObject({ kind: z.literal('syncTokenGone'), ...common }),
  z.strictObject({ kind: z.literal('hang'), ...common }),
  z.strictObject({ kind: z.literal('invalidPageToken'), ...common }),
  z.strictObject({ kind: z.literal('drip'), intervalMs: z.number().nonnegative(), ...common }),
  z.strictObject({
    kind: z.literal('endlessBody'),
    chunkBytes: z
      .number()
      .int()
      .positive()
      .max(16 * 1024 * 1024)
      .optional(),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('hugeBody'),
    bytes: z.number().int().positive(),
    contentLength: z.boolean().optional(),
    ...common,
  }),
  z.strictObject({ kind: z.literal('repeatPageToken'), ...common }),
  z.strictObject({ kind: z.literal('cyclePageToken'), ...common }),
  z.strictObject({ kind: z.literal('endlessPages'), ...common }),
  z.strictObject({ kind: z.literal('emptyListing'), ...common }),
  z.strictObject({
    kind: z.literal('echoRequest'),
    status: z.union([z.literal(400), z.literal(401), z.literal(500)]).optional(),
    ...common,
  }),
]);
const renameInput = z.strictObject({ resourceName: z.string().optional() });
const groupInput = z.strictObject({ name: z.string().min(1) });
const advanceInput = z.strictObject({ ms: z.number().nonnegative() });
const revokeInput = z.strictObject({ keepAccessTokens: z.boolean().optional() });
const rotateInput = z.strictObject({ refreshToken: z.string().min(1).optional() });
const ENDPOINTS = ['connections', 'otherContacts', 'contactGroups', 'token', 'other'] as const;

const STATUS: Record<EmulatorError['code'], [number, string]> = {
  INVALID_INPUT: [400, 'INVALID_ARGUMENT'],
  INVALID_OPTIONS: [400, 'INVALID_ARGUMENT'],
  NOT_FOUND: [404, 'NOT_FOUND'],
  CLOSED: [503, 'UNAVAILABLE'],
};

const problem = (code: number, status: string, message: string): RouteResult => ({
  status: code,
  body: { error: { code, message, status } },
});

async function json<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const text = await readBody(req);
  let value: unknown;
  try {
    value = text.trim() ? JSON.parse(text) : {};
  } catch (error) {
    throw new EmulatorError('INVALID_INPUT', 'The request body is not valid JSON.', { cause: error });
  }
  const result = schema.safeParse(value);
  if (!result.success)
    throw new EmulatorError('INVALID_INPUT', z.prettifyError(result.error), { cause: result.error });
  return result.data;
}

/** A raw person's body: any JSON value, kept as given (no schema: malformed is the point). */
async function rawJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (!text.trim()) throw new EmulatorError('INVALID_INPUT', 'A raw person needs a JSON body.');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EmulatorError('INVALID_INPUT', 'The request body is not valid JSON.', { cause: error });
  }
}

const clockView = (now: number) => ({ now, iso: new Date(now).toISOString() });

/** The routes under `/__admin/` (JSON, no auth). `GET /__admin` lists them. */
const ROUTES = [
  'GET /__admin/people[?includeDeleted=true]',
  'POST /__admin/people {names:[...],...}',
  'GET|PATCH|DELETE /__admin/people/{id}',
  'POST /__admin/people/{id}/rename {resourceName?}',
  'POST /__admin/people/raw {any JSON, served as given}',
  'PUT /__admin/people/{id}/raw {any JSON, served as given}',
  'GET|POST /__admin/otherContacts',
  'GET|PATCH|DELETE /__admin/otherContacts/{id}',
  'GET|POST /__admin/contactGroups {name}',
  'DELETE /__admin/contactGroups/{id}',
  'GET /__admin/clock',
  'POST /__admin/clock/advance {ms}',
  'GET /__admin/credentials',
  'POST /__admin/oauth/access-token',
  'GET /__admin/oauth/access-tokens',
  'POST /__admin/oauth/revoke {keepAccessTokens?}',
  'POST /__admin/oauth/rotate {refreshToken?}',
  'POST /__admin/oauth/revoke-access-tokens',
  'GET|POST|DELETE /__admin/faults',
  'GET|DELETE /__admin/requests[?endpoint=connections]',
  'GET /__admin/fleet',
  'GET /__admin/fleet/accounts/{i}',
  'POST /__admin/fleet/accounts/{i}/access-token',
  'POST /__admin/fleet/accounts/{i}/revoke',
  '... /__admin/fleet/accounts/{i}/(people|otherContacts|contactGroups)...: the book routes above, on account i',
];

const FLEET_BOOK = /^\/__admin\/fleet\/accounts\/(\d+)(\/(?:people|otherContacts|contactGroups)(?:\/.*)?)$/;
const FLEET_ACCOUNT = /^\/__admin\/fleet\/accounts\/(\d+)(\/access-token|\/revoke)?$/;

/**
 * The admin API over HTTP, for demos and tests in other processes: the same operations as
 * {@link EmulatorAdmin}, JSON in and out. Resource ids are the part after the collection
 * (`/__admin/people/c123` is `people/c123`).
 */
export function adminRoute(
  admin: EmulatorAdmin,
  fleet?: { accounts: FleetAccounts; fleet: FleetAdmin },
): (req: IncomingMessage, url: URL) => Promise<RouteResult> {
  const handle = async (req: IncomingMessage, url: URL): Promise<RouteResult | undefined> => {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    const ok = (body: unknown, status = 200): RouteResult => ({ status, body });
    if (path === '/__admin' && method === 'GET') return ok({ routes: ROUTES });
    if (path === '/__admin/fleet' || path.startsWith('/__admin/fleet/')) {
      if (!fleet)
        return problem(404, 'NOT_FOUND', 'This emulator serves no fleet (start it with the fleet option).');
      return fleetRoute(req, url, path, fleet);
    }

    // Before the generic people routes, which would read `raw` as an id.
    const raw = /^\/__admin\/people(?:\/([^/]+))?\/raw$/.exec(path);
    if (raw) {
      const id = raw[1];
      if (!id && method === 'POST') return ok(admin.addRawPerson(await rawJson(req)), 201);
      if (id && method === 'PUT')
        return ok(admin.replaceRawPerson(`people/${decodeURIComponent(id)}`, await rawJson(req)));
      return undefined;
    }

    const people = /^\/__admin\/(people|otherContacts)(?:\/([^/]+))?(\/rename)?$/.exec(path);
    if (people) {
      const [, collection, id, rename] = people;
      const contacts = collection === 'people';
      const resourceName = id && `${collection}/${decodeURIComponent(id)}`;
      if (!resourceName) {
        if (method === 'GET') {
          const includeDeleted = url.searchParams.get('includeDeleted') === 'true';
          return ok({
            [collection as string]: contacts
              ? admin.people({ includeDeleted })
              : admin.otherContacts({ includeDeleted }),
          });
        }
        if (method === 'POST') {
          const input = (await json(req, personInput)) as PersonInput;
          return ok(contacts ? admin.addPerson(input) : admin.addOtherContact(input), 201);
        }
        return undefined;
      }
      if (rename) {
        if (method !== 'POST' || !contacts) return undefined;
        return ok(admin.renamePerson(resourceName, (await json(req, renameInput)).resourceName));
      }
      if (method === 'GET') {
        const found = contacts
          ? admin.person(resourceName)
          : admin.otherContacts({ includeDeleted: true }).find((p) => p.resourceName === resourceName);
        return found ? ok(found) : problem(404, 'NOT_FOUND', `No ${resourceName}.`);
      }
      if (method === 'PATCH') {
        const patch = (await json(req, personInput)) as PersonInput;
        return ok(
          contacts ? admin.updatePerson(resourceName, patch) : admin.updateOtherContact(resourceName, patch),
        );
      }
      if (method === 'DELETE')
        return ok(contacts ? admin.deletePerson(resourceName) : admin.deleteOtherContact(resourceName));
      return undefined;
    }

    const groups = /^\/__admin\/contactGroups(?:\/([^/]+))?$/.exec(path);
    if (groups) {
      const id = groups[1];
      if (!id && method === 'GET') return ok({ contactGroups: admin.groups() });
      if (!id && method === 'POST') return ok(admin.addGroup((await json(req, groupInput)).name), 201);
      if (id && method === 'DELETE') {
        admin.removeGroup(`contactGroups/${decodeURIComponent(id)}`);
        return ok({});
      }
      return undefined;
    }

    switch (`${method} ${path}`) {
      case 'GET /__admin/clock':
        return ok(clockView(admin.now()));
      case 'POST /__admin/clock/advance':
        return ok(clockView(admin.advanceClock((await json(req, advanceInput)).ms)));
      case 'GET /__admin/credentials':
        return ok(admin.credentials());
      case 'POST /__admin/oauth/access-token':
        return ok(admin.issueAccessToken());
      case 'GET /__admin/oauth/access-tokens':
        return ok({ accessTokens: admin.issuedAccessTokens() });
      case 'POST /__admin/oauth/revoke':
        admin.revokeRefreshToken(await json(req, revokeInput));
        return ok({});
      case 'POST /__admin/oauth/rotate':
        return ok({ refreshToken: admin.rotateRefreshToken((await json(req, rotateInput)).refreshToken) });
      case 'POST /__admin/oauth/revoke-access-tokens':
        admin.revokeAccessTokens();
        return ok({});
      case 'GET /__admin/faults':
        return ok({ faults: admin.pendingFaults() });
      case 'POST /__admin/faults':
        return ok(admin.injectFault((await json(req, faultInput)) as FaultOptions), 201);
      case 'DELETE /__admin/faults':
        admin.clearFaults();
        return ok({});
      case 'GET /__admin/requests': {
        const raw = url.searchParams.get('endpoint');
        if (raw !== null && !(ENDPOINTS as readonly string[]).includes(raw)) {
          return problem(400, 'INVALID_ARGUMENT', `endpoint must be one of ${ENDPOINTS.join(', ')}.`);
        }
        const endpoint = (raw ?? undefined) as EmulatorEndpoint | undefined;
        const counts = Object.fromEntries(ENDPOINTS.map((name) => [name, admin.requestCount(name)]));
        return ok({ total: admin.requestCount(), counts, requests: admin.requests(endpoint) });
      }
      case 'DELETE /__admin/requests':
        admin.resetRequests();
        return ok({});
      default:
        return undefined;
    }
  };

  const bookRoutes = new Map<number, (req: IncomingMessage, url: URL) => Promise<RouteResult>>();
  const fleetRoute = async (
    req: IncomingMessage,
    url: URL,
    path: string,
    { accounts, fleet }: { accounts: FleetAccounts; fleet: FleetAdmin },
  ): Promise<RouteResult | undefined> => {
    const method = req.method ?? 'GET';
    const ok = (body: unknown): RouteResult => ({ status: 200, body });
    if (path === '/__admin/fleet' && method === 'GET') {
      return ok({
        accounts: fleet.accounts,
        clients: fleet.clients,
        sharedPeople: fleet.sharedPeople,
        generatedAccounts: fleet.generatedAccounts(),
      });
    }
    // An account's book: the book routes above, on that account's store.
    const book = FLEET_BOOK.exec(path);
    if (book) {
      const index = Number(book[1]);
      let route = bookRoutes.get(index);
      if (!route) {
        route = adminRoute(accounts.get(index).admin);
        bookRoutes.set(index, route);
      }
      const inner = new URL(url);
      inner.pathname = `/__admin${book[2]}`;
      return route(req, inner);
    }
    const account = FLEET_ACCOUNT.exec(path);
    if (!account) return undefined;
    const index = Number(account[1]);
    switch (`${method} ${account[2] ?? ''}`) {
      case 'GET ':
        return ok({
          index,
          client: accounts.clientOf(index),
          credentials: fleet.credentials(index),
          shared: fleet.account(index).shared(),
        });
      case 'POST /access-token':
        return ok(fleet.issueAccessToken(index));
      case 'POST /revoke':
        fleet.revoke(index);
        return ok({});
      default:
        return undefined;
    }
  };

  return async (req, url) => {
    try {
      return (
        (await handle(req, url)) ??
        problem(404, 'NOT_FOUND', `No admin route ${req.method} ${url.pathname}; see GET /__admin.`)
      );
    } catch (error) {
      if (error instanceof EmulatorError) {
        const [code, status] = STATUS[error.code];
        return problem(code, status, error.message);
      }
      throw error;
    }
  };
}
