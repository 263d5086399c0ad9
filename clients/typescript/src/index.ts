/**
 * A typed Pitwall client: `paths` and `components` are generated from openapi/openapi.json by openapi-typescript
 * (`npm run client`), requests and responses are checked by the compiler through openapi-fetch.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, paths };
/** A named schema of the API, e.g. `Schema<"Action">`. */
export type Schema<N extends keyof components["schemas"]> = components["schemas"][N];

export interface PitwallClientOptions {
  /** The server, e.g. http://127.0.0.1:8787 (a running server lists its own origin in /openapi.json). */
  baseUrl: string;
  /** An API key: `sk_…`, `pk_…` or `vk_…`. */
  key: string;
  /** Another fetch (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

export type PitwallClient = Client<paths>;

/** A client whose every request carries the key. */
export function createPitwallClient({ baseUrl, key, fetch }: PitwallClientOptions): PitwallClient {
  return createClient<paths>({
    baseUrl,
    headers: { authorization: `Bearer ${key}` },
    ...(fetch ? { fetch } : {}),
  });
}
