/**
 * issue 10: links a person clicks from an email, without an API key: book a service slot (GET shows it, POST books
 * it — mail scanners prefetch links, so a GET never books), cancel that booking, unsubscribe from reminders.
 * The sealed token is the authority (services/channel-tokens.ts). HTML for browsers, JSON for API callers.
 */
import { z } from "zod";
import { defer, type AppContext } from "../http/context";
import { defineOperation } from "../http/operation";
import { htmlPage, wantsHtml } from "../http/pages";
import { Problem } from "../http/problems";
import { book, cancel, linkPrincipal } from "../services/bookings";
import {
  MAX_CHANNEL_TOKEN,
  openBooking,
  openUnsubscribe,
  tokenTenant,
  type BookingClaim,
} from "../services/channel-tokens";
import { callerTenant, serviceContext } from "../services/context";
import { ingestEvents } from "../services/ingest";
import { slotLabel } from "../domain/channels/slots";
import { auditEntry } from "../domain/audit";
import { newId } from "../lib/crypto";
import { bookingView, BookingSchema, slotView, SlotSchema } from "./slots";

const TokenParam = z.object({
  token: z
    .string()
    .min(1)
    .max(MAX_CHANNEL_TOKEN)
    .meta({ description: "The token of a link Pitwall issued", example: "bk1.tnt_…" }),
});

/** Opens the link's token under its tenant's secret, and acts as that tenant from here on; 404 when it is not one. */
async function asLinkTenant(c: AppContext, token: string, kind: "bk1" | "us1") {
  const tenantId = tokenTenant(token, kind);
  if (!tenantId) throw new Problem("not-found", "No such link.");
  c.set("principal", linkPrincipal(tenantId));
  const tenant = await callerTenant(c).catch(() => null);
  if (!tenant?.secret) throw new Problem("not-found", "No such link.");
  return tenant;
}

async function bookingClaim(c: AppContext, token: string): Promise<BookingClaim> {
  const tenant = await asLinkTenant(c, token, "bk1");
  const claim = await openBooking(tenant.secret!, tenant.id, token);
  if (!claim) throw new Problem("not-found", "No such link.");
  return claim;
}

const LinkState = z
  .object({
    status: z.enum(["open", "booked", "cancelled", "full", "expired"]),
    slot: z.union([SlotSchema, z.null()]),
    dealerName: z.string().nullable(),
    booking: z.union([BookingSchema, z.null()]),
  })
  .meta({ id: "BookingLink" });

/** What a booking link stands for now. */
async function linkState(c: AppContext, claim: BookingClaim) {
  const { store, now } = c.var.deps;
  const tenantId = c.var.principal.tenantId;
  const [slot, booking, dealer] = await Promise.all([
    store.channels.slot(tenantId, claim.s),
    store.channels.bookingByToken(tenantId, claim.t),
    store.dealers.get({ tenantId }, claim.d),
  ]);
  const status = booking
    ? booking.status
    : claim.exp <= now() || !slot || slot.startAt <= now()
      ? "expired"
      : slot.booked >= slot.capacity
        ? "full"
        : "open";
  return { status, slot, booking, dealer } as const;
}

function describe(s: Awaited<ReturnType<typeof linkState>>): string {
  if (!s.slot) return "This slot no longer exists.";
  const when = slotLabel(s.slot.startAt, s.dealer?.timeZone ?? "UTC");
  return `${when} at ${s.dealer?.name ?? "your dealer"} (${s.slot.durationMin} minutes${s.slot.resource === "loaner" ? ", with a loaner car" : ""}).`;
}

