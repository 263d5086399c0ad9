/**
 * The authorization matrix (issue 8, item 6): every operation of the route table × every caller × the objects of
 * every owner (tests/shared/world.ts), each cell checked three ways:
 *
 * 1. the status (and problem type) is the one tests/shared/security-expectations.ts states;
 * 2. the answer holds nothing of an owner the caller may not see (their people's ids and identifiers, VINs,
 *    decisions, merges, event ids; their dealer, action and key ids and names) beyond what the request itself
 *    named, and never a key secret, a tenant secret or a hash salt;
 * 3. no stored row of an owner the caller may not change is different afterwards (snapshot of both brands' rows,
 *    through the store, before and after); after a refusal no row at all is, after a read only its audit entry.
 *
 * An operation without an expectation grid, or without a request to send, fails the suite by name.
 */
import { describe, expect, it } from "vitest";
import type { Operation } from "../../src/http/operation";
import { PROBLEM_BASE } from "../../src/http/problems";
import { operations } from "../../src/routes";
import type { KeyKind } from "../../src/domain/keys";
import { auth } from "./fixtures";
import type { Harness } from "./harness";
import { buildRequest, REQUESTS, type RequestSpec } from "./security";
import { EXPECTATIONS } from "./security-expectations";
import {
  buildWorld,
  diffRows,
  FOREIGN_ORIGIN,
  fixtureView,
  HOME,
  identifierSecrets,
  KEY_DESCRIPTIONS,
  KEY_NAMES,
  KIND_OF,
  orgSecrets,
  OWNERS,
  personSecrets,
  rowsOf,
  SEES,
  snapshot,
  WRITES,
  type KeyName,
  type Owner,
  type Snapshot,
  type Target,
  type World,
} from "./world";

let n = 0;
const uid = () => `mx-${Date.now().toString(36)}-${(n++).toString(36)}`;

type Spec = ReturnType<RequestSpec>;
/**
 * Requests that address the target where the security suite's REQUESTS do not (they name fresh or fixed objects):
 * the event, link and decision name the owner's customer (or visitor token, or VIN), the key and action are bound
 * to the owner's dealer, the audit query names the owner's customer.
 */
export const TARGETED: Record<string, (t: Target, kind: KeyKind) => Spec> = {
  ingestEvents: (t, kind) => ({
    body: {
      events: [
        {
          id: uid(),
          type: "page_view",
          occurredAt: new Date().toISOString(),
          identifiers:
            kind === "vehicle"
              ? { vin: t.vin }
              : kind === "publishable"
                ? { visitorToken: t.visitorToken }
                : { customerId: t.customerId },
          data: { url: "https://example.com/matrix" },
        },
      ],
    },
  }),
  linkIdentities: (t) => ({
    body: { identifiers: { customerId: t.customerId, visitorId: `v-${uid()}` }, reason: "authorization matrix" },
  }),
  decide: (t, kind) => ({
    body:
      kind === "vehicle"
        ? {
            subject: { vin: t.vin },
            channel: "in_vehicle",
            placement: "dashboard",
            context: { driveState: "parked", secondsSinceIgnition: 900 },
          }
        : {
            subject: kind === "publishable" ? { visitorToken: t.visitorToken } : { customerId: t.customerId },
            channel: "dealer_site",
            placement: "hero",
          },
  }),
  createKey: (t) => ({
    body: { kind: "server", name: "matrix", scopes: ["decide"], ...(t.dealer ? { dealerId: t.dealer.id } : {}) },
  }),
  upsertAction: (t) => ({
    params: { actionId: t.actionId },
    body: {
      kind: "content",
      category: "info",
      value: 1,
      channels: { dealer_site: { title: "Hi", body: "Hello.", cta: "Go" } },
      ...(t.dealer ? { dealerId: t.dealer.id } : {}),
    },
  }),
  listAudit: (t) => ({ query: { subject: t.profileId } }),
  decodeVin: (t) => ({ params: { vin: t.vin } }),
  // issue 10: the owner's dealer's slots and booking (the customer's), the owner's links, the brand's webhook.
  putServiceSlots: (t) => ({
    params: { dealerId: t.dealer?.id ?? "" },
    body: { slots: [{ start: new Date(Date.now() + 21 * 86_400_000).toISOString(), capacity: 3 }] },
  }),
  listServiceSlots: (t) => ({
    params: { dealerId: t.dealer?.id ?? "" },
    query: { from: new Date().toISOString(), to: new Date(Date.now() + 30 * 86_400_000).toISOString() },
  }),
  bookSlot: (t) => ({
    params: { dealerId: t.dealer?.id ?? "" },
    body: { slotId: t.slotIds[1], profileId: t.profileId },
  }),
  listBookings: (t) => ({ params: { dealerId: t.dealer?.id ?? "" } }),
  cancelBooking: (t) => ({ params: { dealerId: t.dealer?.id ?? "", bookingId: t.bookingId }, body: {} }),
  rescheduleBooking: (t) => ({
    params: { dealerId: t.dealer?.id ?? "", bookingId: t.bookingId },
    body: { slotId: t.slotIds[1] },
  }),
  getBookingLink: (t) => ({ params: { token: t.bookingToken } }),
  useBookingLink: (t) => ({ params: { token: t.openToken } }),
  cancelBookingLink: (t) => ({ params: { token: t.bookingToken } }),
  getUnsubscribeLink: (t) => ({ params: { token: t.unsubscribeToken } }),
  useUnsubscribeLink: (t) => ({ params: { token: t.unsubscribeToken } }),
  runServiceReminders: () => ({ body: { limit: 10 } }),
  // subscribed to an event no cell sends: nothing is delivered in the background
  createWebhook: () => ({ body: { url: "https://crm.example.com/matrix", events: ["service_reminder.due"] } }),
  listWebhooks: () => ({}),
  deleteWebhook: (t) => ({ params: { webhookId: t.webhookId } }),
  listWebhookDeliveries: (t) => ({ params: { webhookId: t.webhookId } }),
  replayWebhookDelivery: (t) => ({ params: { webhookId: t.webhookId, deliveryId: t.deliveryId } }),
  listLeads: () => ({}),
};

