/**
 * Ownership on every write (issue 8, item 1), on both runtimes: a dealer-bound key acts only on its dealer's
 * people, a publishable key only for visitors Pitwall issued to it, a vehicle key only about its VIN, and an
 * outcome only from a key that could have seen the decision. Every refusal reveals nothing of the other owner
 * and changes none of their rows.
 */
import { describe, expect, it } from "vitest";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

let seq = 0;
const eid = (t: string) => `${t}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
const ago = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

type Result = {
  status: string;
  personId?: string;
  merges?: string[];
  notes?: string[];
  reasons?: { pointer: string; reason: string }[];
};

async function send(h: Harness, key: string, events: unknown[], headers: Record<string, string> = {}) {
  const res = await h.fetch("/v1/events", json("POST", { events }, auth(key, headers)));
  const text = await res.text();
  return { status: res.status, text, body: (res.status === 200 ? JSON.parse(text) : null) as { results: Result[] } };
}

/** A customer of the fixture's second dealer (South Motors), with a car, an email and a visitor id. */
async function southCustomer(h: Harness, a: TenantFixture) {
  const id = eid("s");
  const who = { customerId: `C-SOUTH-${id}`, email: `south-${id}@example.com`, visitorId: `v-south-${id}` };
  const vin = "3N8AP6CB1SL419565";
  const r = await send(h, a.keys.full, [
    {
      id: eid("south"),
      type: "purchase",
      occurredAt: ago(30),
      identifiers: who,
      dealerId: a.dealer2.id,
      data: { vin, condition: "new", dealerId: a.dealer2.id },
    },
  ]);
  expect(r.status, r.text).toBe(200);
  return { ...who, vin, personId: r.body.results[0]!.personId! };
}

async function profile(h: Harness, a: TenantFixture, id: string) {
  const res = await h.fetch(`/v1/profiles/${id}`, { headers: auth(a.keys.full) });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; dealerId: string | null; profile: Record<string, any> };
}

/** The response reveals nothing about the other owner's person. */
function revealsNothing(text: string, ...secrets: string[]) {
  for (const s of secrets) expect(text, `response reveals ${s}`).not.toContain(s);
}

export function ownershipSuite(getHarness: () => Harness) {
  describe("ownership: dealer-bound keys", () => {
    for (const [name, make] of [
      [
        "a purchase naming the other dealer's customer",
        (s: Awaited<ReturnType<typeof southCustomer>>) => ({
          type: "purchase",
          identifiers: { customerId: s.customerId },
          data: { vin: "5N1AT2MT9LC784186", condition: "used" },
        }),
      ],
      [
        "a preference change naming its own dealer as preferred",
        (s: Awaited<ReturnType<typeof southCustomer>>) => ({
          type: "preference_changed",
          identifiers: { customerId: s.customerId },
          data: { preferredDealerId: "__OWN__" },
        }),
      ],
      [
        "a page view naming the customer id",
        (s: Awaited<ReturnType<typeof southCustomer>>) => ({
          type: "page_view",
          identifiers: { customerId: s.customerId },
          data: { url: "https://north.example/" },
        }),
      ],
      [
        "an event naming the customer's email",
        (s: Awaited<ReturnType<typeof southCustomer>>) => ({
          type: "quote_request",
          identifiers: { visitorId: `v-north-${eid("x")}`, email: s.email },
          data: { model: "Ariya" },
        }),
      ],
      [
        "telemetry naming the customer's VIN",
        (s: Awaited<ReturnType<typeof southCustomer>>) => ({
          type: "telemetry_snapshot",
          identifiers: { vin: s.vin },
          data: { vin: s.vin, odometer: 999 },
        }),
      ],
    ] as const) {
      it(`refuses ${name}: no link, no move, nothing revealed`, async () => {
        const h = getHarness();
        const a = await makeTenant(h);
        const s = await southCustomer(h, a);
        const before = await profile(h, a, s.personId);
        const e = JSON.parse(JSON.stringify(make(s)).replace("__OWN__", a.dealer.id));
        const r = await send(h, a.keys.dealerBound, [{ id: eid("hostile"), occurredAt: ago(1), ...e }]);
        expect(r.status, r.text).toBe(200);
        expect(r.body.results[0]).toMatchObject({ status: "rejected" });
        revealsNothing(r.text, s.personId, a.dealer2.id);
        const after = await profile(h, a, s.personId);
        expect(after.dealerId).toBe(a.dealer2.id);
        expect(JSON.stringify(after.profile)).toBe(JSON.stringify(before.profile));
        await expectProblem(
          await h.fetch(`/v1/profiles/${s.personId}`, { headers: auth(a.keys.dealerBound) }),
          404,
          "not-found",
        );
      });
    }

    it("refuses to link or merge another dealer's customer", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const s = await southCustomer(h, a);
      const res = await h.fetch(
        "/v1/identities/link",
        json(
          "POST",
          { identifiers: { customerId: a.customerId, email: s.email }, reason: "takeover" },
          auth(a.keys.dealerBound),
        ),
      );
      const text = await res.text();
      expect(res.status, text).toBe(404);
      revealsNothing(text, s.personId, a.dealer2.id);
      const found = await h.fetch(`/v1/profiles/lookup?email=${encodeURIComponent(s.email)}`, {
        headers: auth(a.keys.full),
      });
      expect(((await found.json()) as { id: string }).id).toBe(s.personId);
    });

    it("records service it performed on another dealer's car by VIN, without moving or revealing anyone", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const s = await southCustomer(h, a);
      const r = await send(h, a.keys.dealerBound, [
        {
          id: eid("svc"),
          type: "service_visit",
          occurredAt: ago(1),
          identifiers: { vin: s.vin },
          data: { vin: s.vin, odometer: 12000, workLines: [{ description: "Tyre rotation" }] },
        },
      ]);
      expect(r.status, r.text).toBe(200);
      expect(r.body.results[0]!.status).toBe("accepted");
      expect(r.body.results[0]!.personId).toBeUndefined();
      revealsNothing(r.text, s.personId, a.dealer2.id);
      const after = await profile(h, a, s.personId);
      expect(after.dealerId).toBe(a.dealer2.id);
      expect(after.profile.vehicles[0]).toMatchObject({ vin: s.vin, serviceVisits: 1, odometer: 12000 });
      await expectProblem(
        await h.fetch(`/v1/vehicles/${s.vin}`, { headers: auth(a.keys.dealerBound) }),
        404,
        "not-found",
      );
    });

    it("only a brand-wide key changes a person's dealer", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const s = await southCustomer(h, a);
      const r = await send(h, a.keys.full, [
        {
          id: eid("pref"),
          type: "preference_changed",
          occurredAt: ago(1),
          identifiers: { customerId: s.customerId },
          data: { preferredDealerId: a.dealer.id },
        },
      ]);
      expect(r.body.results[0]!.status).toBe("accepted");
      expect((await profile(h, a, s.personId)).dealerId).toBe(a.dealer.id);
      // Now North's customer: North's own key may set North again, but not hand the person to South.
      const back = await send(h, a.keys.dealerBound, [
        {
          id: eid("pref"),
          type: "preference_changed",
          occurredAt: ago(0),
          identifiers: { customerId: s.customerId },
          data: { preferredDealerId: a.dealer2.id },
        },
      ]);
      expect(back.body.results[0]!.status).toBe("rejected");
      expect((await profile(h, a, s.personId)).dealerId).toBe(a.dealer.id);
    });

    it("refuses an outcome on another dealer's decision and changes nothing", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const s = await southCustomer(h, a);
      const southKey = (
        await h.store.keys.create(
          a.scope,
          {
            kind: "server",
            name: "south",
            scopes: ["decide", "events:write", "profiles:read"],
            dealerId: a.dealer2.id,
          },
          Date.now(),
        )
      ).key;
      const d = (await (
        await h.fetch(
          "/v1/decide",
          json(
            "POST",
            { subject: { customerId: s.customerId }, channel: "dealer_site", placement: "hero" },
            auth(southKey),
          ),
        )
      ).json()) as { decisionId: string; actions: { id: string }[] };
      expect(d.actions.length).toBeGreaterThan(0);
      await h.settle?.();
      const stats = JSON.stringify(await h.store.decisioning.stats(a.tenant.id));
      const contacts = async () =>
        JSON.stringify((await h.store.customers.byId(a.scope, s.personId))?.profile.contacts);
      const contactsBefore = await contacts();
      const res = await h.fetch(
        `/v1/decisions/${encodeURIComponent(d.decisionId)}/outcomes`,
        json("POST", { actionId: d.actions[0]!.id, type: "not_interested" }, auth(a.keys.dealerBound)),
      );
      await expectProblem(res, 404, "not-found");
      expect(JSON.stringify(await h.store.decisioning.stats(a.tenant.id))).toBe(stats);
      // South's customer's contact log (what "not interested" would have changed) is as it was.
      expect(await contacts()).toBe(contactsBefore);
      expect(contactsBefore).toContain(d.actions[0]!.id);
      const own = await h.fetch(
        `/v1/decisions/${encodeURIComponent(d.decisionId)}/outcomes`,
        json("POST", { actionId: d.actions[0]!.id, type: "click" }, auth(southKey)),
      );
      expect(own.status, await own.clone().text()).toBe(200);
    });
  });

  describe("ownership: outcomes", () => {
    it("come only from a key that could have seen the decision, and a changed id is no decision", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const other = (
        await h.store.keys.create(
          a.scope,
          { kind: "publishable", name: "other site", allowedOrigins: [a.origin] },
          Date.now(),
        )
      ).key;
      const d = (await (
        await h.fetch(
          "/v1/decide",
          json(
            "POST",
            { subject: { visitorToken: a.visitorToken }, channel: "dealer_site", placement: "hero" },
            auth(a.keys.publishable, { origin: a.origin }),
          ),
        )
      ).json()) as { decisionId: string; actions: { id: string }[] };
      const post = (key: string, id = d.decisionId, headers: Record<string, string> = { origin: a.origin }) =>
        h.fetch(
          `/v1/decisions/${encodeURIComponent(id)}/outcomes`,
          json("POST", { actionId: d.actions[0]!.id, type: "impression" }, auth(key, headers)),
        );
      await expectProblem(await post(other), 404, "not-found");
      const tampered = d.decisionId.slice(0, -3) + (d.decisionId.endsWith("A") ? "BBB" : "AAA");
      await expectProblem(await post(a.keys.publishable, tampered), 404, "not-found");
      const own = await post(a.keys.publishable);
      expect(own.status, await own.clone().text()).toBe(200);
      expect((await post(a.keys.full, d.decisionId, {})).status).toBe(200); // the brand's server keys see everything
    });
  });

  describe("ownership: attributed outcomes", () => {
    // Found by the authorization matrix: attribution took the latest decision that showed the action, whoever
    // made it, and then refused it to a dealer-bound key that could not have seen it (404 for its own customer).
    it("a dealer attributes a late outcome to its own decision, though a brand key decided later", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const decideFor = async (key: string) => {
        const res = await h.fetch(
          "/v1/decide",
          json("POST", { subject: { customerId: a.customerId }, channel: "dealer_site", placement: "hero" }, auth(key)),
        );
        const d = (await res.json()) as { decisionId: string; actions: { id: string }[] };
        return { id: d.decisionId, shown: d.actions.map((x) => x.id) };
      };
      const north = await decideFor(a.keys.dealerBound);
      const actionId = north.shown[0]!;
      const northDecision = north.id;
      let brandDecision = "";
      for (let i = 0; i < 30 && !brandDecision; i++) {
        await new Promise((r) => setTimeout(r, 2));
        const d = await decideFor(a.keys.full);
        if (d.shown.includes(actionId)) brandDecision = d.id;
      }
      expect(brandDecision).not.toBe("");
      await h.settle?.();
      for (const id of [northDecision, brandDecision])
        for (let t0 = Date.now(); !(await h.store.decisioning.decision(a.tenant.id, id)); )
          if (Date.now() - t0 > 5000) throw new Error("decision not logged");
          else await new Promise((r) => setTimeout(r, 5));
      const attribute = (key: string) =>
        h.fetch("/v1/outcomes", json("POST", { profileId: a.profileId, actionId, type: "convert" }, auth(key)));
      const byNorth = await attribute(a.keys.dealerBound);
      expect(byNorth.status, await byNorth.clone().text()).toBe(200);
      expect(((await byNorth.json()) as { decisionId: string }).decisionId).toBe(northDecision);
      const brand = await attribute(a.keys.full);
      expect(((await brand.json()) as { decisionId: string }).decisionId).toBe(brandDecision);
      // South's key sees neither the person nor North's decision.
      const southKey = (
        await h.store.keys.create(
          a.scope,
          { kind: "server", name: "south", scopes: ["events:write"], dealerId: a.dealer2.id },
          Date.now(),
        )
      ).key;
      await expectProblem(await attribute(southKey), 404, "not-found");
    });
  });

  describe("ownership: publishable keys", () => {
    it("refuses a purchase that would move a VIN to a browser visitor, and says nothing of the VIN", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const r = await send(
        h,
        a.keys.publishable,
        [
          {
            id: eid("pk"),
            type: "purchase",
            occurredAt: ago(1),
            identifiers: { visitorId: "v-hijack" },
            data: { vin: a.vin, condition: "used" },
          },
        ],
        { origin: a.origin },
      );
      expect(r.status === 403 || r.body?.results[0]?.status === "rejected", r.text).toBe(true);
      expect(r.text).not.toMatch(/keeper/);
      const veh = (await (await h.fetch(`/v1/vehicles/${a.vin}`, { headers: auth(a.keys.full) })).json()) as {
        profileId: string;
      };
      expect(veh.profileId).toBe(a.profileId);
    });

    it("knowing a visitor id is not enough: only a visitor Pitwall issued to this key", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      // The fixture's visitor was merged into its customer: naming its id from a browser must not reach them.
      const asVisitor = await h.fetch(
        "/v1/decide",
        json(
          "POST",
          { subject: { visitorId: a.visitorId }, channel: "dealer_site", placement: "hero" },
          auth(a.keys.publishable, { origin: a.origin }),
        ),
      );
      await expectProblem(asVisitor, 403, "subject-not-allowed");
      const events = await send(
        h,
        a.keys.publishable,
        [
          {
            id: eid("pv"),
            type: "consent_changed",
            occurredAt: ago(0),
            identifiers: { visitorId: a.visitorId },
            data: { marketing: { email: true } },
          },
        ],
        { origin: a.origin },
      );
      expect(events.status, events.text).toBe(403);
    });
  });

  describe("ownership: found in review", () => {
    it("a household is written only by who owns its members: a dealer key cannot join another dealer's household, a browser key none", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const s = await southCustomer(h, a);
      const ref = `HH-${eid("smith")}`;
      const joined = await send(h, a.keys.full, [
        {
          id: eid("hh"),
          type: "page_view",
          occurredAt: ago(5),
          identifiers: { customerId: s.customerId },
          householdRef: ref,
          data: { url: "https://x.example/" },
        },
      ]);
      expect(joined.body.results[0]!.status).toBe("accepted");
      // North's own new person naming the Smith household: refused, and nothing of South leaks.
      const north = await send(h, a.keys.dealerBound, [
        {
          id: eid("n"),
          type: "page_view",
          occurredAt: ago(1),
          identifiers: { customerId: `C-N-${eid("x")}` },
          householdRef: ref,
          data: { url: "https://north.example/" },
        },
      ]);
      expect(north.body.results[0]).toMatchObject({ status: "rejected" });
      revealsNothing(north.text, s.personId, s.vin);
      // A browser naming it (a complaint would hold back the household's marketing): refused.
      const visitor = (await (
        await h.fetch(
          "/v1/decide",
          json("POST", { channel: "dealer_site", placement: "hero" }, auth(a.keys.publishable, { origin: a.origin })),
        )
      ).json()) as { visitor: { visitorToken: string } };
      const browser = await send(
        h,
        a.keys.publishable,
        [
          {
            id: eid("pk"),
            type: "complaint_opened",
            occurredAt: ago(1),
            identifiers: { visitorToken: visitor.visitor.visitorToken },
            householdRef: ref,
            data: { complaintId: "CMP-X" },
          },
        ],
        { origin: a.origin },
      );
      expect(browser.body.results[0]).toMatchObject({ status: "rejected" });
      const after = await profile(h, a, s.personId);
      expect(
        (after as unknown as { household: { members: string[]; openComplaints: number } }).household,
      ).toMatchObject({ members: [s.personId], openComplaints: 0 });
      // A dealer key may name a household of its own people (positive control).
      const own = await send(h, a.keys.dealerBound, [
        {
          id: eid("n2"),
          type: "page_view",
          occurredAt: ago(1),
          identifiers: { customerId: `C-N-${eid("y")}` },
          householdRef: `HH-${eid("north")}`,
          data: { url: "https://north.example/" },
        },
      ]);
      expect(own.body.results[0]!.status).toBe("accepted");
    });

    it("no key can claim another key's event id: the brand's quote request is stored after a browser sent the same id", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const d = (await (
        await h.fetch(
          "/v1/decide",
          json(
            "POST",
            { channel: "web_configurator", placement: "hero" },
            auth(a.keys.publishable, { origin: a.origin }),
          ),
        )
      ).json()) as { visitor: { visitorToken: string } };
      const id = eid("quote");
      const first = await send(
        h,
        a.keys.publishable,
        [
          {
            id,
            type: "page_view",
            occurredAt: ago(1),
            identifiers: { visitorToken: d.visitor.visitorToken },
            data: { url: "https://brand.example/" },
          },
        ],
        { origin: a.origin },
      );
      expect(first.body.results[0]).toEqual({ index: 0, id, status: "accepted" }); // and no person id for a browser
      const real = await send(h, a.keys.full, [
        {
          id,
          type: "quote_request",
          occurredAt: ago(0),
          identifiers: { customerId: `C-Q-${eid("q")}`, email: `q-${eid("q")}@example.com` },
          data: { model: "Ariya" },
        },
      ]);
      expect(real.body.results[0]!.status).toBe("accepted");
      // Retries stay idempotent within each key's own ids.
      const again = await send(h, a.keys.full, [
        {
          id,
          type: "quote_request",
          occurredAt: ago(0),
          identifiers: { customerId: "C-Q-other" },
          data: { model: "Ariya" },
        },
      ]);
      expect(again.body.results[0]!.status).toBe("duplicate");
    });

    it("one decision id has one spelling: a re-spelled id is no decision, so an outcome counts once", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      let d: { decisionId: string; actions: { id: string }[] } | undefined;
      let other = "";
      for (let i = 0; i < 30 && !other; i++) {
        d = (await (
          await h.fetch(
            "/v1/decide",
            json(
              "POST",
              { subject: { customerId: a.customerId }, channel: "dealer_site", placement: "hero" },
              auth(a.keys.full),
            ),
          )
        ).json()) as typeof d;
        const body = d!.decisionId.slice(4);
        const rem = body.length % 4;
        if (rem === 0 || !d!.actions.length) continue;
        const last = ALPHA.indexOf(body.at(-1)!);
        other = `dec_${body.slice(0, -1)}${ALPHA[last ^ 1]}`; // flips an unused low bit
      }
      expect(other, "a decision id with unused trailing bits").not.toBe("");
      const click = (id: string) =>
        h.fetch(
          `/v1/decisions/${id}/outcomes`,
          json("POST", { actionId: d!.actions[0]!.id, type: "click" }, auth(a.keys.full)),
        );
      expect((await click(d!.decisionId)).status).toBe(200);
      await expectProblem(await click(other), 404, "not-found");
    });

    it("Idempotency-Keys are per API key: another key's record is neither replayed nor revealed", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const s = await southCustomer(h, a);
      const body = [
        {
          id: eid("idem"),
          type: "page_view",
          occurredAt: ago(1),
          identifiers: { customerId: s.customerId },
          data: { url: "https://south.example/" },
        },
      ];
      const key = `idem-${eid("k")}`;
      const brand = await send(h, a.keys.full, body, { "idempotency-key": key });
      expect(brand.body.results[0]!.personId).toBe(s.personId);
      const north = await h.fetch(
        "/v1/events",
        json("POST", { events: body }, auth(a.keys.dealerBound, { "idempotency-key": key })),
      );
      expect(north.headers.get("idempotent-replayed")).toBeNull();
      const text = await north.text();
      revealsNothing(text, s.personId);
      expect((JSON.parse(text) as { results: Result[] }).results[0]!.status).toBe("rejected");
    });

    it("a rotated-away secret serves traffic during the overlap but administers nothing", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const created = (await (
        await h.fetch("/v1/keys", json("POST", { kind: "server", name: "ops", scopes: ["admin"] }, auth(a.keys.admin)))
      ).json()) as { id: string; key: string };
      const rotated = await h.fetch(
        `/v1/keys/${created.id}/rotate`,
        json("POST", { overlapSeconds: 3600 }, auth(created.key)),
      );
      expect(rotated.status, await rotated.clone().text()).toBe(200);
      const old = created.key;
      expect((await h.fetch("/v1/dealers", { headers: auth(old) })).status).toBe(200);
      await expectProblem(
        await h.fetch(`/v1/keys/${created.id}/rotate`, json("POST", { overlapSeconds: 0 }, auth(old))),
        401,
        "expired-api-key",
      );
      await expectProblem(
        await h.fetch("/v1/keys", json("POST", { kind: "server", name: "x", scopes: ["admin"] }, auth(old))),
        401,
        "expired-api-key",
      );
    });
  });
}
