/**
 * Who may do what: the expected answer of every operation of the route table for every caller (rows) on the
 * objects of every owner (columns). Read with tests/shared/world.ts, which says who the callers and owners are:
 *
 *   owners (columns)  own = North's (dealer D1, "this dealer") · otherDealer = South's (D2, same brand)
 *                     brand = brand A's, bound to no dealer · otherTenant = brand B's
 *                     any = the operation names no object (lists, settings, new objects)
 *   callers (rows)    brand = brand A's sk_ with the scope · dealer = sk_ bound to North · dealer2 = sk_ bound to
 *                     South · noScope = brand sk_ without the scope · pk = North's pk_ from its origin ·
 *                     pkForeign = the same from a foreign origin · vk = vk_ of North's customer's car ·
 *                     vkOther = vk_ of South's customer's car · revoked, expired = brand admin sk_ ·
 *                     tenantB = brand B's sk_ with the scope
 *
 * A cell is the status, and for a problem its type: `403:scope` insufficient-scope, `403:kind`
 * key-kind-not-allowed, `403:origin` origin-not-allowed, `403:subject` subject-not-allowed, `401:revoked`,
 * `401:expired`, `404` not-found, `400` validation-failed (any other type: `409:already-exists`); `accepted` /
 * `rejected` is a 200 whose one event was stored/refused; `-` no such object (brand A has no brand-level dealer):
 * the column is skipped for every caller. A row with one value holds for every column. `revoked` and `expired`
 * answer 401 on every authenticated operation unless a grid says otherwise.
 *
 * Whatever the status, the matrix also checks that the answer shows nothing of an owner the caller may not see,
 * and that no row of an owner the caller may not change (no row at all after a refusal; after a read, nothing
 * but its audit entry) changed.
 *
 * A new operation needs a grid here (and a request in tests/shared/security.ts REQUESTS, or a targeted one in
 * security-matrix.ts TARGETED; a public operation without path parameters needs none): the matrix fails without.
 */

/** Reads and changes of one person, by a server key with the scope. */
const PERSON = `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          404
  dealer      200          404          404          404
  dealer2     404          200          404          404
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     404          404          404          200
`;

/** Brand administration (admin scope, which no dealer-bound key can hold), on objects of an owner. */
const ADMIN_OBJECT = `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          404
  dealer      403:scope
  dealer2     403:scope
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     404          404          404          200
`;

/** Brand administration naming no object. */
const ADMIN = (ok: number) => `
              any
  brand       ${ok}
  dealer      403:scope
  dealer2     403:scope
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     ${ok}
`;

/**
 * issue 10: the owner's dealer's service slots and bookings (the brand has no dealer: `-`), by a server key with the
 * scope (events:write, profiles:read) or, for `listServiceSlots`, any server key. A dealer-bound key reaches only
 * its own dealer's; another brand's dealer is no dealer (404).
 */
const DEALER_SERVICE = (ok: number, noScope = "403:scope") => `
              own          otherDealer  brand        otherTenant
  brand       ${ok}          ${ok}          -            404
  dealer      ${ok}          404          -            404
  dealer2     404          ${ok}          -            404
  noScope     ${noScope === "ok" ? `${ok}          ${ok}          -            404` : noScope}
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     404          404          -            ${ok}
`;

/**
 * issue 10: links a person clicks from an email, with no key: the sealed token is the authority, so every caller
 * (the API key the request also carries is not read) gets the same answer for any valid token of any brand. A
 * column is "a token of the owner's booking (or person)"; the brand has no dealer, so no booking link (`-`).
 */
const BOOKING_LINK = `
              own          otherDealer  brand        otherTenant
  *           200          200          -            200
`;
const UNSUBSCRIBE_LINK = `
              own          otherDealer  brand        otherTenant
  *           200          200          200          200
`;

/**
 * issue 10: a webhook endpoint (or its delivery) of the owner: endpoints are the brand's (admin scope, which no
 * dealer-bound key holds), so only the brand and brand B have one.
 */
const WEBHOOK = (ok: number) => `
              brand        otherTenant
  brand       ${ok}          404
  dealer      403:scope
  dealer2     403:scope
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     404          ${ok}
`;