/** How the matrix addresses an operation: TARGETED, else REQUESTS, else (a public path without parameters) as is. */
function requestFor(op: Operation): ((w: World, t: Target, kind: KeyKind) => Spec) | null {
  const id = op.schema.operationId as string;
  const targeted = TARGETED[id];
  if (targeted) return (_w, t, kind) => targeted(t, kind);
  const spec = REQUESTS[id];
  if (spec) return (w, t, kind) => spec(fixtureView(w, t, kind), kind, t.vin);
  return !op.auth && !op.path.includes(":") ? () => ({}) : null;
}

/**
 * Operations whose success changes the target so that the next cell would address something else: the owner's
 * target is rebuilt (`all`), or only its slots, booking and booking links (`slots`: cheaper).
 */
const CONSUMES = new Map<string, "all" | "slots">([
  ["eraseProfile", "all"],
  ["unmergeProfiles", "all"],
  ["deleteAction", "all"],
  ["upsertAction", "all"],
  ["ingestEvents", "all"],
  ["linkIdentities", "all"],
  ["deleteWebhook", "all"],
  ["replayWebhookDelivery", "all"],
  ["rescheduleBooking", "slots"],
  ["useBookingLink", "slots"],
  ["cancelBookingLink", "slots"],
]);

interface Expected {
  status: number;
  type?: string;
  result?: "accepted" | "rejected";
}
type Column = Owner | "any";

const ALIASES: Record<string, string> = {
  scope: "insufficient-scope",
  kind: "key-kind-not-allowed",
  origin: "origin-not-allowed",
  subject: "subject-not-allowed",
  revoked: "revoked-api-key",
  expired: "expired-api-key",
};
const DEFAULT_TYPE: Record<number, string> = { 400: "validation-failed", 404: "not-found" };

function parseToken(id: string, token: string): Expected | null {
  if (token === "-") return null;
  if (token === "accepted" || token === "rejected") return { status: 200, result: token };
  const m = /^(\d{3})(?::([a-z-]+))?$/.exec(token);
  if (!m) throw new Error(`${id}: cannot read the expectation "${token}"`);
  const status = Number(m[1]);
  const type = m[2] ? (ALIASES[m[2]] ?? m[2]) : DEFAULT_TYPE[status];
  return { status, ...(type ? { type } : {}) };
}

