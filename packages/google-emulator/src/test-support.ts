// Helpers for this package's tests: a tiny client over global fetch. Not exported by the package.
import type { ContactGroup, Person } from './types.js';

/** The JSON bodies the emulator answers with (list responses and Google error bodies). */
export interface ApiBody {
  connections?: Person[];
  otherContacts?: Person[];
  contactGroups?: ContactGroup[];
  nextPageToken?: string;
  nextSyncToken?: string;
  totalItems?: number;
  totalPeople?: number;
  totalSize?: number;
  error?: { code: number; message: string; status: string; details?: { reason?: string }[] };
  [key: string]: unknown;
}

export interface Answer {
  status: number;
  body: ApiBody;
  text: string;
  headers: Headers;
}

export type Params = Record<string, string | number | boolean | readonly string[] | undefined>;

/** Builds `path?params`; arrays become repeated parameters, as gaxios sends them. */
export function withParams(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

export async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(new URL(path, base), init);
  const text = await res.text();
  let body: ApiBody = {};
  try {
    body = JSON.parse(text) as ApiBody;
  } catch {
    // Left empty: the malformed-body fault test reads `text`.
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** A client with a bearer token for one emulator. */
export function client(emulator: { url: string; admin: { issueAccessToken(): { accessToken: string } } }) {
  let token = emulator.admin.issueAccessToken().accessToken;
  const get = (path: string, params?: Params, bearer: string | null = token): Promise<Answer> =>
    call(
      emulator.url,
      withParams(path, params),
      bearer === null ? {} : { headers: { authorization: `Bearer ${bearer}` } },
    );
  return {
    get token() {
      return token;
    },
    renew() {
      token = emulator.admin.issueAccessToken().accessToken;
    },
    get,
    connections: (params: Params) => get('v1/people/me/connections', params),
    otherContacts: (params: Params) => get('v1/otherContacts', params),
    contactGroups: (params: Params = {}) => get('v1/contactGroups', params),
    /** Reads every page of a listing; fails the test on any non-200 page. */
    async all(path: string, key: 'connections' | 'otherContacts' | 'contactGroups', params: Params) {
      const items: (Person | ContactGroup)[] = [];
      const bodies: ApiBody[] = [];
      let pageToken: string | undefined;
      do {
        const answer = await get(path, { ...params, pageToken });
        if (answer.status !== 200)
          throw new Error(`page ${bodies.length + 1}: HTTP ${answer.status} ${answer.text}`);
        bodies.push(answer.body);
        items.push(...((answer.body[key] as (Person | ContactGroup)[] | undefined) ?? []));
        pageToken = answer.body.nextPageToken;
      } while (pageToken);
      return { items, bodies, nextSyncToken: bodies.at(-1)?.nextSyncToken };
    },
  };
}

/** POSTs a refresh-token grant with the emulator's own credentials to its token endpoint. */
export function refreshTokenGrant(emulator: {
  tokenUrl: string;
  credentials: { clientId: string; clientSecret: string; refreshToken: string };
}): Promise<Answer> {
  return call(emulator.tokenUrl, emulator.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: emulator.credentials.clientId,
      client_secret: emulator.credentials.clientSecret,
      refresh_token: emulator.credentials.refreshToken,
      grant_type: 'refresh_token',
    }),
  });
}
