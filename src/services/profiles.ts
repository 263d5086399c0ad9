/**
 * Profile verbs beyond ingestion: unmerge, access (export) and erasure. Each takes the caller's scope, reads,
 * and writes one atomic batch of conditional writes; a concurrent writer makes it start again from a fresh
 * read (never a half-done unmerge or a partly erased person), and 503 when that keeps happening.
 */
import { unfoldContacts, type ContactLog } from "../domain/decide/contacts";
import { householdDoc } from "../domain/profile/household";
import { eventKey, project } from "../domain/profile/project";
import type { Profile } from "../domain/profile/types";
import { auditEntry, type AuditStamp } from "../domain/audit";
import { Problem } from "../http/problems";
import { newId } from "../lib/crypto";
import type { Scope } from "../store";
import type { EventRow } from "../store/customers";
import type { Batchable } from "../store/db";
import { projectionContext, toDomainEvent, type IngestContext } from "./ingest";
import { withRetries } from "./retry";
import { outboxMessage, outboxStatements } from "./outbox";

/** The live profile in the caller's scope, or 404 (never revealing whether it exists elsewhere). */
export async function profileInScope(ctx: IngestContext, scope: Scope, profileId: string) {
  const found = await ctx.store.customers.byId(scope, profileId);
  if (!found?.profile.doc) throw new Problem("not-found", "No such profile.");
  return found;
}

/** The household reference of a person's latest event that names one. */
function lastRef(events: readonly EventRow[]): string | null {
  const withRef = events.filter((e) => e.payload?.householdRef).sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1));
  return withRef.at(-1)?.payload?.householdRef ?? null;
}

/**
 * Undoes a recorded merge: the absorbed person gets back its identifiers, the events it brought, its own
 * contact history (taken out of the survivor's), and both profiles and their households are projected again.
 */
