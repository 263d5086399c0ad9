/** Identity resolution and ownership (src/domain/profile/resolve.ts), pure: no store, no clock. */
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../src/domain/profile/events";
import {
  identKey,
  OUT_OF_SCOPE,
  resolveBatch,
  subjectRefusal,
  type Caller,
  type Ident,
  type KnownPerson,
  type PreparedEvent,
  type ResolveInput,
} from "../../src/domain/profile/resolve";

const NOW = 1_800_000_000_000;
const BRAND: Caller = { kind: "server", dealerId: null, vin: null };
const NORTH: Caller = { kind: "server", dealerId: "dlr_north", vin: null };
const VIN = "1N4AZ0CP6GC304290";

let n = 0;
function ev(type: string, ids: Record<string, string>, data: Record<string, unknown> = {}): PreparedEvent {
  const i = n++;
  const idents: Ident[] = Object.entries(ids).map(([field, value]) => ({
    kind: (
      {
        visitorId: "visitor",
        visitorToken: "visitor",
        customerId: "customer",
        email: "email",
        phone: "phone",
        deviceId: "device",
        vin: "vin",
      } as const
    )[field as "visitorId"],
    value,
  }));
  const vins = [
    ...new Set([
      ...idents.filter((x) => x.kind === "vin").map((x) => x.value),
      ...(data.vin ? [String(data.vin)] : []),
    ]),
  ];
  return {
    index: i,
    event: {
      id: `e-${i}`,
      type,
      occurredAt: NOW - 1000 + i,
      receivedAt: NOW,
      dealerId: null,
      data,
    } as unknown as DomainEvent,
    clientId: `e-${i}`,
    fields: Object.keys(ids),
    ids: idents,
    vins,
  };
}

function person(id: string, over: Partial<KnownPerson> = {}): KnownPerson {
  return { id, dealerId: null, createdAt: NOW - 86_400_000, known: false, personIds: 1, ...over };
}

function resolve(events: PreparedEvent[], stored: [Ident, KnownPerson][] = [], over: Partial<ResolveInput> = {}) {
  let p = 0;
  let m = 0;
  const owners = new Map(stored.map(([i, who]) => [identKey(i), who.id]));
  const people = new Map(stored.map(([, who]) => [who.id, who]));
  return resolveBatch({
    events: events.map((e, i) => ({ ...e, index: i })),
    owners,
    people,
    caller: BRAND,
    now: NOW,
    newPersonId: () => `prs_new${p++}`,
    newMergeId: () => `mrg_${m++}`,
    ...over,
  });
}

const resolved = (plan: ReturnType<typeof resolve>, i = 0) => {
  const r = plan.resolutions[i]!;
  if (r.status !== "resolved") throw new Error(`event ${i} refused: ${r.reason}`);
  return r;
};