function answer(c: AppContext, state: Awaited<ReturnType<typeof linkState>>, token: string, status = 200) {
  if (wantsHtml(c.req.header("accept"))) {
    const base = `/v1/bookings/${token}`;
    const line = describe(state);
    switch (state.status) {
      case "open":
        return htmlPage(status, "Book this service appointment?", [line], { action: base, label: "Book it" });
      case "booked":
        return htmlPage(status, "Your service appointment is booked", [line, "We look forward to seeing you."], {
          action: `${base}/cancel`,
          label: "Cancel this booking",
        });
      case "cancelled":
        return htmlPage(status, "This booking was cancelled", [line]);
      case "full":
        return htmlPage(status, "This slot was just taken", [line, "Please pick another time from the email."]);
      default:
        return htmlPage(status, "This link has expired", [line]);
    }
  }
  return c.json(
    {
      status: state.status,
      slot: state.slot ? slotView(state.slot) : null,
      dealerName: state.dealer?.name ?? null,
      booking: state.booking ? bookingView(state.booking, state.slot) : null,
    },
    status as 200,
  );
}

const linkResponses = (what: string) => ({
  "200": {
    description: `${what}: an HTML page for a browser (Accept: text/html), else JSON`,
    content: { "application/json": { schema: LinkState }, "text/html": { schema: z.string() } },
  },
});

export const getBookingLink = defineOperation({
  method: "get",
  path: "/v1/bookings/:token",
  auth: null,
  problems: ["not-found"],
  schema: {
    tags: ["Service"],
    operationId: "getBookingLink",
    summary: "What a booking link offers (no key: the signed token is the authority); never books",
    request: { params: TokenParam },
    responses: linkResponses("The slot and whether it is open, booked, full or expired"),
  },
  example: {},
  async handle(c, { params }) {
    const token = params.token as string;
    return answer(c, await linkState(c, await bookingClaim(c, token)), token);
  },
});

export const useBookingLink = defineOperation({
  method: "post",
  path: "/v1/bookings/:token",
  auth: null,
  problems: ["not-found", "slot-unavailable", "link-expired", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Service"],
    operationId: "useBookingLink",
    summary: "Book the slot of a booking link (single use: a second use shows the booking it made)",
    description:
      "Atomic like bookSlot; records `service_booked`, sends `booking.created`, and attributes `accept` to the decision that carried the link. 409 when the slot filled meanwhile, 410 when the link expired.",
    request: { params: TokenParam },
    responses: linkResponses("The booking"),
  },
  example: {},
  async handle(c, { params }) {
    const token = params.token as string;
    const claim = await bookingClaim(c, token);
    const before = await linkState(c, claim);
    if (before.status === "expired") {
      if (wantsHtml(c.req.header("accept"))) return answer(c, before, token, 410);
      throw new Problem("link-expired", "This booking link has expired.");
    }
    if (before.status === "full" && !wantsHtml(c.req.header("accept")))
      throw new Problem("slot-unavailable", "This slot is fully booked.");
    if (before.status === "open") {
      try {
        await book(
          await serviceContext(c),
          c.var.deps.slotCache,
          { tenantId: c.var.principal.tenantId },
          {
            slotId: claim.s,
            personId: claim.p,
            decisionId: claim.dec,
            actionId: claim.a,
            tokenId: claim.t,
          },
        );
        defer(c, c.var.deps.outbox.poke(c.var.principal.tenantId));
      } catch (e) {
        if (!(e instanceof Problem && e.type === "slot-unavailable" && wantsHtml(c.req.header("accept")))) throw e;
      }
    }
    return answer(c, await linkState(c, claim), token);
  },
});

export const cancelBookingLink = defineOperation({
  method: "post",
  path: "/v1/bookings/:token/cancel",
  auth: null,
  problems: ["not-found", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Service"],
    operationId: "cancelBookingLink",
    summary: "Cancel the booking a booking link made (idempotent)",
    request: { params: TokenParam },
    responses: linkResponses("The cancelled booking"),
  },
  example: {},
  async handle(c, { params }) {
    const token = params.token as string;
    const claim = await bookingClaim(c, token);
    const state = await linkState(c, claim);
    if (!state.booking) throw new Problem("not-found", "This link has not booked anything.");
    if (state.booking.status === "booked") {
      await cancel(
        await serviceContext(c),
        c.var.deps.slotCache,
        { tenantId: c.var.principal.tenantId },
        state.booking.id,
        "cancelled from the booking link",
      );
      defer(c, c.var.deps.outbox.poke(c.var.principal.tenantId));
    }
    return answer(c, await linkState(c, claim), token);
  },
});

