/**
 * Decide for a demo customer, then record that they clicked the first action.
 * Run against `npm start` (it prints this line with its URL and admin key):
 *   PITWALL_URL=http://127.0.0.1:8787 PITWALL_KEY=sk_… npx tsx clients/typescript/example.ts
 */
import { createPitwallClient } from "./src/index";

const baseUrl = process.env.PITWALL_URL ?? "http://127.0.0.1:8787";
const key = process.env.PITWALL_KEY;
if (!key) {
  console.error("example: set PITWALL_KEY to a server key with decide and events:write (npm start prints one)");
  process.exit(2);
}
const pitwall = createPitwallClient({ baseUrl, key });
const fail = (what: string, e: { title?: string; detail?: string }) => {
  console.error(`example: ${what} failed: ${e.title ?? "error"}${e.detail ? ` (${e.detail})` : ""}`);
  process.exit(1);
};

const decision = await pitwall.POST("/v1/decide", {
  body: { subject: { customerId: "C-LEE-1001" }, channel: "dealer_site", placement: "hero" },
});
if (decision.error) fail("decide", decision.error);
const { decisionId, actions } = decision.data!;
// A decision id is sealed (it carries what outcomes need, encrypted): print its start only.
console.log(`decision ${decisionId.slice(0, 16)}…: ${actions.map((a) => a.id).join(", ") || "nothing to show"}`);

const first = actions[0];
if (first) {
  const outcome = await pitwall.POST("/v1/decisions/{decisionId}/outcomes", {
    params: { path: { decisionId } },
    body: { actionId: first.id, type: "click" },
  });
  if (outcome.error) fail("recordOutcome", outcome.error);
  else console.log(`outcome: ${outcome.data.type} on ${outcome.data.actionId} recorded (${outcome.data.recorded})`);
}
