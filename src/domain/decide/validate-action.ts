/** Upsert-time checks of an action beyond its shape: rule, template fields, sensitive copy, in-car payload. */
import type { z } from "zod";
import { validateRule } from "../rules/validate";
import { ActionSchema, type Action } from "./action";
import { DEFAULT_CONFIG } from "./config";
import { sensitiveField, sensitivePhrase } from "./sensitive";
import { compileTemplate, TEMPLATE_FIELDS } from "./templates";

export type ActionFaultType =
  | "invalid"
  | "rule"
  | "unknown-field"
  | "sensitive-field"
  | "sensitive-copy"
  | "payload-limit";

/**
 * The version of these checks. An action stored after passing them is compiled without being checked again while
 * the version stands (a cold isolate then compiles a catalogue within a Worker's CPU budget); bump it whenever a
 * check changes (tests/unit/validator-version.test.ts fails until you do), so stored actions are checked anew.
 */
export const VALIDATOR_VERSION = "2026-12-01.3";

/** One refusal: `pointer` is a JSON pointer into the action, e.g. "/channels/in_vehicle/text". */
export interface ActionFault {
  type: ActionFaultType;
  pointer: string;
  reason: string;
}

export const URL_LIKE = /https?:\/\/|www\.|\b[a-z0-9-]+\.(com|net|org|io|de|co|uk)\b/i;
export const EMOJI = /\p{Extended_Pictographic}/u;

/** Parse and check an action; `action` is the parsed action when its shape is valid, whatever the other faults. */
export function checkAction(input: unknown): { action: Action | null; faults: ActionFault[] } {
  const parsed = ActionSchema.safeParse(input);
  if (!parsed.success) return { action: null, faults: parsed.error.issues.map(schemaFault) };
  const a = parsed.data;
  const faults: ActionFault[] = validateRule(a.rule).map((f) => ({
    type: "rule" as const,
    pointer: `/rule${f.path}`,
    reason: `${f.kind}: ${f.problem}`,
  }));
  const sets: [string, Record<string, unknown>][] = [["", a.channels]];
  for (const [locale, l] of Object.entries(a.locales ?? {})) {
    sets.push([`/locales/${locale}`, l.channels]);
    for (const c of Object.keys(l.channels))
      if (!a.channels[c as keyof typeof a.channels])
        faults.push({
          type: "invalid",
          pointer: `/locales/${locale}/channels/${c}`,
          reason: "a language may only translate a channel the action has in `channels`",
        });
  }
  for (const [prefix, channels] of sets) faults.push(...creativeFaults(channels as Action["channels"], prefix));
  return { action: a, faults };
}

function creativeFaults(channels: Action["channels"], prefix: string): ActionFault[] {
  const faults: ActionFault[] = [];
  for (const [channel, creative] of Object.entries(channels)) {
    if (!creative) continue;
    for (const [field, value] of Object.entries(creative)) {
      const texts = Array.isArray(value) ? value : typeof value === "string" && field !== "imageUrl" ? [value] : [];
      texts.forEach((text: string, i) => {
        const pointer = `${prefix}/channels/${channel}/${field}${Array.isArray(value) ? `/${i}` : ""}`;
        faults.push(
          ...textFaults(text, pointer, channel === "in_vehicle" ? (field === "buttons" ? "button" : "text") : null),
        );
      });
    }
    if (channel === "in_vehicle" && "buttons" in creative && creative.buttons.length > DEFAULT_CONFIG.inCarMaxButtons) {
      faults.push({
        type: "payload-limit",
        pointer: `${prefix}/channels/in_vehicle/buttons`,
        reason: `at most ${DEFAULT_CONFIG.inCarMaxButtons} buttons in the car`,
      });
    }
  }
  return faults;
}

/**
 * Faults of an action as a catalogue author sends it; empty when it may be stored. Example: a creative with
 * `{{profile.loanPayoffInquiryAt}}` → `[{type: "sensitive-field", pointer: "/channels/email/body", reason: …}]`.
 */
export function validateAction(input: unknown): ActionFault[] {
  return checkAction(input).faults;
}

function textFaults(text: string, pointer: string, inCar: "text" | "button" | null): ActionFault[] {
  const faults: ActionFault[] = [];
  const t = compileTemplate(text);
  for (const ref of t.refs) {
    const topic = sensitiveField(ref.path);
    if (topic)
      faults.push({
        type: "sensitive-field",
        pointer,
        reason: `{{${ref.path}}} is sensitive (${topic}) and may not appear in copy`,
      });
    else if (!TEMPLATE_FIELDS[ref.path])
      faults.push({
        type: "unknown-field",
        pointer,
        reason: `{{${ref.path}}} is not a template field; use one of ${Object.keys(TEMPLATE_FIELDS).join(", ")}`,
      });
  }
  const phrase = sensitivePhrase(t.literal);
  if (phrase) faults.push({ type: "sensitive-copy", pointer, reason: `the copy mentions ${phrase}` });
  if (inCar) {
    const max = inCar === "text" ? DEFAULT_CONFIG.inCarMaxChars : DEFAULT_CONFIG.inCarMaxButtonChars;
    if (t.maxLength > max)
      faults.push({
        type: "payload-limit",
        pointer,
        reason: `can render ${t.maxLength} characters; the car allows ${max}`,
      });
    if (URL_LIKE.test(t.literal))
      faults.push({ type: "payload-limit", pointer, reason: "in-car copy is read aloud: no URLs" });
    if (EMOJI.test(t.literal))
      faults.push({ type: "payload-limit", pointer, reason: "in-car copy is read aloud: no emoji" });
  }
  return faults;
}

function schemaFault(issue: z.core.$ZodIssue): ActionFault {
  const pointer = issue.path.length
    ? `/${issue.path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`
    : "";
  const inCarLimit = pointer.startsWith("/channels/in_vehicle") && issue.code === "too_big";
  return { type: inCarLimit ? "payload-limit" : "invalid", pointer, reason: issue.message };
}

/** Whether text may be read aloud: no URL, no emoji. */
export function speakable(text: string): boolean {
  return !URL_LIKE.test(text) && !EMOJI.test(text);
}

/**
 * Whether rendered in-car copy fits the limits and can be read aloud (decision-time re-check). `speakableKnown`
 * skips the text scan when every substituted value was checked already (the author's words were, at upsert).
 */
export function inCarCopyOk(
  text: string,
  buttons: readonly string[],
  cfg: typeof DEFAULT_CONFIG,
  speakableKnown = false,
): boolean {
  if (text.length > cfg.inCarMaxChars || buttons.length > cfg.inCarMaxButtons) return false;
  for (const b of buttons) if (b.length > cfg.inCarMaxButtonChars || (!speakableKnown && !speakable(b))) return false;
  return speakableKnown || speakable(text);
}
