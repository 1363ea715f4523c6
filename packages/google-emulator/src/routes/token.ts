import { readBody } from '../http.js';
import type { RouteDeps, RouteHandler } from './route.js';

/**
 * `POST /token`, Google's OAuth token endpoint for the refresh-token and authorization-code (PKCE) grants. Takes a form body
 * (what google-auth-library sends) or JSON, and client credentials in the body or as HTTP Basic.
 */
export function tokenRoute(deps: RouteDeps): RouteHandler {
  return async (req) => {
    const text = await readBody(req);
    let form: URLSearchParams;
    if ((req.headers['content-type'] ?? '').includes('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { status: 400, body: { error: 'invalid_request', error_description: 'Malformed JSON body.' } };
      }
      const entries = Object.entries(typeof parsed === 'object' && parsed ? parsed : {});
      form = new URLSearchParams(entries.map(([key, value]): [string, string] => [key, String(value)]));
    } else {
      form = new URLSearchParams(text);
    }
    const { status, body } = deps.auth.exchange(form, req.headers.authorization, deps.consent);
    return {
      status,
      body,
      headers: { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' },
    };
  };
}