/** Reads an operation's grid: its columns, and the expectation of every (caller, column). */
export function parseGrid(id: string, authenticated: boolean, text: string) {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const columns = lines[0]!.split(/\s+/) as Column[];
  for (const c of columns)
    if (c !== "any" && !OWNERS.includes(c as Owner)) throw new Error(`${id}: unknown column "${c}"`);
  const rows = new Map<string, (Expected | null)[]>();
  for (const line of lines.slice(1)) {
    const [name, ...tokens] = line.split(/\s+/);
    if (name !== "*" && !KEY_NAMES.includes(name as KeyName)) throw new Error(`${id}: unknown caller "${name}"`);
    if (tokens.length !== 1 && tokens.length !== columns.length)
      throw new Error(`${id}: row ${name} has ${tokens.length} cells for ${columns.length} columns`);
    const cells = tokens.map((t) => parseToken(id, t));
    rows.set(name!, tokens.length === 1 ? columns.map(() => cells[0]!) : cells);
  }
  if (authenticated) {
    if (!rows.has("revoked"))
      rows.set(
        "revoked",
        columns.map(() => parseToken(id, "401:revoked")),
      );
    if (!rows.has("expired"))
      rows.set(
        "expired",
        columns.map(() => parseToken(id, "401:expired")),
      );
  }
  const missing = KEY_NAMES.filter((k) => !rows.has(k) && !rows.has("*"));
  if (missing.length) throw new Error(`${id}: no expectation for ${missing.join(", ")}`);
  return {
    columns,
    cell: (key: KeyName, column: Column) => (rows.get(key) ?? rows.get("*")!)[columns.indexOf(column)]!,
  };
}

