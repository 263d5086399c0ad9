// `npm run ope -- pitwall` over a real decision log: decisions made through the API on Node + libSQL, their
// candidate sets and propensities logged with them, clicks recorded as outcomes, then the CLI on the database file.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, json, makeTenant, WELCOME_ACTION } from "../shared/fixtures";
import { startNodeHarness } from "./harness";

const run = promisify(execFile);
let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

describe("offline evaluation on Pitwall's own log", () => {
  it("logs each placement's candidates with the decision, and replays the logged policy with weights of about 1", async () => {
    const a = await makeTenant(h);
    // Three always-eligible actions; the widget shows one at a time.
    for (const [id, value] of [
      ["tip-a", 10],
      ["tip-b", 9],
      ["tip-c", 8],
    ] as const) {
      const res = await h.fetch(
        `/v1/actions/${id}`,
        json(
          "PUT",
          { ...WELCOME_ACTION, id, value, channels: { dealer_site: WELCOME_ACTION.channels.dealer_site } },
          auth(a.keys.admin),
        ),
      );
      expect(res.status, await res.clone().text()).toBe(200);
    }
    let shownA = 0;
    const since = new Date(Date.now() - 1).toISOString(); // the fixture's own decisions came before
    for (let i = 0; i < 60; i++) {
      const res = await h.fetch(
        "/v1/decide",
        json(
          "POST",
          { subject: { visitorId: `v-ope-${i}` }, channel: "dealer_site", placement: "hero", limit: 1 },
          auth(a.keys.full),
        ),
      );
      const d = (await res.json()) as { decisionId: string; actions: { id: string }[] };
      expect(d.actions).toHaveLength(1);
      // Visitors click tip-a, never the others.
      if (d.actions[0]!.id === "tip-a") {
        shownA++;
        const o = await h.fetch(
          `/v1/decisions/${d.decisionId}/outcomes`,
          json("POST", { actionId: "tip-a", type: "click" }, auth(a.keys.full)),
        );
        expect(o.status).toBe(200);
      }
    }
    await h.settle?.();
    const log = await h.store.decisioning.evaluationLog(a.tenant.id, Date.parse(since));
    expect(log).toHaveLength(60);
    const first = log[0]!.candidates[0]!;
    expect(first.items.map((c) => c[0])).toEqual(expect.arrayContaining(["tip-a", "tip-b", "tip-c"]));
    expect(first.shown).toHaveLength(1);

    const cli = (...extra: string[]) =>
      run("npx", [
        "tsx",
        "scripts/ope.ts",
        "pitwall",
        "--db",
        `file:${h.file}`,
        "--tenant",
        a.tenant.slug,
        "--json",
        "--draws",
        "400",
        "--resamples",
        "300",
        "--since",
        since,
        ...extra,
      ]);
    type Estimate = { value: number; ci: [number, number] };
    const same = JSON.parse((await cli()).stdout) as {
      onPolicy: Estimate;
      ips: Estimate;
      rounds: number;
      meanWeight: number;
    };
    expect(same.rounds).toBe(60);
    expect(same.onPolicy.value).toBeCloseTo(shownA / 60, 10);
    expect(same.meanWeight).toBeGreaterThan(0.85);
    expect(same.meanWeight).toBeLessThan(1.15);
    expect(same.ips.ci[0]).toBeLessThanOrEqual(same.onPolicy.value);
    expect(same.ips.ci[1]).toBeGreaterThanOrEqual(same.onPolicy.value);
    // Pure exploration spreads the slot evenly over every candidate: tip-a, the only one clicked and the one the
    // logged policy favoured (highest value), gets a smaller share, and the estimate drops below the logged rate.
    const uniform = JSON.parse((await cli("--epsilon", "1")).stdout) as { ips: Estimate };
    expect(uniform.ips.value).toBeLessThan(same.onPolicy.value);
    // A bad flag is one line and exit 2.
    const bad = await run("npx", [
      "tsx",
      "scripts/ope.ts",
      "pitwall",
      "--db",
      `file:${h.file}`,
      "--tenant",
      a.tenant.slug,
      "--since",
      "yesterday",
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr.trim().split("\n")).toHaveLength(1);
  }, 120_000);
});