describe("identity resolution", () => {
  it("gives a new identifier a new person, and two first events of one visitor the same person", () => {
    const plan = resolve([ev("page_view", { visitorId: "v1" }), ev("page_view", { visitorId: "v1" })]);
    expect(resolved(plan, 0).origin).toBe("prs_new0");
    expect(resolved(plan, 1).origin).toBe("prs_new0");
    expect([...plan.claims.values()]).toEqual([{ ident: { kind: "visitor", value: "v1" }, personId: "prs_new0" }]);
    expect(plan.created.has("prs_new0")).toBe(true);
  });

  it("merges a visitor into the known customer a quote request names, recording the visitor's identifiers", () => {
    const visitor = person("prs_v");
    const ann = person("prs_ann", { known: true, personIds: 2 });
    const plan = resolve(
      [ev("quote_request", { visitorId: "v1", email: "h(ann)" })],
      [
        [{ kind: "visitor", value: "v1" }, visitor],
        [{ kind: "email", value: "h(ann)" }, ann],
      ],
    );
    expect(plan.merges).toEqual([
      expect.objectContaining({ survivor: "prs_ann", absorbed: "prs_v", reason: "event quote_request" }),
    ]);
    expect(plan.live("prs_v")).toBe("prs_ann");
    expect(resolved(plan).mergeIds).toEqual(["mrg_0"]);
    expect([...plan.touched].sort()).toEqual(["prs_ann", "prs_v"]);
    expect(plan.eventsOf.get("prs_ann")?.length).toBe(1);
  });

  it("keeps a merged-away visitor's identifiers claimed in the same batch with the merge record", () => {
    const ann = person("prs_ann", { known: true });
    const plan = resolve(
      [ev("page_view", { visitorId: "v9" }), ev("quote_request", { visitorId: "v9", customerId: "C-ANN" })],
      [[{ kind: "customer", value: "C-ANN" }, ann]],
    );
    expect(plan.merges[0]).toMatchObject({ survivor: "prs_ann", absorbed: "prs_new0" });
    expect(plan.merges[0]!.batchIds).toEqual([{ kind: "visitor", value: "v9" }]);
    expect(plan.claims.get(identKey({ kind: "visitor", value: "v9" }))?.personId).toBe("prs_ann");
  });

  it("never merges two known customers implicitly; an explicit link does", () => {
    const stored: [Ident, KnownPerson][] = [
      [{ kind: "customer", value: "C-1" }, person("prs_1", { known: true })],
      [{ kind: "customer", value: "C-2" }, person("prs_2", { known: true })],
    ];
    const view = resolve(
      [ev("page_view", { customerId: "C-1", email: "x" }), ev("page_view", { customerId: "C-2", email: "x" })],
      stored,
    );
    expect(view.merges).toEqual([]);
    expect(resolved(view, 1).notes.join()).toMatch(/not linked/);
    const explicit = resolve(
      [ev("identities_linked", { customerId: "C-2", email: "e" })],
      [...stored, [{ kind: "email", value: "e" }, person("prs_1", { known: true })]],
    );
    expect(explicit.merges).toHaveLength(1);
  });

  it("lets the record of a car (telemetry before its keeper was known, even with a device id) join its keeper", () => {
    const car = person("prs_car", { personIds: 0 });
    const plan = resolve([ev("purchase", { customerId: "C-NEW" }, { vin: VIN })], [[{ kind: "vin", value: VIN }, car]]);
    expect(plan.merges).toEqual([
      expect.objectContaining({ absorbed: "prs_car", reason: "vehicle-only record joined its keeper" }),
    ]);
  });

  it("moves a VIN to its new keeper on a purchase, touching the old keeper", () => {
    const old = person("prs_old", { known: true });
    const plan = resolve([ev("purchase", { customerId: "C-NEW" }, { vin: VIN })], [[{ kind: "vin", value: VIN }, old]]);
    expect(plan.moves).toEqual([{ ident: { kind: "vin", value: VIN }, from: "prs_old", to: "prs_new0" }]);
    expect(plan.touched.has("prs_old")).toBe(true);
    expect(resolved(plan).notes.join()).toMatch(/changed keeper/);
    const telemetry = resolve(
      [ev("telemetry_snapshot", { vin: VIN }, { vin: VIN })],
      [[{ kind: "vin", value: VIN }, old]],
    );
    expect(telemetry.moves).toEqual([]);
    expect(resolved(telemetry).origin).toBe("prs_old");
  });
});

