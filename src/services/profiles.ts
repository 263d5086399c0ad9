/** Profile verbs beyond ingestion: unmerge, access (export) and erasure. Each takes the caller's scope. */
import { newId } from "../lib/crypto";
import { Problem } from "../http/problems";
import type { Scope } from "../store";
import type { Batchable } from "../store/db";
import { householdDoc, rebuildProfiles, type IngestContext } from "./ingest";
import type { Profile } from "../domain/profile/types";
import { auditEntry, type AuditStamp } from "../domain/audit";

/** The live profile in the caller's scope, or 404 (never revealing whether it exists elsewhere). */
export async function profileInScope(ctx: IngestContext, scope: Scope, profileId: string) {
  const found = await ctx.store.customers.byId(scope, profileId);
  if (!found?.profile.doc) throw new Problem("not-found", "No such profile.");
  return found;
}

/** Undoes a recorded merge: the absorbed person gets back its identifiers and the events it brought. */
export async function unmerge(
  ctx: IngestContext,
  scope: Scope,
  profileId: string,
  mergeId: string,
  stamp?: AuditStamp,
) {
  await profileInScope(ctx, scope, profileId);
  const repo = ctx.store.customers;
  const m = await repo.merge(scope.tenantId, mergeId);
  if (!m || m.undoneAt !== null || m.survivorId !== profileId)
    throw new Problem("not-found", "No such merge into this profile that is still in effect.");
  const statements: Batchable[] = [
    repo.reassignIdentities(scope.tenantId, m.moved, m.absorbedId, m.survivorId),
    repo.moveEventsByOrigin(scope.tenantId, m.absorbedId, m.absorbedId),
    repo.revive(scope.tenantId, m.absorbedId, ctx.now),
    repo.markMergeUndone(scope.tenantId, m.id, ctx.now),
    // One audit entry per person, so that erasing either one takes its own entry with it.
    ...(stamp
      ? [m.survivorId, m.absorbedId].map((personId) =>
          ctx.store.audit.insert(
            auditEntry(newId("aud"), stamp, "profile.unmerge", {
              subjectType: "profile",
              subjectId: personId,
              personId,
              detail: { mergeId: m.id },
            }),
          ),
        )
      : []),
  ];
  await ctx.store.database.batch(statements);
  await rebuildProfiles(ctx, [m.survivorId, m.absorbedId]);
  return { survivorId: m.survivorId, restoredId: m.absorbedId, mergeId: m.id };
}

/** Everything held on a person, as JSON (GDPR Art. 15). */
export async function exportProfile(ctx: IngestContext, scope: Scope, profileId: string) {
  const { profile, household } = await profileInScope(ctx, scope, profileId);
  const repo = ctx.store.customers;
  const absorbed = await repo.absorbedInto(scope.tenantId, profileId);
  const ids = [profileId, ...absorbed];
  const [identities, events, merges, decisions] = await Promise.all([
    repo.identitiesOf(scope.tenantId, ids),
    repo.eventsOf(scope.tenantId, ids),
    repo.mergesOf(scope.tenantId, profileId),
    ctx.store.decisioning.decisionsOf(scope.tenantId, ids),
  ]);
  return {
    profileId,
    exportedAt: new Date(ctx.now).toISOString(),
    profile: profile.doc,
    contacts: profile.contacts ?? null,
    identifiers: identities.map((i) => ({
      kind: i.kind,
      value: i.kind === "email" || i.kind === "phone" ? `sha256:${i.value}` : i.value,
      since: new Date(i.createdAt).toISOString(),
    })),
    household: household
      ? {
          id: household.id,
          ref: household.ref,
          members: household.doc.members.length,
          vehicles: household.doc.vehicles.filter((v) => v.personId === profileId),
        }
      : null,
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      occurredAt: new Date(e.occurredAt).toISOString(),
      receivedAt: new Date(e.receivedAt).toISOString(),
      dealerId: e.dealerId,
      data: e.payload?.data,
      source: e.payload?.source ?? null,
    })),
    merges: merges.map((m) => ({
      id: m.id,
      survivorId: m.survivorId,
      absorbedId: m.absorbedId,
      eventId: m.eventId,
      reason: m.reason,
      at: new Date(m.createdAt).toISOString(),
      undoneAt: m.undoneAt ? new Date(m.undoneAt).toISOString() : null,
    })),
    decisions: decisions.map((d) => ({
      id: d.id,
      at: new Date(d.createdAt).toISOString(),
      channel: d.channel,
      placement: d.placement,
      shown: d.shown,
    })),
    consentHistory: events
      .filter((e) => e.type === "consent_changed" || e.type === "preference_changed")
      .map((e) => ({
        at: new Date(e.occurredAt).toISOString(),
        type: e.type,
        source: e.payload?.source ?? (e.payload?.data as { source?: string })?.source ?? null,
        change: e.payload?.data,
      })),
  };
}

/**
 * Removes the person (and anyone merged into them) from every table, the audit log included; leaves tombstones
 * only, and (with a stamp) one audit entry saying that an erasure happened, without the person's identifiers.
 */
export async function erase(ctx: IngestContext, scope: Scope, profileId: string, stamp?: AuditStamp) {
  const { profile, household } = await profileInScope(ctx, scope, profileId);
  const repo = ctx.store.customers;
  const ids = [profileId, ...(await repo.absorbedInto(scope.tenantId, profileId))];
  const events = await repo.eventsOf(scope.tenantId, ids);
  const erasureId = newId("era");
  const statements: Batchable[] = [
    ...repo.eraseStatements(scope.tenantId, ids, erasureId, events.length, ctx.now),
    ...ctx.store.decisioning.eraseStatements(scope.tenantId, ids),
    ...ctx.store.audit.eraseStatements(scope.tenantId, ids),
    ...(stamp
      ? [
          ctx.store.audit.insert(
            auditEntry(newId("aud"), stamp, "profile.erase", {
              subjectType: "erasure",
              subjectId: erasureId,
              detail: { eventsErased: events.length },
            }),
          ),
        ]
      : []),
  ];
  if (household && profile.householdId) {
    const members = (await repo.membersOf(scope.tenantId, [household.id])).filter((m) => !ids.includes(m.id) && m.doc);
    statements.push(
      members.length
        ? repo.upsertHousehold({
            id: household.id,
            tenantId: scope.tenantId,
            ref: household.ref,
            doc: householdDoc(new Map(members.map((m) => [m.id, m.doc as Profile]))),
            updatedAt: ctx.now,
          })
        : repo.deleteHousehold(scope.tenantId, household.id),
    );
  }
  await ctx.store.database.batch(statements);
  return { erasureId, eventsErased: events.length, erasedAt: new Date(ctx.now).toISOString() };
}
