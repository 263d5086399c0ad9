/**
 * Local wall-clock time in an IANA zone, for quiet hours and "per local day" limits. Formatters are cached per
 * zone and the UTC offset per zone and 15-minute bucket (every real DST change happens on a quarter hour UTC),
 * so the hot path is a map lookup instead of Intl formatting.
 */
const BUCKET = 15 * 60_000;
const DAY = 86_400_000;
const MAX_ZONES = 512;
const formatters = new Map<string, Intl.DateTimeFormat | null>();
const offsets = new Map<string, { bucket: number; offset: number }>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f !== undefined) return f;
  // Zones come from requests; bounding the cache keeps a flood of junk names from growing it forever.
  if (formatters.size >= MAX_ZONES) formatters.clear();
  try {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    f = null;
  }
  formatters.set(zone, f);
  return f;
}

/** Whether `zone` is an IANA time zone this runtime knows: isTimeZone("Europe/Berlin") === true. */
export function isTimeZone(zone: string | null | undefined): zone is string {
  return typeof zone === "string" && zone.length > 0 && formatter(zone) !== null;
}

/** Milliseconds to add to UTC to get wall-clock time in `zone` at `now`, or null for an unknown zone. */
export function zoneOffset(zone: string, now: number): number | null {
  const bucket = Math.floor(now / BUCKET);
  const hit = offsets.get(zone);
  if (hit && hit.bucket === bucket) return hit.offset;
  const f = formatter(zone);
  if (!f) return null;
  const at = bucket * BUCKET;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== "literal") p[part.type] = Number(part.value);
  const offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
  if (offsets.size >= MAX_ZONES) offsets.clear();
  offsets.set(zone, { bucket, offset });
  return offset;
}

export interface LocalTime {
  zone: string;
  /** False when no given zone was known and UTC stood in. */
  known: boolean;
  /** Minutes since local midnight. */
  minutes: number;
  /** Epoch ms of the local midnight that began today (exact except on a DST-change day). */
  dayStart: number;
}

/** Local time at `now` in the first known zone of `zones`, else UTC. localTime(["Nope/Zone", "UTC"], 0).minutes === 0. */
export function localTime(zones: readonly (string | null | undefined)[], now: number): LocalTime {
  for (const z of zones) {
    if (!z) continue;
    const off = zoneOffset(z, now);
    if (off === null) continue;
    const ms = (((now + off) % DAY) + DAY) % DAY;
    return { zone: z, known: true, minutes: Math.floor(ms / 60_000), dayStart: now - ms };
  }
  const ms = ((now % DAY) + DAY) % DAY;
  return { zone: "UTC", known: false, minutes: Math.floor(ms / 60_000), dayStart: now - ms };
}

/** "HH:MM" → minutes since midnight: hhmm("21:30") === 1290. */
export function hhmm(s: string): number {
  const d = (i: number) => s.charCodeAt(i) - 48;
  return (d(0) * 10 + d(1)) * 60 + d(3) * 10 + d(4);
}

/** Whether `minutes` falls in [start, end), wrapping over midnight when start > end; start === end means none. */
export function inWindow(minutes: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}