export async function unmerge(
  ctx: IngestContext,
  scope: Scope,
  profileId: string,
  mergeId: string,
  stamp?: AuditStamp,
) {
  await profileInScope(ctx, scope, profileId);
  const { store, tenant, now } = ctx;
  const repo = store.customers;
  return withRetries(
    "unmerge",
    store.database,
    ctx.random ?? Math.random,
    async () => {
      const m = await repo.merge(scope.tenantId, mergeId);
      if (!m || m.undoneAt !== null || m.survivorId !== profileId)
        throw new Problem("not-found", "No such merge into this profile that is still in effect.");
      const [people, history] = await Promise.all([
        repo.peopleByIds(tenant.id, [m.survivorId, m.absorbedId], now),
        repo.eventsOf(tenant.id, [m.survivorId]),
      ]);
      const survivor = people.find((p) => p.id === m.survivorId);
      const absorbed = people.find((p) => p.id === m.absorbedId);
      if (!survivor || !absorbed || survivor.mergedInto) throw new Problem("not-found", "No such merge in effect.");
      // In scope on this read: the writes below are conditional on the versions read here, so a dealer change
      // after the scope check at the start cannot slip through (it conflicts, and the retry checks again).
      if (scope.dealerId && survivor.dealerId !== scope.dealerId) throw new Problem("not-found", "No such profile.");
      const back = history.filter((e) => e.originPersonId === m.absorbedId);
      const stay = history.filter((e) => e.originPersonId !== m.absorbedId);
      const decodes = await ctx.vins.decodeMany([
        ...new Set(
          history.flatMap((e) =>
            (e.payload?.data as { vin?: string })?.vin ? [(e.payload!.data as { vin: string }).vin] : [],
          ),
        ),
      ]);
      const pctx = projectionContext(tenant, decodes);
      const docs = new Map<string, Profile>([
        [survivor.id, project(stay.map(toDomainEvent), pctx)],
        [absorbed.id, project(back.map(toDomainEvent), pctx)],
      ]);
      const refs = [lastRef(stay), lastRef(back)].filter((r): r is string => !!r);
      const households = await repo.householdsWithMembers(
        tenant.id,
        refs,
        [survivor.householdId].filter((h): h is string => !!h),
      );
      const hhOf = new Map<string, string | null>([
        [survivor.id, households.find((h) => h.ref === lastRef(stay))?.id ?? survivor.householdId],
        [absorbed.id, households.find((h) => h.ref === lastRef(back))?.id ?? null],
      ]);
      const householdRows = households
        .filter((h) => h.id === survivor.householdId || [...hhOf.values()].includes(h.id))
        .map((h) => {
          const members = new Map<string, Profile>([...h.members].filter(([id]) => !docs.has(id)));
          for (const [id, hid] of hhOf) if (hid === h.id) members.set(id, docs.get(id)!);
          return { id: h.id, ref: h.ref, version: h.version, doc: householdDoc(members) };
        });
      const statements: Batchable[] = [
        repo.reassignIdentities(tenant.id, m.moved, m.absorbedId, m.survivorId),
        repo.moveEventsByOrigin(tenant.id, m.absorbedId, m.absorbedId),
        ...repo.updateProfiles(
          tenant.id,
          [survivor, absorbed].map((p) => ({
            id: p.id,
            version: p.version,
            doc: docs.get(p.id)!,
            dealerId: docs.get(p.id)!.dealerId,
            householdId: hhOf.get(p.id) ?? null,
          })),
          now,
        ),
        ...repo.saveHouseholds(tenant.id, householdRows, now),
        ...repo.markMergeUndone(tenant.id, m.id, now),
        // One audit entry per person, so that erasing either one takes its own entry with it.
        ...(stamp
          ? [m.survivorId, m.absorbedId].map((personId) =>
              store.audit.insert(
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
      const contacts = unfoldContacts(
        (survivor.contacts as ContactLog | null) ?? null,
        (absorbed.contacts as ContactLog | null) ?? null,
      );
      if (contacts !== survivor.contacts)
        statements.push(...repo.setContacts(tenant.id, survivor.id, survivor.contactsVersion, contacts));
      await store.database.batch(statements);
      return { survivorId: m.survivorId, restoredId: m.absorbedId, mergeId: m.id };
    },
    tenant.id,
  );
}

/** Everything held on a person, as JSON (GDPR Art. 15). */
export async function exportProfile(ctx: IngestContext, scope: Scope, profileId: string) {
  const { profile, household } = await profileInScope(ctx, scope, profileId);
  const repo = ctx.store.customers;
  const absorbed = await repo.absorbedInto(scope.tenantId, profileId);
  const ids = [profileId, ...absorbed.map((a) => a.id)];
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
 * Removes the person (and anyone merged into them) from every table — identities, profiles, merges, decisions,
 * outcomes, Idempotency-Key responses, the audit log — leaving event tombstones, an erasure record and (with a
 * stamp) one audit entry saying that an erasure happened, without the person's identifiers. On libSQL the log is
 * then checkpointed, so that with secure_delete the erased bytes are in neither the file nor its WAL.
 */
export async function erase(ctx: IngestContext, scope: Scope, profileId: string, stamp?: AuditStamp) {
  const { store, now } = ctx;
  const repo = store.customers;
  const out = await withRetries(
    "erase",
    store.database,
    ctx.random ?? Math.random,
    async () => {
      const { profile, household } = await profileInScope(ctx, scope, profileId);
      const absorbed = await repo.absorbedInto(scope.tenantId, profileId);
      const people = [{ id: profileId, version: profile.version }, ...absorbed];
      const ids = people.map((p) => p.id);
      const events = await repo.eventsOf(scope.tenantId, ids);
      const erasureId = newId("era");
      // issue 10: who to erase downstream (the CRM knows its customer ids), read before the identifiers go.
      const customerIds = (await repo.identitiesOf(scope.tenantId, ids))
        .filter((i) => i.kind === "customer")
        .map((i) => i.value);
      const statements: Batchable[] = [
        ...repo.eraseStatements(scope.tenantId, people, erasureId, events.length, now),
        ...store.decisioning.eraseStatements(scope.tenantId, ids),
        ...store.audit.eraseStatements(scope.tenantId, ids),
        // issue 10: their bookings, reminder runs, outbox payloads and delivery log go; the erasure itself goes out
        // (only to endpoints that subscribe to it; scrubbed from the outbox once delivered).
        ...store.channels.eraseStatements(scope.tenantId, ids),
        ...store.outbox.eraseStatements(scope.tenantId, ids),
        ...outboxStatements(
          store,
          outboxMessage(scope.tenantId, "profile.erased", null, { erasureId, customerIds }, now),
        ),
        ...(stamp
          ? [
              store.audit.insert(
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
        const [h] = await repo.householdsWithMembers(scope.tenantId, [], [household.id]);
        if (h) {
          const members = new Map([...h.members].filter(([id]) => !ids.includes(id)));
          statements.push(
            ...(members.size
              ? repo.saveHouseholds(
                  scope.tenantId,
                  [{ id: h.id, ref: h.ref, version: h.version, doc: householdDoc(members) }],
                  now,
                )
              : repo.deleteHousehold(scope.tenantId, h.id, h.version)),
          );
        }
      }
      await store.database.batch(statements);
      return { erasureId, eventsErased: events.length, erasedAt: new Date(now).toISOString() };
    },
    scope.tenantId,
  );
  await store.database.afterErasure();
  return out;
}
