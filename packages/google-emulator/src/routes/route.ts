import type { IncomingMessage } from 'node:http';
import type { OAuthState } from '../auth.js';
import type { OffsetClock } from '../clock.js';
import type { ConsentFlow } from '../consent.js';
import type { EmulatorStore } from '../store/store.js';
import type { TokenCodec } from '../tokens.js';

/** What a route answers: a status, a body (an object, or JSON already serialized) and headers. */
export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What every route reads: the store, the token codec, the clock and the OAuth state. */
export interface RouteDeps {
  store: EmulatorStore;
  codec: TokenCodec;
  clock: OffsetClock;
  auth: OAuthState;
  /** The authorization codes consent pages issued (the token endpoint redeems them). */
  consent: ConsentFlow;
  syncTokenTtlMs: number;
}

/** How a fault bends a route's answer (list routes only). */
export interface RouteOptions {
  /** Answer a full listing as if the account had nobody (an `emptyListing` fault). */
  emptyListing?: boolean;
}

export type RouteHandler = (
  req: IncomingMessage,
  url: URL,
  options?: RouteOptions,
) => RouteResult | Promise<RouteResult>;
