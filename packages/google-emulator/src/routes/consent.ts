import type { IncomingMessage } from 'node:http';
import {
  CONTACTS_READONLY_SCOPE,
  CONTACTS_SCOPE,
  type OAuthState,
  OTHER_CONTACTS_READONLY_SCOPE,
} from '../auth.js';
import type { ConsentFlow, ConsentRequest } from '../consent.js';
import { readBody } from '../http.js';

/** Google's consent endpoint path (on accounts.google.com); the emulator serves it at the same path. */
export const CONSENT_PATH = '/o/oauth2/v2/auth';
/** Where the consent page's buttons post (the emulator's own; Google's is internal). */
export const DECISION_PATH = `${CONSENT_PATH}/decision`;

const KNOWN_SCOPES = new Set([CONTACTS_READONLY_SCOPE, CONTACTS_SCOPE, OTHER_CONTACTS_READONLY_SCOPE]);

/** An HTML page or a redirect, as the consent routes answer. */
export interface PageResult {
  status: number;
  html?: string;
  location?: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body>${body}</body></html>`;

/** Google shows a bad request as an error page (it cannot trust the redirect URI to send it to). */
const errorPage = (status: number, error: string, detail: string): PageResult => ({
  status,
  html: page(
    `Error ${status}: ${error}`,
    `<h1>Access blocked: authorization error</h1><p id="error">Error ${status}: ${escapeHtml(error)}</p><p>${escapeHtml(detail)}</p>`,
  ),
});

function isRedirectUri(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hash === '';
  } catch {
    return false;
  }
}

/** Checks a consent request's query as Google does; a request or the error page. */
function readRequest(params: URLSearchParams, auth: OAuthState): ConsentRequest | PageResult {
  const clientId = params.get('client_id') ?? '';
  if (clientId !== auth.credentials.clientId) {
    return errorPage(401, 'invalid_client', 'The OAuth client was not found.');
  }
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!isRedirectUri(redirectUri)) {
    return errorPage(400, 'invalid_request', 'Invalid parameter value for redirect_uri: Missing or invalid.');
  }
  if (params.get('response_type') !== 'code') {
    return errorPage(400, 'invalid_request', 'Invalid response_type: only "code" is served.');
  }
  const scopes = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (scopes.length === 0) return errorPage(400, 'invalid_request', 'Missing required parameter: scope');
  const unknown = scopes.find((scope) => !KNOWN_SCOPES.has(scope));
  if (unknown) return errorPage(400, 'invalid_scope', `Some requested scopes were invalid: ${unknown}`);
  const codeChallenge = params.get('code_challenge') ?? '';
  if (params.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    return errorPage(
      400,
      'invalid_request',
      'The emulator requires PKCE: code_challenge_method=S256 and a code_challenge.',
    );
  }
  const state = params.get('state') ?? undefined;
  return { clientId, redirectUri, scopes, codeChallenge, ...(state === undefined ? {} : { state }) };
}

function redirect(request: ConsentRequest, params: Record<string, string>): PageResult {
  const url = new URL(request.redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  return { status: 302, location: url.toString() };
}

/**
 * `GET /o/oauth2/v2/auth`: the consent page, with Allow and Deny buttons; and `POST
 * /o/oauth2/v2/auth/decision`, what the buttons send: Allow redirects to the `redirect_uri`
 * with `code` and `state`, Deny with `error=access_denied` and `state`.
 */
export function consentRoute(deps: { auth: OAuthState; consent: ConsentFlow }) {
  return async (req: IncomingMessage, url: URL): Promise<PageResult> => {
    if (req.method === 'GET' && url.pathname === CONSENT_PATH) {
      const request = readRequest(url.searchParams, deps.auth);
      if (!('clientId' in request)) return request;
      const id = deps.consent.open(request);
      const scopes = request.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('');
      return {
        status: 200,
        html: page(
          'Sign in - Google Accounts (emulator)',
          `<h1>The app wants to access your Google Account</h1><ul id="scopes">${scopes}</ul>` +
            `<form method="post" action="${DECISION_PATH}"><input type="hidden" name="consent" value="${id}">` +
            `<button type="submit" name="decision" value="allow" id="allow">Allow</button> ` +
            `<button type="submit" name="decision" value="deny" id="deny">Deny</button></form>`,
        ),
      };
    }
    if (req.method === 'POST' && url.pathname === DECISION_PATH) {
      const form = new URLSearchParams(await readBody(req));
      const request = deps.consent.take(form.get('consent') ?? '');
      if (!request)
        return errorPage(400, 'invalid_request', 'This consent page has expired or was already answered.');
      if (form.get('decision') !== 'allow') return redirect(request, { error: 'access_denied' });
      return redirect(request, { code: deps.consent.issueCode(request), scope: request.scopes.join(' ') });
    }
    return errorPage(404, 'not_found', 'No such page.');
  };
}
