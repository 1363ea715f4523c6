import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';

/** What the consent page was asked for, kept server-side between the page and the button. */
export interface ConsentRequest {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state?: string;
  codeChallenge: string;
}

interface IssuedCode extends ConsentRequest {
  expiresAt: number;
}

/** An OAuth error as Google's token endpoint sends it. */
export interface OAuthErrorAnswer {
  status: number;
  body: { error: string; error_description: string };
}

/** Google's authorization codes live about ten minutes. */
const CODE_TTL_MS = 10 * 60 * 1000;
/** Pending consent pages and unredeemed codes kept at most (a runaway client cannot fill memory). */
const PENDING_LIMIT = 1000;

const oauthError = (status: number, error: string, description: string): OAuthErrorAnswer => ({
  status,
  body: { error, error_description: description },
});

const sha256Url = (text: string): string => createHash('sha256').update(text).digest('base64url');

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  // Maps iterate in insertion order: the oldest entry goes first.
  if (map.size > PENDING_LIMIT) map.delete(map.keys().next().value as string);
}

/**
 * The emulator's side of the authorization-code flow with PKCE: consent pages waiting for a
 * button, and the codes an Allow issued. A code is single-use and bound to the client, the
 * redirect URI and the S256 code challenge of the request that led to it.
 */
export class ConsentFlow {
  private readonly pending = new Map<string, ConsentRequest>();
  private readonly codes = new Map<string, IssuedCode>();

  constructor(private readonly clock: Clock) {}

  /** Keeps a checked consent request; the page's buttons carry only the returned id. */
  open(request: ConsentRequest): string {
    const id = randomBytes(18).toString('base64url');
    remember(this.pending, id, request);
    return id;
  }

  /** The request a page id stands for, forgotten once answered (a page answers once). */
  take(id: string): ConsentRequest | undefined {
    const request = this.pending.get(id);
    this.pending.delete(id);
    return request;
  }

  /** Issues the code an Allow redirects with. */
  issueCode(request: ConsentRequest): string {
    const code = `4/0A${randomBytes(36).toString('base64url')}`;
    remember(this.codes, code, { ...request, expiresAt: this.clock.now() + CODE_TTL_MS });
    return code;
  }

  /**
   * Redeems `code` for the client that already proved its secret: the grant's scopes, or the error
   * Google answers (the code is spent either way, as Google spends a code on any attempt).
   */
  redeem(
    form: URLSearchParams,
    clientId: string,
  ): { scopes: readonly string[] } | { error: OAuthErrorAnswer } {
    const code = form.get('code');
    if (!code) return { error: oauthError(400, 'invalid_request', 'Missing required parameter: code') };
    const issued = this.codes.get(code);
    this.codes.delete(code);
    if (!issued || issued.expiresAt <= this.clock.now() || issued.clientId !== clientId) {
      return { error: oauthError(400, 'invalid_grant', 'Malformed auth code.') };
    }
    const redirectUri = form.get('redirect_uri');
    if (!redirectUri) {
      return { error: oauthError(400, 'invalid_request', 'Missing parameter: redirect_uri') };
    }
    if (redirectUri !== issued.redirectUri) {
      return { error: oauthError(400, 'redirect_uri_mismatch', 'Bad Request') };
    }
    const verifier = form.get('code_verifier');
    if (!verifier) return { error: oauthError(400, 'invalid_grant', 'Missing code verifier.') };
    if (!sameText(sha256Url(verifier), issued.codeChallenge)) {
      return { error: oauthError(400, 'invalid_grant', 'Invalid code verifier.') };
    }
    return { scopes: issued.scopes };
  }
}
