/**
 * Channels on both runtimes (issue 10): service capacity and bookings, service reminders carrying slots and
 * booking links, reminder runs, creatives per language, the lead feed, and what erasure leaves of them.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DEMO_CATALOG } from "../../src/domain/decide/demo-catalog";
import { dumpContains, trials } from "./concurrency";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

const DAY = 86_400_000;
const HOUR = 3_600_000;
let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const ago = (d: number) => new Date(Date.now() - d * DAY).toISOString();
const ahead = (d: number) => new Date(Date.now() + d * DAY).toISOString().slice(0, 10);
const ICE_VINS = ["5N1AT2MT9LC784186", "3N8AP6CB1SL419565", "5N1AT2MVXLC807279", "JN8BT3AB4SW412749"];

const ZONES = [
  "Pacific/Honolulu",
  "America/Anchorage",
  "America/Los_Angeles",
  "America/Chicago",
  "America/New_York",
  "America/Sao_Paulo",
  "Atlantic/Azores",
  "UTC",
  "Europe/Berlin",
  "Europe/Moscow",
  "Asia/Dubai",
  "Asia/Dhaka",
  "Asia/Bangkok",
  "Asia/Tokyo",
  "Pacific/Noumea",
  "Pacific/Kiritimati",
];
/** A time zone where it is now between 10:00 and 16:00 (email is sent in daytime; quiet hours hold it otherwise). */
export function daytimeZone(): string {
  for (const tz of ZONES) {
    const h = Number(
      new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", hourCycle: "h23" }).format(new Date()),
    );
    if (h >= 10 && h < 16) return tz;
  }
  throw new Error("no daytime zone");
}

type Slot = { slotId: string; dealerId: string; label: string; bookUrl: string; start: string };
type Decision = {
  decisionId: string;
  actions: { id: string; kind: string; creative: Record<string, unknown> & { slots?: Slot[] } }[];
  suppressed?: { id: string; guardrail: string; reason: string }[];
};

async function ok(res: Response, status = 200) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return text ? JSON.parse(text) : null;
}

export async function putSlots(h: Harness, key: string, dealerId: string, slots: unknown[]) {
  return h.fetch(`/v1/dealers/${dealerId}/slots`, json("PUT", { slots }, auth(key)));
}

/** Open slots tomorrow at 08:00, 09:00, … UTC (+ `offsetDays`), one place each unless given. */
export function slotsAhead(n: number, capacity = 1, offsetDays = 1) {
  const base = Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY + 8 * HOUR;
  return Array.from({ length: n }, (_, i) => ({
    start: new Date(base + i * HOUR).toISOString(),
    durationMinutes: 60,
    resource: "bay",
    capacity,
  }));
}

export async function withReminders(h: Harness, a: TenantFixture) {
  for (const action of DEMO_CATALOG.filter((x) => x.id === "service-due-reminder" || x.id === "oil-change"))
    await ok(await h.fetch(`/v1/actions/${action.id}`, json("PUT", action, auth(a.keys.admin))));
}

/** A customer with an ICE car of the tenant's make whose oil change is due, in a daytime zone; their profile id. */
export async function dueOwner(h: Harness, a: TenantFixture, opts: { dealerId?: string | null; zone?: string } = {}) {
  const customerId = `C-DUE-${uid()}`;
  const vin = ICE_VINS[seq % ICE_VINS.length]!;
  const dealerId = opts.dealerId === undefined ? a.dealer.id : opts.dealerId;
  const res = await ok(
    await h.fetch(
      "/v1/events",
      json(
        "POST",
        {
          events: [
            {
              id: `due-${uid()}`,
              type: "purchase",
              occurredAt: ago(700),
              identifiers: { customerId },
              data: { vin, condition: "used", ...(dealerId ? { dealerId } : {}) },
            },
            {
              id: `due-${uid()}`,
              type: "service_due",
              occurredAt: ago(1),
              identifiers: { customerId },
              data: { vin, kind: "oil_change", dueDate: ahead(6) },
            },
            {
              id: `due-${uid()}`,
              type: "preference_changed",
              occurredAt: ago(1),
              identifiers: { customerId },
              data: { timeZone: opts.zone ?? daytimeZone() },
            },
          ],
        },
        auth(a.keys.admin),
      ),
    ),
  );
  expect(res.rejected, JSON.stringify(res)).toBe(0);
  return { customerId, profileId: res.results[0].personId as string, vin };
}

