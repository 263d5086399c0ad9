import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { decideAudience } from "../../../src/domain/decide/audience";
import { DECISION_CHANNELS } from "../../../src/domain/decide/vocabulary";
import { act, catalogOf, heldBy, ids, input, profile } from "./fixtures";

const key = (kind: "server" | "publishable" | "vehicle", ...scopes: string[]) => ({ kind, scopes: new Set(scopes) });

describe("audience: guardrails follow who asks, not what they claim", () => {
  it("a vehicle key may only ask for in_vehicle", () => {
    for (const channel of DECISION_CHANNELS) {
      const r = decideAudience(key("vehicle", "decide"), { channel, dryRun: false });
      if (channel === "in_vehicle") expect(r).toMatchObject({ ok: true, audience: { inCar: true } });
      else expect(r).toMatchObject({ ok: false, refusal: { type: "channel-not-allowed" } });
    }
    expect(decideAudience(key("server", "decide"), { channel: "dealer_site", dryRun: false })).toMatchObject({
      ok: true,
      audience: { inCar: false },
    });
  });

  it("dryRun only for server keys with catalog:write (admin grants it)", () => {
    const dry = (k: ReturnType<typeof key>) => decideAudience(k, { channel: "dealer_site", dryRun: true }).ok;
    expect(dry(key("server", "decide", "catalog:write"))).toBe(true);
    expect(dry(key("server", "admin"))).toBe(true);
    expect(dry(key("server", "decide", "profiles:read"))).toBe(false);
    expect(dry(key("publishable"))).toBe(false);
    expect(decideAudience(key("vehicle"), { channel: "in_vehicle", dryRun: true })).toMatchObject({
      ok: false,
      refusal: { type: "dry-run-not-allowed", requiredScope: "catalog:write" },
    });
  });

  it("sensitive reasons only to server keys with profiles:read; suppressions with decide and profiles:read", () => {
    const aud = (k: ReturnType<typeof key>) => {
      const r = decideAudience(k, { channel: "service_lane", dryRun: false });
      if (!r.ok) throw new Error("refused");
      return r.audience;
    };
    expect(aud(key("server", "decide"))).toMatchObject({ showSensitive: false, showSuppressed: false });
    expect(aud(key("server", "decide", "profiles:read"))).toMatchObject({ showSensitive: true, showSuppressed: true });
    expect(aud(key("server", "admin"))).toMatchObject({ showSensitive: true, showSuppressed: true });
    expect(aud(key("publishable"))).toMatchObject({ showSensitive: false, showSuppressed: false });
  });

  it("the engine: a vehicle key's decision passes in-car safety whatever channel it names", () => {
    const cat = catalogOf(act({ id: "welcome" }));
    const moving = { driveState: "moving" as const, speedKph: 110 };
    const asked = (keyKind: "vehicle" | "server") =>
      decide(
        input({
          catalog: cat,
          keyKind,
          channel: "dealer_site",
          placement: "hero",
          context: moving,
          profile: profile(),
        }),
      );
    expect(ids(asked("server"))).toEqual(["welcome"]); // positive control: a website is not a car
    const car = asked("vehicle");
    expect(ids(car)).toEqual([]);
    expect(car.notes.join(" ")).toMatch(/deferred until parked/);
    const shown = decide(
      input({ catalog: cat, keyKind: "vehicle", channel: "dealer_site", context: moving, showSuppressed: false }),
    );
    expect(ids(shown)).toEqual([]);
    const staff = decide(input({ catalog: cat, keyKind: "server", channel: "in_vehicle", context: moving }));
    expect(heldBy(staff, "welcome")).toBe("in_car_safety");
  });
});