/** The number of cells the grids hold (the matrix runs each once per runtime). */
export function cellCount(): number {
  let total = 0;
  for (const op of operations) {
    const id = op.schema.operationId as string;
    const text = EXPECTATIONS[id];
    if (!text) continue;
    const g = parseGrid(id, Boolean(op.auth), text);
    const columns = g.columns.filter((c) => KEY_NAMES.every((k) => g.cell(k, c) !== null));
    total += columns.length * KEY_NAMES.length;
  }
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const same = (a: Snapshot, b: Snapshot) => JSON.stringify([...a]) === JSON.stringify([...b]);

/** A snapshot once work deferred past the last answer (decision logs, learner counts) is written. */
async function settled(w: World): Promise<Snapshot> {
  await w.h.settle?.();
  let s = await snapshot(w);
  for (let i = 0; i < 100; i++) {
    await sleep(15);
    const t = await snapshot(w);
    if (same(s, t)) return t;
    s = t;
  }
  throw new Error("the store did not settle within 1.5 s");
}

/** Who may see and change what (world.ts); the positive controls below pass a stricter one. */
interface Policy {
  sees: typeof SEES;
  writes: typeof WRITES;
}
const POLICY: Policy = { sees: SEES, writes: WRITES };

/**
 * A public operation (a link a person clicks: booking, unsubscribe) has no caller: the sealed token is the
 * authority, whoever sends it. Its answer may show the token's owner's org data and the person's internal id
 * (`self`), and change the owner's rows; nothing of any other owner, whatever key the request also carries.
 */
function tokenPolicy(owner: Owner): Policy {
  const sees = {} as Record<KeyName, Partial<Record<Owner, "self">>>;
  const writes = {} as Record<KeyName, readonly Owner[]>;
  for (const k of KEY_NAMES) {
    sees[k] = { [owner]: "self" };
    writes[k] = [owner];
  }
  return { sees, writes };
}

/** What the caller may not see of each owner, given what it may and whether it was refused. */
function forbidden(w: World, key: KeyName, refused: boolean, policy: Policy): { owner: Owner; secret: string }[] {
  const out: { owner: Owner; secret: string }[] = [];
  for (const owner of OWNERS) {
    const sight = refused ? undefined : policy.sees[key][owner];
    const hidden = [
      ...(sight ? [] : orgSecrets(w, owner)),
      ...(sight === "all" || sight === "self" ? [] : personSecrets(w, owner)),
      ...(sight === "all" ? [] : identifierSecrets(w, owner)),
    ];
    for (const secret of hidden) out.push({ owner, secret });
  }
  return out;
}

async function runCell(
  w: World,
  op: Operation,
  key: KeyName,
  owner: Owner,
  expected: Expected,
  before: Snapshot,
  policy: Policy = POLICY,
): Promise<{ failures: string[]; after: Snapshot; succeeded: boolean }> {
  const id = op.schema.operationId as string;
  const target = w.targets[owner];
  const kind = KIND_OF[key];
  const make = requestFor(op);
  if (!make) throw new Error(`${id}: no request (tests/shared/security.ts REQUESTS or security-matrix.ts TARGETED)`);
  const spec = make(w, target, kind);
  const headers: Record<string, string> =
    key === "pk" ? { origin: w.owners.own.pk.origin } : key === "pkForeign" ? { origin: FOREIGN_ORIGIN } : {};
  const [path, init] = buildRequest(op, spec, auth(w.keys[key].key, headers));
  const res = await w.h.fetch(path, init);
  const text = await res.text();
  const failures: string[] = [];
  const fail = (what: string) => failures.push(what);

  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* checked below when it matters */
  }
  const result = body?.results?.[0]?.status as string | undefined;
  const problem = res.status >= 400 && typeof body?.type === "string" ? ` ${body.type.replace(PROBLEM_BASE, "")}` : "";
  const got = `${res.status}${problem}${result ? ` (${result})` : ""}`;
  const want = `${expected.status}${expected.type ? ` ${expected.type}` : ""}${expected.result ? ` (${expected.result})` : ""}`;
  if (
    res.status !== expected.status ||
    (expected.type && body?.type !== PROBLEM_BASE + expected.type) ||
    (expected.result && result !== expected.result)
  )
    fail(`expected ${want}, got ${got}: ${text.slice(0, 300)}`);

  const refused = res.status >= 400 || result === "rejected";
  const asked = path + String(init.body ?? "");
  for (const { owner: o, secret } of forbidden(w, key, refused, policy))
    if (text.includes(secret) && !asked.includes(secret)) fail(`the answer shows ${o}'s ${secret}`);
  for (const secret of w.credentials)
    if (text.includes(secret)) fail(`the answer shows a secret (${secret.slice(0, 6)}…)`);

  let after: Snapshot;
  if (refused) {
    after = await snapshot(w);
    if (!same(before, after)) {
      const changes = [...after.keys()].flatMap((t) =>
        diffRows(before.get(t) ?? [], after.get(t) ?? []).map((d) => `${t}: ${d}`),
      );
      fail(`a refusal changed rows:\n      ${changes.slice(0, 6).join("\n      ")}`);
    }
  } else {
    if (body?.decisionId && res.status < 300) {
      const tenantId = key === "tenantB" ? w.tenants.b.id : w.tenants.a.id;
      const t0 = Date.now();
      while (!(await w.h.store.decisioning.decision(tenantId, body.decisionId)) && Date.now() - t0 < 5000) {
        await w.h.settle?.();
        await sleep(5);
      }
    }
    after = await settled(w);
    const mayChange = policy.writes[key].filter((o) => o === owner || o === HOME[key]);
    for (const o of OWNERS) {
      if (mayChange.includes(o)) continue;
      const d = diffRows(rowsOf(w, before, o), rowsOf(w, after, o));
      if (d.length) fail(`changed ${o}'s rows:\n      ${d.slice(0, 6).join("\n      ")}`);
    }
    // A read writes nothing but its audit entry.
    if (op.method === "get") {
      const changes = [...after.keys()]
        .flatMap((t) => diffRows(before.get(t) ?? [], after.get(t) ?? []).map((d) => `${t}: ${d}`))
        .filter((d) => !d.startsWith("audit_log: + "));
      if (changes.length) fail(`a read changed rows:\n      ${changes.slice(0, 6).join("\n      ")}`);
    }
  }
  return { failures, after, succeeded: !refused };
}