async function decideEmail(h: Harness, key: string, customerId: string, extra: Record<string, unknown> = {}) {
  return (await ok(
    await h.fetch(
      "/v1/decide",
      json("POST", { subject: { customerId }, channel: "email", placement: "email", limit: 3, ...extra }, auth(key)),
    ),
  )) as Decision;
}

const reminderOf = (d: Decision) => d.actions.find((a) => a.kind === "service_reminder");
const pathOf = (url: string) => new URL(url).pathname;

export function channelsSuite(getHarness: () => Harness) {
  describe("service capacity and bookings", () => {
    it("publishes and lists capacity; a dealer-bound key only for its own dealer; never below what is booked", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const put = await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(3, 2)));
      expect(put.slots).toHaveLength(3);
      expect(put.slots[0]).toMatchObject({ capacity: 2, booked: 0, open: 2, resource: "bay", dealerId: a.dealer.id });
      // Again with another capacity: the same slots, replaced (no duplicates).
      await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(3, 1)));
      const list = await ok(await h.fetch(`/v1/dealers/${a.dealer.id}/slots`, { headers: auth(a.keys.decideOnly) }));
      expect(list.slots.map((s: { capacity: number }) => s.capacity)).toEqual([1, 1, 1]);
      // A dealer-bound key: its own dealer yes, another dealer is "not found".
      await ok(await putSlots(h, a.keys.dealerBound, a.dealer.id, slotsAhead(1, 3, 2)));
      await expectProblem(await putSlots(h, a.keys.dealerBound, a.dealer2.id, slotsAhead(1)), 404, "not-found");
      // Bad input changes nothing.
      await expectProblem(
        await putSlots(h, a.keys.admin, a.dealer.id, [{ start: "tomorrow", capacity: 1 }]),
        400,
        "validation-failed",
      );
      // Book the first slot, then try to close it: 409, and the capacity stays.
      const owner = await dueOwner(h, a);
      const first = list.slots[0];
      await ok(
        await h.fetch(
          `/v1/dealers/${a.dealer.id}/bookings`,
          json("POST", { slotId: first.id, profileId: owner.profileId }, auth(a.keys.full)),
        ),
        201,
      );
      const closed = await putSlots(h, a.keys.admin, a.dealer.id, [{ ...slotsAhead(1)[0], capacity: 0 }]);
      const problem = await expectProblem(closed, 409, "capacity-below-bookings");
      expect(JSON.stringify(problem.errors)).toContain("/slots/0/capacity");
      const after = await h.store.channels.slot(a.tenant.id, first.id);
      expect(after).toMatchObject({ capacity: 1, booked: 1 });
    });

    it("50 concurrent bookings of a one-place slot give exactly one booking (store latency injected)", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const [slot] = (await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(1, 1)))).slots;
      const people = await ok(
        await h.fetch(
          "/v1/events",
          json(
            "POST",
            {
              events: Array.from({ length: 50 }, (_, i) => ({
                id: `many-${uid()}-${i}`,
                type: "quote_request",
                occurredAt: ago(1),
                identifiers: { customerId: `C-MANY-${i}-${uid()}` },
                data: { model: "Rogue" },
              })),
            },
            auth(a.keys.admin),
          ),
        ),
      );
      const ids = (people.results as { personId: string }[]).map((r) => r.personId);
      expect(new Set(ids).size).toBe(50);
      h.faults?.set({ latencyMs: 3 });
      try {
        const t0 = Date.now();
        const answers = await Promise.all(
          ids.map((profileId) =>
            h.fetch(
              `/v1/dealers/${a.dealer.id}/bookings`,
              json("POST", { slotId: slot.id, profileId }, auth(a.keys.full)),
            ),
          ),
        );
        const statuses = answers.map((r) => r.status);
        const created = statuses.filter((s) => s === 201).length;
        const refused = statuses.filter((s) => s === 409).length;
        const bookings = await h.store.channels.bookingsOfSlot(a.tenant.id, slot.id);
        const row = await h.store.channels.slot(a.tenant.id, slot.id);
        console.log(
          `[bookings] ${h.runtime}: 50 concurrent on one place → ${created} booked, ${refused} refused (409), ${
            statuses.length - created - refused
          } other; ${bookings.length} booking row(s), slot booked=${row?.booked}; ${Date.now() - t0} ms`,
        );
        expect(created).toBe(1);
        expect(refused).toBe(49);
        expect(bookings).toHaveLength(1);
        expect(row).toMatchObject({ booked: 1, capacity: 1 });
        for (const r of answers.filter((x) => x.status === 409)) await expectProblem(r, 409, "slot-unavailable");
      } finally {
        h.faults?.reset();
      }
    });

    it("a slot with three places takes three of 20 concurrent bookings, never a fourth", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const bad = await trials("bookings: 20 concurrent on 3 places", 3, async () => {
        const [slot] = (await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(1, 3, 3 + seq++)))).slots;
        const people = [];
        for (let i = 0; i < 20; i++) people.push(await dueOwner(h, a));
        h.faults?.set({ latencyMs: 3 });
        try {
          const statuses = (
            await Promise.all(
              people.map((p) =>
                h.fetch(
                  `/v1/dealers/${a.dealer.id}/bookings`,
                  json("POST", { slotId: slot.id, profileId: p.profileId }, auth(a.keys.full)),
                ),
              ),
            )
          ).map((r) => r.status);
          const rows = await h.store.channels.bookingsOfSlot(a.tenant.id, slot.id);
          return statuses.filter((s) => s === 201).length === 3 && rows.length === 3 ? true : `${statuses.join(",")}`;
        } finally {
          h.faults?.reset();
        }
      });
      expect(bad).toEqual([]);
    }, 120_000);
  });

  describe("service reminders carry open slots", () => {
    it("an email reminder carries 2–3 slots in the owner's time zone; a click books once, attributes accept, and reminders wait", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withReminders(h, a);
      await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(5, 1)));
      const owner = await dueOwner(h, a);
      const d = await decideEmail(h, a.keys.full, owner.customerId);
      const reminder = reminderOf(d);
      expect(reminder, JSON.stringify(d)).toBeDefined();
      const slots = reminder!.creative.slots!;
      expect(slots.length).toBeGreaterThanOrEqual(2);
      expect(slots.length).toBeLessThanOrEqual(3);
      expect(slots.every((s) => s.dealerId === a.dealer.id && s.bookUrl.includes("/v1/bookings/bk1."))).toBe(true);
      expect(String(reminder!.creative.body)).toContain(slots[0]!.label);
      // The link reveals nothing of the person.
      expect(slots[0]!.bookUrl).not.toContain(owner.profileId);

      // GET shows the slot (a mail scanner's prefetch books nothing); HTML for a browser.
      const link = pathOf(slots[0]!.bookUrl);
      const page = await h.fetch(link, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.headers.get("content-security-policy")).toContain("form-action 'self'");
      expect(await page.text()).toContain("Book it");
      expect((await ok(await h.fetch(link))).status).toBe("open");
      expect(await h.store.channels.bookingsOfSlot(a.tenant.id, slots[0]!.slotId)).toHaveLength(0);

      // POST books, without a key; a second use shows the same booking and books nothing more.
      const booked = await ok(await h.fetch(link, { method: "POST" }));
      expect(booked).toMatchObject({
        status: "booked",
        booking: { profileId: owner.profileId, decisionId: d.decisionId },
      });
      const again = await ok(await h.fetch(link, { method: "POST" }));
      expect(again.booking.id).toBe(booked.booking.id);
      expect(await h.store.channels.bookingsOfSlot(a.tenant.id, slots[0]!.slotId)).toHaveLength(1);
      const html = await h.fetch(link, { method: "POST", headers: { accept: "text/html" } });
      expect(await html.text()).toContain("is booked");
      // A forged or altered token is not found.
      await expectProblem(await h.fetch(`${link.slice(0, -3)}AAA`, { method: "POST" }), 404, "not-found");

      // The outcome `accept` is attributed to the decision that offered the slot.
      const outcome = await h.store.database.db.all<{ type: string }>(
        sql`select type from outcomes where tenant_id = ${a.tenant.id} and decision_id = ${d.decisionId} and action_id = ${reminder!.id}`,
      );
      expect(outcome.map((o) => o.type)).toEqual(["accept"]);
      // The booking is on the person (service_booked): no reminder until it has passed.
      // (on the dealer site: the email channel's daily cap is used by the first decision)
      const later = await decideEmail(h, a.keys.full, owner.customerId, { channel: "dealer_site", placement: "hero" });
      expect(reminderOf(later)).toBeUndefined();
      // (the reminder that was shown may be held by its own weekly cap first; the other one by the booking)
      expect(
        later.suppressed?.some((s) => s.guardrail === "service_capacity" && s.reason === "service already booked"),
        JSON.stringify(later.suppressed),
      ).toBe(true);

      // Cancelling from the same link gives the place back.
      const cancelled = await ok(await h.fetch(`${link}/cancel`, { method: "POST" }));
      expect(cancelled.status).toBe("cancelled");
      expect(await h.store.channels.slot(a.tenant.id, slots[0]!.slotId)).toMatchObject({ booked: 0 });

      // A link whose slot someone else took meanwhile: 409 for an API caller, a page saying so for a browser.
      const other = await dueOwner(h, a);
      await ok(
        await h.fetch(
          `/v1/dealers/${a.dealer.id}/bookings`,
          json("POST", { slotId: slots[1]!.slotId, profileId: other.profileId }, auth(a.keys.full)),
        ),
        201,
      );
      await expectProblem(await h.fetch(pathOf(slots[1]!.bookUrl), { method: "POST" }), 409, "slot-unavailable");
      const taken = await h.fetch(pathOf(slots[1]!.bookUrl), { method: "POST", headers: { accept: "text/html" } });
      expect(await taken.text()).toContain("just taken");
      expect(await h.store.channels.bookingsOfSlot(a.tenant.id, slots[1]!.slotId)).toHaveLength(1);
    });

    it("without capacity in the horizon the reminder is not offered and suppressed says why; the next dealer's slots stand in", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withReminders(h, a);
      const owner = await dueOwner(h, a);
      // Dry runs: what would be shown, without counting a contact against the email cap.
      const probe = (key: string) => decideEmail(h, key, owner.customerId, { dryRun: true });
      const none = await probe(a.keys.full);
      expect(reminderOf(none)).toBeUndefined();
      const held = none.suppressed?.filter((s) => s.guardrail === "service_capacity") ?? [];
      expect(held.map((s) => s.id).sort()).toEqual(["oil-change", "service-due-reminder"]);
      expect(held[0]!.reason).toContain("no open service slot at North Motors");
      // Slots beyond the 14-day horizon do not count.
      await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(2, 1, 20)));
      expect(reminderOf(await probe(a.keys.full))).toBeUndefined();
      // The other dealer has capacity: its slots stand in.
      await ok(await putSlots(h, a.keys.admin, a.dealer2.id, slotsAhead(3, 1)));
      // (the slot cache is per isolate, and a capacity change in this one drops it)
      const fallback = await probe(a.keys.full);
      const slots = reminderOf(fallback)?.creative.slots ?? [];
      expect(slots.length, JSON.stringify(fallback)).toBe(3);
      expect(slots.every((s) => s.dealerId === a.dealer2.id)).toBe(true);
      // A dealer-bound key's site shows only its own dealer's slots: none here.
      const own = await probe(a.keys.dealerBound);
      expect(reminderOf(own)).toBeUndefined();
    });

    it("moves a booking atomically and cancels idempotently", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const [s1, s2] = (await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(2, 1)))).slots;
      const owner = await dueOwner(h, a);
      const b = await ok(
        await h.fetch(
          `/v1/dealers/${a.dealer.id}/bookings`,
          json("POST", { slotId: s1.id, profileId: owner.profileId }, auth(a.keys.full)),
        ),
        201,
      );
      const moved = await ok(
        await h.fetch(
          `/v1/dealers/${a.dealer.id}/bookings/${b.id}/reschedule`,
          json("POST", { slotId: s2.id }, auth(a.keys.full)),
        ),
        201,
      );
      expect(moved.slotId).toBe(s2.id);
      expect(await h.store.channels.slot(a.tenant.id, s1.id)).toMatchObject({ booked: 0 });
      expect(await h.store.channels.slot(a.tenant.id, s2.id)).toMatchObject({ booked: 1 });
      await expectProblem(
        await h.fetch(
          `/v1/dealers/${a.dealer.id}/bookings/${b.id}/reschedule`,
          json("POST", { slotId: s1.id }, auth(a.keys.full)),
        ),
        409,
        "booking-not-active",
      );
      const path = `/v1/dealers/${a.dealer.id}/bookings/${moved.id}/cancel`;
      expect((await ok(await h.fetch(path, json("POST", {}, auth(a.keys.full))))).status).toBe("cancelled");
      expect((await ok(await h.fetch(path, json("POST", {}, auth(a.keys.full))))).status).toBe("cancelled");
      expect(await h.store.channels.slot(a.tenant.id, s2.id)).toMatchObject({ booked: 0 });
      // Another dealer's key cannot see it; the listing shows both bookings.
      const list = await ok(await h.fetch(`/v1/dealers/${a.dealer.id}/bookings`, { headers: auth(a.keys.full) }));
      expect(list.bookings.map((x: { status: string }) => x.status)).toEqual(["cancelled", "cancelled"]);
      const profile = await ok(await h.fetch(`/v1/profiles/${owner.profileId}`, { headers: auth(a.keys.full) }));
      expect(profile.profile.serviceBooking).toBeNull();
    });
  });

  describe("service-reminder emails", () => {
    it("payloads with slots in local daytime, idempotent per day, and an unsubscribe link that records the consent change", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withReminders(h, a);
      await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(4, 2)));
      const owner = await dueOwner(h, a);
      // An owner in a zone where it is night now: scheduled for 09:00 their time.
      const night = await dueOwner(h, a, { zone: "Pacific/Kiritimati" });
      const run = () => h.fetch("/v1/campaigns/service-reminders/run", json("POST", {}, auth(a.keys.full)));
      const first = await ok(await run());
      const mine = first.payloads.find((p: { profileId: string }) => p.profileId === owner.profileId);
      expect(mine, JSON.stringify(first)).toBeDefined();
      expect(mine.customerId).toBe(owner.customerId);
      expect(mine.slots.length).toBeGreaterThanOrEqual(2);
      expect(mine.email.subject).toBeTruthy();
      expect(JSON.stringify(mine)).not.toContain("@");
      expect(Date.parse(mine.sendAt)).toBeLessThanOrEqual(Date.now() + 1000);
      const theirs = first.payloads.find((p: { profileId: string }) => p.profileId === night.profileId);
      expect(theirs, JSON.stringify(first.skipped)).toBeDefined();
      {
        const hour = Number(
          new Intl.DateTimeFormat("en-GB", {
            timeZone: "Pacific/Kiritimati",
            hour: "2-digit",
            hourCycle: "h23",
          }).format(new Date(theirs.sendAt)),
        );
        expect(hour).toBeGreaterThanOrEqual(9);
        expect(hour).toBeLessThan(17);
      }
      const version = async () =>
        (
          await h.store.database.db.all<{ v: number }>(
            sql`select contacts_version as v from profiles where id = ${owner.profileId}`,
          )
        )[0]!.v;
      const v1 = await version();
      // A second run the same day: the same payloads, nobody contacted twice.
      const second = await ok(await run());
      expect(second.payloads, JSON.stringify({ first, second })).toEqual(first.payloads);
      expect(await version()).toBe(v1);
      const sends = await h.store.database.db.all<{ n: number }>(
        sql`select count(*) as n from reminder_sends where tenant_id = ${a.tenant.id}`,
      );
      expect(Number(sends[0]!.n)).toBe(first.payloads.length);

      // The unsubscribe link: GET changes nothing, POST records the consent change through the event path.
      const unsub = pathOf(mine.unsubscribeUrl);
      expect((await ok(await h.fetch(unsub))).status).toBe("subscribed");
      expect((await ok(await h.fetch(unsub, { method: "POST" }))).status).toBe("unsubscribed");
      const prof = await ok(await h.fetch(`/v1/profiles/${owner.profileId}`, { headers: auth(a.keys.full) }));
      expect(prof.profile.consent).toMatchObject({ reminders: false, marketing: { email: false } });
      const audit = await h.store.audit.list({ tenantId: a.tenant.id, action: "consent.change", limit: 10 });
      expect(audit.some((e) => e.personId === owner.profileId && e.keyId === null)).toBe(true);
      const after = await decideEmail(h, a.keys.full, owner.customerId);
      expect(reminderOf(after)).toBeUndefined();
      expect(after.suppressed?.some((s) => s.reason === "unsubscribed from service reminders")).toBe(true);
    });

    it("a dealer-bound key's reminder run covers its own dealer's owners only, with its own dealer's slots", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withReminders(h, a);
      await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(3, 2)));
      await ok(await putSlots(h, a.keys.admin, a.dealer2.id, slotsAhead(3, 2)));
      const north = await dueOwner(h, a, { dealerId: a.dealer.id });
      const south = await dueOwner(h, a, { dealerId: a.dealer2.id });
      const brand = await dueOwner(h, a, { dealerId: null });
      const res = await h.fetch("/v1/campaigns/service-reminders/run", json("POST", {}, auth(a.keys.dealerBound)));
      const text = await res.clone().text();
      const run = await ok(res);
      expect(run.payloads.map((p: { profileId: string }) => p.profileId)).toEqual([north.profileId]);
      expect(run.payloads[0].slots.every((s: { dealerId: string }) => s.dealerId === a.dealer.id)).toBe(true);
      for (const other of [south, brand])
        for (const x of [other.profileId, other.customerId]) expect(text).not.toContain(x);
      expect(text).not.toContain(a.dealer2.id);
    });

    it("copy in the person's language with a fallback; a language for a channel the action lacks is refused", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withReminders(h, a);
      await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(3, 5)));
      const owner = await dueOwner(h, a);
      // The reminders' subjects by action id (which actions a decision shows, and in which order, is sampled).
      const subjects = async (locale?: string) => {
        const d = await decideEmail(
          h,
          a.keys.full,
          owner.customerId,
          locale ? { context: { locale }, dryRun: true, limit: 5 } : { dryRun: true, limit: 5 },
        );
        return Object.fromEntries(
          d.actions.filter((x) => x.kind === "service_reminder").map((x) => [x.id, String(x.creative.subject)]),
        );
      };
      const de = await subjects("de");
      expect(Object.keys(de).sort()).toEqual(["oil-change", "service-due-reminder"]);
      expect(de["oil-change"]).toContain("freie Termine");
      expect(de["service-due-reminder"]).toContain("steht an");
      expect(await subjects("de-AT")).toEqual(de);
      const fr = await subjects("fr");
      expect(fr["oil-change"]).toContain("$20 off your next oil change");
      expect(fr["service-due-reminder"]).toMatch(/^Your .* is due for /);
      // The person's own language preference, when the request names none.
      await ok(
        await h.fetch(
          `/v1/profiles/${owner.profileId}/consent`,
          json("PUT", { source: "test", locale: "de" }, auth(a.keys.full)),
        ),
      );
      expect(await subjects()).toEqual(de);
      const refused = await h.fetch(
        "/v1/actions/only-email",
        json(
          "PUT",
          {
            kind: "content",
            category: "info",
            value: 1,
            channels: { email: { subject: "Hi", body: "Hello." } },
            locales: { de: { channels: { app: { title: "Hallo", body: "Hallo.", cta: "Los" } } } },
          },
          auth(a.keys.admin),
        ),
      );
      const p = await expectProblem(refused, 400, "validation-failed");
      expect(JSON.stringify(p.errors)).toContain("/locales/de/channels/app");
    });
  });

  describe("the lead feed, and what erasure leaves", () => {
    it("a dealer-bound key's lead feed pages over its own dealer's leads: another dealer's never fill (and empty) its page", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const u = uid();
      const quote = (n: number, dealerId: string) => ({
        id: `feed-${u}-${n}`,
        type: "quote_request",
        occurredAt: ago(0.01),
        identifiers: { customerId: `C-FEED-${u}-${n}` },
        dealerId,
        data: { model: "Ariya" },
      });
      // Three leads of South, then one of North.
      const events = [quote(1, a.dealer2.id), quote(2, a.dealer2.id), quote(3, a.dealer2.id), quote(4, a.dealer.id)];
      await ok(await h.fetch("/v1/events", json("POST", { events }, auth(a.keys.admin))));
      // North's key, two at a time: its one lead on the first page (the doc: an empty page means nothing new).
      const page = await ok(await h.fetch("/v1/leads?limit=2", { headers: auth(a.keys.dealerBound) }));
      expect(page.leads.map((l: { lead: { customerId: string } }) => l.lead.customerId)).toEqual([`C-FEED-${u}-4`]);
      expect(JSON.stringify(page)).not.toContain(a.dealer2.id);
      // After its last lead: nothing new, and a cursor that gives nothing new again.
      const next = await ok(
        await h.fetch(`/v1/leads?limit=2&after=${page.leads[0].cursor}`, { headers: auth(a.keys.dealerBound) }),
      );
      expect(next.leads).toEqual([]);
      // The brand sees all four.
      const brand = await ok(await h.fetch("/v1/leads?limit=10", { headers: auth(a.keys.full) }));
      expect(brand.leads.filter((l: { lead: { customerId: string } }) => l.lead.customerId.includes(u))).toHaveLength(
        4,
      );
    });

    it("a quote request is a lead in the feed (contact only in the outbox), paged; erasure leaves nothing of leads, bookings, reminders", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const u = uid();
      const email = `lead-${u}@example.org`;
      const customerId = `C-LEAD-${u}`;
      await ok(
        await h.fetch(
          "/v1/events",
          json(
            "POST",
            {
              events: [
                {
                  id: `lead-${u}-1`,
                  type: "quote_request",
                  occurredAt: ago(0.01),
                  identifiers: { customerId, email },
                  dealerId: a.dealer.id,
                  data: { model: "Ariya", trim: "Evolve+", powertrain: "ev", price: 47190 },
                },
                {
                  id: `lead-${u}-2`,
                  type: "test_drive_booked",
                  occurredAt: ago(0.01),
                  identifiers: { customerId },
                  data: { model: "Ariya" },
                },
              ],
            },
            auth(a.keys.admin),
          ),
        ),
      );
      const page1 = await ok(await h.fetch("/v1/leads?limit=2", { headers: auth(a.keys.full) }));
      // The fixture's own quote request is the first lead of the tenant.
      const all = [...page1.leads];
      const page2 = await ok(await h.fetch(`/v1/leads?after=${page1.nextCursor}`, { headers: auth(a.keys.full) }));
      all.push(...page2.leads);
      const mine = all.filter((l: { lead: { customerId: string } }) => l.lead.customerId === customerId);
      expect(mine.map((l: { lead: { kind: string } }) => l.lead.kind)).toEqual(["quote", "test_drive"]);
      expect(mine[0].lead).toMatchObject({ dealerId: a.dealer.id, details: { model: "Ariya" }, contact: { email } });
      const empty = await ok(await h.fetch(`/v1/leads?after=${page2.nextCursor}`, { headers: auth(a.keys.full) }));
      expect(empty.leads).toEqual([]);
      // Never in the profile.
      const personId = mine[0].lead.personId as string;
      const prof = await h.fetch(`/v1/profiles/${personId}`, { headers: auth(a.keys.full) });
      expect(await prof.text()).not.toContain(email);

      // A booking and a reminder run for the same person, then erasure.
      await withReminders(h, a);
      const [slot] = (await ok(await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(3, 1)))).slots;
      await ok(
        await h.fetch(
          `/v1/dealers/${a.dealer.id}/bookings`,
          json("POST", { slotId: slot.id, profileId: personId }, auth(a.keys.full)),
        ),
        201,
      );
      await ok(await h.fetch(`/v1/profiles/${personId}`, { method: "DELETE", headers: auth(a.keys.full) }));
      const residue = await dumpContains(h, [personId, customerId, email]);
      expect(residue).toEqual([]);
      expect(await h.store.channels.slot(a.tenant.id, slot.id)).toMatchObject({ booked: 0 });
      const after = await ok(await h.fetch("/v1/leads", { headers: auth(a.keys.full) }));
      expect(JSON.stringify(after)).not.toContain(customerId);
    });
  });
}
