import type { Store } from "../store";
import type { Dealer } from "../store/dealers";

const TTL_MS = 30_000;
const cache = new Map<string, { byId: Map<string, Dealer>; until: number }>();

/**
 * The tenant's dealers by id, cached per isolate for ingestion and decisions alike; re-read when stale or
 * when one of `wanted` is missing (a dealer created a moment ago).
 */
export async function dealersOf(
  store: Store,
  tenantId: string,
  now: number,
  wanted: readonly string[] = [],
): Promise<ReadonlyMap<string, Dealer>> {
  const hit = cache.get(tenantId);
  if (hit && hit.until > now && wanted.every((id) => hit.byId.has(id))) return hit.byId;
  const byId = new Map((await store.dealers.list({ tenantId })).map((d) => [d.id, d]));
  cache.set(tenantId, { byId, until: now + TTL_MS });
  return byId;
}
