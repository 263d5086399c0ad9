/**
 * Authentication and authorization of one operation: key -> tenant, kind, scopes, binding.
 * Order: missing/malformed/unknown/revoked/expired (401), then kind and scope (403),
 * then the publishable key's Origin (403), then the per-key rate limit (429).
 */
import type { MiddlewareHandler } from "hono";
import { effectiveScopes, grants, keyKindOf, type KeyKind, type Scope } from "../domain/keys";
import { sha256Hex } from "../lib/crypto";
import type { AppEnv } from "./context";
import { Problem } from "./problems";

export interface AuthRequirement {
  /** Kinds of key that may call the operation. */
  kinds: readonly KeyKind[];
  /**
   * Scope a server key needs; omitted: any server key of the tenant. Publishable and vehicle keys are admitted by
   * `kinds` alone (their scopes are fixed: decide and events:write), so an operation may let a vehicle key read its
   * own car's report while server keys need profiles:read.
   */
  scope?: Scope;
}

/** The bearer token of a request: `Authorization: Bearer <key>`. */
function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : "";
}

/** Middleware enforcing one operation's requirement and setting `c.var.principal`. */
export function authenticate(req: AuthRequirement): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { store, keyCache, rateLimiter, now: clock } = c.var.deps;
    const key = bearer(c.req.header("authorization"));
    if (key === null) throw new Problem("missing-api-key", "Send the key as `Authorization: Bearer <key>`.");
    const kind = keyKindOf(key);
    if (!kind)
      throw new Problem("invalid-api-key", "The key is not of the form sk_/pk_/vk_ followed by 32 characters.");

    const now = clock();
    const hash = await sha256Hex(key);
    let row = keyCache.get(hash, now);
    if (!row) {
      row = await store.keys.byHash(hash);
      if (!row) throw new Problem("invalid-api-key");
      keyCache.set(hash, row, now);
    }
    if (row.revokedAt !== null && row.revokedAt <= now) throw new Problem("revoked-api-key");
    if (row.expiresAt !== null && row.expiresAt <= now) throw new Problem("expired-api-key");
    // The previous secret of a rotated key works until the end of its overlap window.
    if (row.hash !== hash && (row.previousExpiresAt === null || row.previousExpiresAt <= now))
      throw new Problem(
        "expired-api-key",
        "This secret was rotated and its overlap window has ended; use the new one.",
      );

    if (!req.kinds.includes(row.kind)) {
      throw new Problem(
        "key-kind-not-allowed",
        `A ${row.kind} key cannot call this operation; use a ${req.kinds.join(" or ")} key.`,
      );
    }
    const scopes = effectiveScopes(row.kind, row.scopes);
    // During a rotation's overlap the previous secret keeps serving traffic, but it no longer administers anything:
    // a stolen secret that was rotated away cannot rotate the key again, mint keys or change settings.
    if (row.hash !== hash && req.scope === "admin")
      throw new Problem(
        "expired-api-key",
        "This secret was rotated: during the overlap it serves traffic but cannot administer; use the new one.",
      );
    if (req.scope && row.kind === "server" && !grants(scopes, req.scope)) {
      throw new Problem("insufficient-scope", `This operation needs the \`${req.scope}\` scope.`, {
        requiredScope: req.scope,
      });
    }

    const origin = c.req.header("origin") ?? null;
    if (row.kind === "publishable") {
      if (!origin || !(row.allowedOrigins ?? []).includes(origin)) {
        throw new Problem(
          "origin-not-allowed",
          origin
            ? `Origin ${origin} is not allowed for this key.`
            : "A publishable key must be used from a browser page (Origin header).",
        );
      }
    }

    const wait = await rateLimiter.hit(row.id, now);
    if (wait > 0) throw new Problem("rate-limited", `Retry in ${wait} s.`, {}, { "Retry-After": String(wait) });

    c.set("principal", {
      keyId: row.id,
      tenantId: row.tenantId,
      kind: row.kind,
      scopes,
      dealerId: row.dealerId,
      vin: row.vin,
      origin,
    });
    await next();
    if (row.kind === "publishable" && origin) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Vary", "Origin", { append: true });
    }
  };
}