const Unsubscribed = z
  .object({ status: z.enum(["subscribed", "unsubscribed"]), channel: z.literal("email") })
  .meta({ id: "UnsubscribeLink" });
const unsubscribeResponses = {
  "200": {
    description: "An HTML page for a browser (Accept: text/html), else JSON",
    content: { "application/json": { schema: Unsubscribed }, "text/html": { schema: z.string() } },
  },
};

export const getUnsubscribeLink = defineOperation({
  method: "get",
  path: "/v1/unsubscribe/:token",
  auth: null,
  problems: ["not-found"],
  schema: {
    tags: ["Profiles"],
    operationId: "getUnsubscribeLink",
    summary: "What an unsubscribe link would do (never changes anything)",
    request: { params: TokenParam },
    responses: unsubscribeResponses,
  },
  example: {},
  async handle(c, { params }) {
    const token = params.token as string;
    const tenant = await asLinkTenant(c, token, "us1");
    const claim = await openUnsubscribe(tenant.secret!, tenant.id, token);
    if (!claim) throw new Problem("not-found", "No such link.");
    const found = await c.var.deps.store.customers.byId({ tenantId: tenant.id }, claim.p);
    if (!found?.profile.doc) throw new Problem("not-found", "No such link.");
    const off = found.profile.doc.consent.reminders === false;
    if (wantsHtml(c.req.header("accept")))
      return off
        ? htmlPage(200, "You are unsubscribed", ["You will not get service reminder emails any more."])
        : htmlPage(200, "Unsubscribe from service reminders?", ["No more service reminder or marketing emails."], {
            action: `/v1/unsubscribe/${token}`,
            label: "Unsubscribe",
          });
    return c.json({ status: off ? "unsubscribed" : "subscribed", channel: "email" as const });
  },
});

export const useUnsubscribeLink = defineOperation({
  method: "post",
  path: "/v1/unsubscribe/:token",
  auth: null,
  problems: ["not-found", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Profiles"],
    operationId: "useUnsubscribeLink",
    summary:
      "Unsubscribe from service-reminder (and marketing) emails: recorded as a consent change through the normal event path",
    request: { params: TokenParam },
    responses: unsubscribeResponses,
  },
  example: {},
  async handle(c, { params }) {
    const token = params.token as string;
    const tenant = await asLinkTenant(c, token, "us1");
    const claim = await openUnsubscribe(tenant.secret!, tenant.id, token);
    if (!claim) throw new Problem("not-found", "No such link.");
    const ctx = await serviceContext(c, { subject: claim.p });
    const found = await ctx.store.customers.byId({ tenantId: tenant.id }, claim.p);
    if (!found?.profile.doc) throw new Problem("not-found", "No such link.");
    if (found.profile.doc.consent.reminders !== false) {
      const { results, outbox } = await ingestEvents(
        ctx,
        [
          {
            id: `unsubscribe-${ctx.now.toString(36)}-${crypto.randomUUID().slice(0, 8)}`,
            type: "consent_changed",
            occurredAt: new Date(ctx.now).toISOString(),
            source: "unsubscribe-link",
            data: { marketing: { email: false }, reminders: false, source: "unsubscribe-link" },
          },
        ],
        {
          // Recorded like any consent change, by the link (no key) and the request id.
          extra: () => [
            ctx.store.audit.insert(
              auditEntry(
                newId("aud"),
                { tenantId: tenant.id, keyId: null, requestId: c.var.requestId, at: ctx.now },
                "consent.change",
                {
                  subjectType: "profile",
                  subjectId: claim.p,
                  personId: claim.p,
                  detail: { source: "unsubscribe-link", changed: ["marketing", "reminders"] },
                },
              ),
            ),
          ],
        },
      );
      if (results[0]?.status !== "accepted") throw new Problem("not-found", "No such link.");
      if (outbox) defer(c, c.var.deps.outbox.poke(tenant.id));
    }
    if (wantsHtml(c.req.header("accept")))
      return htmlPage(200, "You are unsubscribed", ["You will not get service reminder emails any more."]);
    return c.json({ status: "unsubscribed" as const, channel: "email" as const });
  },
});