export function securityMatrixSuite(getHarness: () => Harness) {
  describe("authorization matrix: every operation × caller × owner", () => {
    it("has an expectation grid and a request for every operation of the route table", () => {
      const problems: string[] = [];
      for (const op of operations) {
        const id = op.schema.operationId as string;
        const text = EXPECTATIONS[id];
        if (!text) problems.push(`${id}: no expectation grid in tests/shared/security-expectations.ts`);
        else
          try {
            parseGrid(id, Boolean(op.auth), text);
          } catch (e) {
            problems.push((e as Error).message);
          }
        if (!requestFor(op))
          problems.push(`${id}: no request (tests/shared/security.ts REQUESTS or security-matrix.ts TARGETED)`);
      }
      const extra = Object.keys(EXPECTATIONS).filter((id) => !operations.some((o) => o.schema.operationId === id));
      for (const id of extra) problems.push(`${id}: a grid for an operation the route table does not have`);
      expect(problems).toEqual([]);
      console.log(`authorization matrix: ${cellCount()} cells over ${operations.length} operations`);
    });

    it("positive controls: each check fails when what it guards is broken", { timeout: 60_000 }, async () => {
      const w = await buildWorld(getHarness(), "profiles:read");
      const op = (id: string) => operations.find((o) => o.schema.operationId === id)!;
      const ok = { status: 200 };
      // A brand key reading South's customer, checked as if it might not see South: the answer shows South's data.
      const blind = { sees: { ...SEES, brand: { own: "all" as const } }, writes: WRITES };
      let before = await settled(w);
      let cell = await runCell(w, op("getProfile"), "brand", "otherDealer", ok, before, blind);
      expect(cell.failures.join("\n")).toContain(`shows otherDealer's ${w.targets.otherDealer.dealer!.id}`);
      // The same key changing South's consent, checked as if it might not write South's rows.
      const frozen = { sees: SEES, writes: { ...WRITES, brand: [] } };
      w.keys.brand = w.keys.noScope; // putConsent needs events:write, which this world's brand key lacks
      before = cell.after;
      cell = await runCell(w, op("putConsent"), "brand", "otherDealer", ok, before, frozen);
      expect(cell.failures.join("\n")).toContain("changed otherDealer's rows");
      // A refusal after which some row changed (written here, behind the answer's back).
      before = cell.after;
      await w.h.store.keys.revoke({ tenantId: w.tenants.a.id }, w.targets.brand.spareKeyId, Date.now());
      cell = await runCell(w, op("getProfile"), "dealer", "otherDealer", { status: 404, type: "not-found" }, before);
      expect(cell.failures.join("\n")).toContain("a refusal changed rows");
      // A status the grid does not expect.
      cell = await runCell(w, op("getProfile"), "dealer", "otherDealer", ok, cell.after);
      expect(cell.failures.join("\n")).toContain("expected 200, got 404 not-found");
    });

    for (const op of operations) {
      const id = op.schema.operationId as string;
      it(`${op.method.toUpperCase()} ${op.path} (${id})`, { timeout: 240_000 }, async () => {
        const text = EXPECTATIONS[id];
        if (!text) throw new Error(`${id} has no expectation grid: add one to tests/shared/security-expectations.ts`);
        const grid = parseGrid(id, Boolean(op.auth), text);
        // A column some caller marks "-" names an object the owner does not have: skipped for every caller.
        const columns = grid.columns.filter((c) => KEY_NAMES.every((k) => grid.cell(k, c) !== null));
        const w = await buildWorld(getHarness(), op.auth?.scope);
        let before = await settled(w);
        const failures: string[] = [];
        for (const key of KEY_NAMES) {
          for (const column of columns) {
            const expected = grid.cell(key, column)!;
            const owner = column === "any" ? HOME[key] : column;
            const policy = op.auth ? POLICY : tokenPolicy(owner);
            const cell = await runCell(w, op, key, owner, expected, before, policy);
            for (const f of cell.failures) failures.push(`${key} (${KEY_DESCRIPTIONS[key]}) on ${column}: ${f}`);
            before = cell.after;
            const consumes = CONSUMES.get(id);
            if (cell.succeeded && consumes && column !== "any") {
              if (consumes === "all") await w.rebuild(owner);
              else await w.renewSlots(owner);
              before = await settled(w);
            }
          }
        }
        expect(failures).toEqual([]);
      });
    }
  });
}