export const EXPECTATIONS: Record<string, string> = {
  getHealth: `
              any
  *           200
`,
  // Any server key of the brand; a dealer-bound key sees only its own dealer.
  listDealers: `
              any
  brand       200
  dealer      200
  dealer2     200
  noScope     200
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200
`,
  getDealer: `
              own          otherDealer  brand        otherTenant
  brand       200          200          -            404
  dealer      200          404          -            404
  dealer2     404          200          -            404
  noScope     200          200          -            404
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     404          404          -            200
`,
  createDealer: ADMIN(201),
  listKeys: ADMIN(200),
  // A new key bound to the owner's dealer: a dealer of another brand is no dealer (400, as an unknown one).
  createKey: `
              own          otherDealer  brand        otherTenant
  brand       201          201          201          400
  dealer      403:scope
  dealer2     403:scope
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     400          400          201          201
`,
  revokeKey: ADMIN_OBJECT,
  rotateKey: ADMIN_OBJECT,
  updateKey: ADMIN_OBJECT,
  getSettings: ADMIN(200),
  putSettings: ADMIN(200),
  // The audit log about the owner's customer (?subject=): another brand's admin finds nothing (an empty page).
  listAudit: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          200
  dealer      403:scope
  dealer2     403:scope
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200          200          200          200
`,
  // An event naming the owner's customer (server keys: customerId; pk_: the owner's visitor token; vk_: the
  // owner's VIN). Another brand's customer id names no one in this brand: a new person of the caller's.
  ingestEvents: `
              own          otherDealer  brand        otherTenant
  brand       accepted     accepted     accepted     accepted
  dealer      accepted     rejected     rejected     accepted
  dealer2     rejected     accepted     rejected     accepted
  noScope     403:scope
  pk          accepted     rejected     rejected     rejected
  pkForeign   403:origin
  vk          accepted     403:subject  403:subject  403:subject
  vkOther     403:subject  accepted     403:subject  403:subject
  tenantB     accepted     accepted     accepted     accepted
`,
  // Links the owner's customer id with a new visitor id.
  linkIdentities: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          200
  dealer      200          404          404          200
  dealer2     404          200          404          200
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200          200          200          200
`,
  lookupProfile: PERSON,
  getProfile: PERSON,
  putConsent: PERSON,
  exportProfile: PERSON,
  eraseProfile: PERSON,
  unmergeProfiles: PERSON,
  getVehicle: PERSON,
  // The monthly driving report of the owner's customer's car: server keys as for the person; a car's own key
  // reads its own VIN only.
  getDrivingReport: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          404
  dealer      200          404          404          404
  dealer2     404          200          404          404
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          200          403:subject  403:subject  403:subject
  vkOther     403:subject  200          403:subject  403:subject
  tenantB     404          404          404          200
`,
  // Aggregate counts of the caller's scope (a dealer-bound key: its dealer's people); no person is named.
  getUplift: `
              any
  brand       200
  dealer      200
  dealer2     200
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200
`,
  // Any server key decodes any VIN: no one's data is read.
  decodeVin: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          200
  dealer      200          200          200          200
  dealer2     200          200          200          200
  noScope     200          200          200          200
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200          200          200          200
`,
  listActions: `
              any
  brand       200
  dealer      200
  dealer2     200
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200
`,
  // Replaces the owner's action (keeping its dealer). Action ids are one namespace per brand, so a dealer-bound
  // key is refused another dealer's or the brand's action (403), and another brand's id is a new action of the
  // caller's; a brand key may not bind an action to another brand's dealer (400).
  upsertAction: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          400
  dealer      200          403:scope    403:scope    200
  dealer2     403:scope    200          403:scope    200
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     400          400          200          200
`,
  deleteAction: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          404
  dealer      200          404          404          404
  dealer2     404          200          404          404
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     404          404          404          200
`,
  // Decides for the owner's customer. A server key outside the customer's scope decides as for someone unknown
  // (200, nothing of theirs read or written); a pk_ names only visitors issued to it, a vk_ only its own VIN.
  decide: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          200
  dealer      200          200          200          200
  dealer2     200          200          200          200
  noScope     403:scope
  pk          200          403:subject  403:subject  403:subject
  pkForeign   403:origin
  vk          200          403:subject  403:subject  403:subject
  vkOther     403:subject  200          403:subject  403:subject
  tenantB     200          200          200          200
`,
  // An outcome of the owner's decision made by a key of the caller's kind (server: the owner's server key; pk_:
  // the owner's site; vk_: the owner's car): only from a key that could have seen it.
  recordOutcome: `
              own          otherDealer  brand        otherTenant
  brand       200          200          200          404
  dealer      200          404          404          404
  dealer2     404          200          404          404
  noScope     403:scope
  pk          200          404          404          404
  pkForeign   403:origin
  vk          200          404          404          404
  vkOther     404          200          404          404
  tenantB     404          404          404          200
`,
  attributeOutcome: PERSON,
  // issue 10 (channels)
  putServiceSlots: DEALER_SERVICE(200),
  listServiceSlots: DEALER_SERVICE(200, "ok"),
  // Books the owner's customer into a slot of the owner's dealer.
  bookSlot: DEALER_SERVICE(201),
  listBookings: DEALER_SERVICE(200),
  cancelBooking: DEALER_SERVICE(200),
  rescheduleBooking: DEALER_SERVICE(201),
  getBookingLink: BOOKING_LINK,
  useBookingLink: BOOKING_LINK,
  cancelBookingLink: BOOKING_LINK,
  getUnsubscribeLink: UNSUBSCRIBE_LINK,
  useUnsubscribeLink: UNSUBSCRIBE_LINK,
  // Reminders for the caller's scope's owners (a dealer-bound key: its dealer's); no one in the world is due.
  runServiceReminders: `
              any
  brand       200
  dealer      200
  dealer2     200
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200
`,
  createWebhook: ADMIN(201),
  listWebhooks: ADMIN(200),
  deleteWebhook: WEBHOOK(204),
  listWebhookDeliveries: WEBHOOK(200),
  replayWebhookDelivery: WEBHOOK(202),
  // The lead feed of the caller's scope (a dealer-bound key: its dealer's leads), by profiles:read.
  listLeads: `
              any
  brand       200
  dealer      200
  dealer2     200
  noScope     403:scope
  pk          403:kind
  pkForeign   403:kind
  vk          403:kind
  vkOther     403:kind
  tenantB     200
`,
};
