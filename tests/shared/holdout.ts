/**
 * The brand's holdout group over HTTP: randomized by household, no marketing for it (safety and service still go
 * out), and the uplift report counting conversions per arm. Both runtimes.
 */
import { describe, expect, it } from "vitest";
import { armOf } from "../../src/domain/learning/holdout";
import { auth, expectProblem, json, makeTenant, WELCOME_ACTION } from "./fixtures";
import type { Harness } from "./harness";

const DAY = 86_400_000;
let seq = 0;
const eid = (t: string) => `${t}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

export function holdoutSuite(getHarness: () => Harness) {
  describe("holdout group and uplift", () => {
    it("holds marketing back from the holdout group, household by household, and reports conversions per arm", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const put = await h.fetch("/v1/settings", json("PUT", { holdout: { share: 0.5 } }, auth(a.keys.admin)));
      expect(put.status, await put.clone().text()).toBe(200);
      for (const action of [
        { ...WELCOME_ACTION, id: "promo", kind: "offer", category: "sales" },
        { ...WELCOME_ACTION, id: "recall-check", kind: "safety_recall", category: "safety" },
      ]) {
        const res = await h.fetch(`/v1/actions/${action.id}`, json("PUT", action, auth(a.keys.admin)));
        expect(res.status, await res.clone().text()).toBe(200);
      }
      // 12 households of two (one member buys in some) and 12 people alone; everyone consents to web marketing.
      const people: { customerId: string; household: string | null; buys: boolean }[] = [];
      const run = `${Date.now().toString(36)}${seq++}`;
      for (let i = 0; i < 12; i++) {
        people.push({ customerId: `C-HH${i}-A-${run}`, household: `HH-${i}-${run}`, buys: i % 3 === 0 });
        people.push({ customerId: `C-HH${i}-B-${run}`, household: `HH-${i}-${run}`, buys: false });
        people.push({ customerId: `C-SOLO${i}-${run}`, household: null, buys: i % 2 === 0 });
      }
      const at = new Date(Date.now() - 2 * DAY).toISOString();
      const evs = people.flatMap((p) => [
        {
          id: eid("pv"),
          type: "page_view",
          occurredAt: at,
          identifiers: { customerId: p.customerId },
          ...(p.household ? { householdRef: p.household } : {}),
          data: { url: "https://brand.example/" },
        },
        ...(p.buys
          ? [
              {
                id: eid("buy"),
                type: "purchase",
                occurredAt: at,
                identifiers: { customerId: p.customerId },
                data: { vin: "1N4AZ0CP6GC304290", condition: "used" },
              },
            ]
          : []),
      ]);
      const ingest = await h.fetch("/v1/events", json("POST", { events: evs }, auth(a.keys.full)));
      const results = ((await ingest.json()) as { results: { status: string; personId?: string }[] }).results;
      expect(results.every((r) => r.status === "accepted")).toBe(true);

      // Each person's unit (household id from the store, else the person) and its arm.
      const arms = new Map<string, "treatment" | "holdout">();
      for (const p of people) {
        const res = await h.fetch(`/v1/profiles/lookup?customerId=${encodeURIComponent(p.customerId)}`, {
          headers: auth(a.keys.full),
        });
        const view = (await res.json()) as { id: string; household: { id: string } | null };
        arms.set(p.customerId, armOf(a.tenant.id, view.household?.id ?? view.id, 0.5));
      }
      // Both arms are populated at 50% (otherwise the test says nothing).
      expect(new Set(arms.values())).toEqual(new Set(["treatment", "holdout"]));
      for (let i = 0; i < 12; i++) expect(arms.get(`C-HH${i}-A-${run}`)).toBe(arms.get(`C-HH${i}-B-${run}`)); // one household, one arm

      for (const p of people) {
        const res = await h.fetch(
          "/v1/decide",
          json(
            "POST",
            { subject: { customerId: p.customerId }, channel: "service_lane", placement: "console", limit: 5 },
            auth(a.keys.full),
          ),
        );
        expect(res.status, await res.clone().text()).toBe(200);
        const d = (await res.json()) as { actions: { id: string }[]; suppressed?: { id: string; guardrail: string }[] };
        const shown = d.actions.map((x) => x.id);
        expect(shown).toContain("recall-check"); // safety reaches both arms
        if (arms.get(p.customerId) === "holdout") {
          expect(shown).not.toContain("promo");
          expect(d.suppressed?.find((s) => s.id === "promo")?.guardrail).toBe("holdout");
        } else expect(shown).toContain("promo");
      }

      // Conversions per unit, as the test computes them from what it sent.
      const units = new Map<string, { arm: string; converted: boolean }>();
      for (const p of people) {
        const u = p.household ?? p.customerId;
        const prev = units.get(u);
        units.set(u, { arm: arms.get(p.customerId)!, converted: (prev?.converted ?? false) || p.buys });
      }
      const expected = (arm: string) => {
        const list = [...units.values()].filter((u) => u.arm === arm);
        return { units: list.length, converted: list.filter((u) => u.converted).length };
      };
      const from = new Date(Date.now() - 10 * DAY).toISOString();
      const to = new Date(Date.now() + DAY).toISOString();
      const rep = await h.fetch(`/v1/reports/uplift?from=${from}&to=${to}`, { headers: auth(a.keys.full) });
      expect(rep.status, await rep.clone().text()).toBe(200);
      const r = (await rep.json()) as {
        share: number;
        treatment: { units: number; converted: number; ci: number[] };
        holdout: { units: number; converted: number };
        uplift: { absolute: number; ci: number[] };
      };
      // The fixture tenant's own person (no household, a purchase just now) is one more unit, converted.
      const own = armOf(a.tenant.id, (await ownPerson(h, a.customerId, a.keys.full)) ?? "", 0.5);
      const t = expected("treatment");
      const ho = expected("holdout");
      expect(r.share).toBe(0.5);
      const mine = (arm: string) => (own === arm ? 1 : 0);
      expect(r.treatment).toMatchObject({
        units: t.units + mine("treatment"),
        converted: t.converted + mine("treatment"),
      });
      expect(r.holdout).toMatchObject({ units: ho.units + mine("holdout"), converted: ho.converted + mine("holdout") });
      expect(r.uplift.ci[0]).toBeLessThanOrEqual(r.uplift.absolute);
      expect(r.uplift.ci[1]).toBeGreaterThanOrEqual(r.uplift.absolute);
      // Outside the period nothing converted.
      const before = await h.fetch(
        `/v1/reports/uplift?from=${new Date(Date.now() - 40 * DAY).toISOString()}&to=${new Date(Date.now() - 20 * DAY).toISOString()}`,
        { headers: auth(a.keys.full) },
      );
      expect(((await before.json()) as { treatment: { converted: number } }).treatment.converted).toBe(0);
      await expectProblem(
        await h.fetch(`/v1/reports/uplift?from=${to}&to=${from}`, { headers: auth(a.keys.full) }),
        400,
        "validation-failed",
      );
      await expectProblem(
        await h.fetch(`/v1/reports/uplift?from=${from}&to=${to}&conversions=bought`, { headers: auth(a.keys.full) }),
        400,
        "validation-failed",
      );
    });
  });
}

async function ownPerson(h: Harness, customerId: string, key: string): Promise<string | null> {
  const res = await h.fetch(`/v1/profiles/lookup?customerId=${encodeURIComponent(customerId)}`, { headers: auth(key) });
  if (res.status !== 200) return null;
  const v = (await res.json()) as { id: string; household: { id: string } | null };
  return v.household?.id ?? v.id;
}
