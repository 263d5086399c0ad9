/** Degraded mode inside workerd: D1 fails under the decision, decide still answers 200. */
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { auth, json, makeTenant } from "../shared/fixtures";
import { workersHarness } from "./harness";

it("a D1 failure on the decision path answers 200 with degraded: true and nothing in-car", async () => {
  const h = workersHarness();
  const a = await makeTenant(h);
  const body = { subject: { customerId: a.customerId }, channel: "dealer_site", placement: "hero" };
  expect(
    ((await (await h.fetch("/v1/decide", json("POST", body, auth(a.keys.full)))).json()) as { degraded: boolean })
      .degraded,
  ).toBe(false);
  await env.DB.exec("ALTER TABLE identities RENAME TO identities_gone");
  const site = await h.fetch("/v1/decide", json("POST", body, auth(a.keys.full)));
  expect(site.status).toBe(200);
  const d = (await site.json()) as { degraded: boolean; actions: { id: string }[] };
  expect(d.degraded).toBe(true);
  expect(d.actions.map((x) => x.id).sort()).toEqual([a.ownActionId, "welcome-content"].sort());
  const car = await h.fetch(
    "/v1/decide",
    json("POST", { ...body, channel: "in_vehicle", context: { driveState: "parked" } }, auth(a.keys.full)),
  );
  expect(await car.json()).toMatchObject({ degraded: true, actions: [] });
});