describe("ownership", () => {
  const south = person("prs_south", { dealerId: "dlr_south", known: true });
  const brandLevel = person("prs_brand", { dealerId: null, known: true });
  const northP = person("prs_north", { dealerId: "dlr_north", known: true });

  for (const [what, e, stored] of [
    [
      "names another dealer's customer by customer id",
      ev("page_view", { customerId: "C-S" }),
      [[{ kind: "customer", value: "C-S" }, south]],
    ],
    [
      "names another dealer's customer by email",
      ev("quote_request", { visitorId: "v-n", email: "h" }),
      [[{ kind: "email", value: "h" }, south]],
    ],
    [
      "names a brand-level person",
      ev("page_view", { customerId: "C-B" }),
      [[{ kind: "customer", value: "C-B" }, brandLevel]],
    ],
    [
      "sends telemetry for another dealer's car",
      ev("telemetry_snapshot", { vin: VIN }, { vin: VIN }),
      [[{ kind: "vin", value: VIN }, south]],
    ],
    [
      "buys another dealer's customer's car",
      ev("purchase", { customerId: "C-N" }, { vin: VIN }),
      [[{ kind: "vin", value: VIN }, south]],
    ],
  ] as [string, PreparedEvent, [Ident, KnownPerson][]][]) {
    it(`refuses a dealer-bound key's event that ${what}, with no link, merge or move and no names`, () => {
      const plan = resolve([e], [...stored, [{ kind: "customer", value: "C-N" }, northP]], { caller: NORTH });
      expect(plan.resolutions[0]).toEqual({
        index: 0,
        status: "refused",
        reason: OUT_OF_SCOPE,
        pointer: "/identifiers",
      });
      expect(OUT_OF_SCOPE).not.toMatch(/prs_|dlr_/);
      expect(plan.claims.size + plan.moves.length + plan.merges.length + plan.touched.size).toBe(0);
    });
  }

  it("lets a dealer-bound key write about its own people and create new ones", () => {
    const plan = resolve(
      [ev("page_view", { customerId: "C-N" }), ev("page_view", { customerId: "C-FRESH" })],
      [[{ kind: "customer", value: "C-N" }, northP]],
      { caller: NORTH },
    );
    expect(resolved(plan, 0).origin).toBe("prs_north");
    expect(resolved(plan, 1).origin).toBe("prs_new0");
  });

  it("records a dealer's service on another dealer's car by VIN alone: to the keeper, moving and naming no one", () => {
    const plan = resolve([ev("service_visit", { vin: VIN }, { vin: VIN })], [[{ kind: "vin", value: VIN }, south]], {
      caller: NORTH,
    });
    expect(resolved(plan)).toMatchObject({ origin: "prs_south", serviceOnly: true });
    expect(plan.claims.size + plan.moves.length + plan.merges.length).toBe(0);
    const withCustomer = resolve(
      [ev("service_visit", { vin: VIN, customerId: "C-N" }, { vin: VIN })],
      [
        [{ kind: "vin", value: VIN }, south],
        [{ kind: "customer", value: "C-N" }, northP],
      ],
      { caller: NORTH },
    );
    expect(withCustomer.resolutions[0]!.status).toBe("refused");
  });

  it("lets a dealer-bound key's customer claim the record of a car that belongs to nobody yet", () => {
    const car = person("prs_car", { personIds: 0, dealerId: null });
    const plan = resolve(
      [ev("purchase", { customerId: "C-N" }, { vin: VIN })],
      [
        [{ kind: "vin", value: VIN }, car],
        [{ kind: "customer", value: "C-N" }, northP],
      ],
      { caller: NORTH },
    );
    expect(plan.merges).toEqual([expect.objectContaining({ survivor: "prs_north", absorbed: "prs_car" })]);
  });

  it("holds a publishable key to its token's visitor and no VIN, and a vehicle key to its VIN", () => {
    const pk: Caller = { kind: "publishable", dealerId: null, vin: null };
    const vk: Caller = { kind: "vehicle", dealerId: null, vin: VIN };
    expect(subjectRefusal(pk, ["visitorToken"], undefined)).toBeNull();
    expect(subjectRefusal(pk, ["visitorId"], undefined)).toMatch(/visitorToken/);
    expect(subjectRefusal(pk, ["visitorToken", "email"], undefined)).toMatch(/visitorToken/);
    expect(subjectRefusal(pk, ["visitorToken"], VIN)).toMatch(/VIN/);
    expect(subjectRefusal(vk, ["vin"], VIN, VIN)).toBeNull();
    expect(subjectRefusal(vk, ["vin"], "5N1AT2MVXLC807279", VIN)).toMatch(/own VIN/);
    expect(subjectRefusal(vk, ["vin", "customerId"], undefined, VIN)).toMatch(/own VIN/);
    const plan = resolve([{ ...ev("purchase", { visitorToken: "v-1" }, { vin: VIN }) }], [], { caller: pk });
    expect(plan.resolutions[0]!.status).toBe("refused");
    expect(plan.claims.size).toBe(0);
  });

  it("resolves every event of a consent change to its subject", () => {
    const plan = resolve([ev("consent_changed", {})], [], {
      subject: "prs_north",
      people: new Map([["prs_north", northP]]),
    });
    expect(resolved(plan).origin).toBe("prs_north");
  });
});
