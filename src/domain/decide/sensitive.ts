/** What must never be said to the person: sensitive fields (for templates) and phrases (for literal copy). */

export const FIELDS: readonly { pattern: RegExp; label: string }[] = [
  { pattern: /payoff|pay_?off/i, label: "loan payoff inquiry" },
  { pattern: /complaint|^profile\.voice/i, label: "complaints" },
  { pattern: /loan|credit|equity|appraisal|balance|payment|income|price/i, label: "credit, loan or equity amounts" },
  { pattern: /location|latitude|longitude|geo|address|(^|\.)(lat|lon|lng)$/i, label: "location" },
  {
    pattern: /economy|driving|telemetry|speed|harsh|accelerat|braking|troubleCodes/i,
    label: "driving behaviour or telemetry",
  },
];

export const PHRASES: readonly { pattern: RegExp; label: string }[] = [
  { pattern: /\bpay(ing)?[\s-]?off\b|\bpayoff\b|\bpaid[\s-]off\b/i, label: "loan payoff inquiry" },
  { pattern: /\bcomplain/i, label: "complaints" },
  {
    pattern: /\bequity\b|\bwhat you owe\b|\b(loan|lease) balance\b|\bcredit (score|check|rating|history|limit)\b/i,
    label: "credit, loan or equity amounts",
  },
  { pattern: /\b(your|current) location\b|\bwhere you (are|live|drive|park)\b/i, label: "location" },
  {
    pattern: /\b(driving|braking|acceleration) (style|habits?|behaviou?r|score)\b|\bhow you drive\b/i,
    label: "driving behaviour or telemetry",
  },
  { pattern: /\bwe (saw|noticed|know|see|heard) (that )?you\b/i, label: "an inference about the person" },
];

/** Which sensitive topic a data path touches, or null: sensitiveField("profile.loanPayoffInquiryAt") === "loan payoff inquiry". */
export function sensitiveField(path: string): string | null {
  return FIELDS.find((f) => f.pattern.test(path))?.label ?? null;
}

/** Which sensitive topic a piece of copy mentions, or null: sensitivePhrase("Thinking of paying off your loan?") !== null. */
export function sensitivePhrase(text: string): string | null {
  return PHRASES.find((p) => p.pattern.test(text))?.label ?? null;
}

/** The reason given instead of a sensitive one to publishable and vehicle keys. */
export const NEUTRAL_REASON = "Suggested for you";
