/**
 * Soak: decide and ingestion together at fixed rates (about half the measured maxima) against Pitwall on Node +
 * libSQL, for `minutes`; every 30 s a window: decide p50/p99, errors, events ingested, the server's resident
 * memory. Open-loop: requests are sent on schedule whatever the answers take, so a slowing server shows as a
 * growing p99, not as a lower rate. Run by `npm run bench -- --full` (bench/run.ts), or alone:
 *   npx tsx bench/soak.ts DB_FILE DECIDE_KEY EVENTS_KEY PEOPLE decide/s events/s [minutes=5]
 */
import { readFileSync } from "node:fs";
import { personEvents } from "./people";
import { startPitwallNode } from "./targets";

export interface SoakWindow {
  at: number;
  decides: number;
  p50: number;
  p99: number;
  errors: number;
  events: number;
  rssMb: number;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

export async function soak(o: {
  db: string;
  decideKey: string;
  eventsKey: string;
  people: number;
  decidesPerSecond: number;
  eventsPerSecond: number;
  minutes: number;
  port?: number;
  onWindow?: (w: SoakWindow) => void;
}): Promise<{ windows: SoakWindow[]; rssGrowth: number; errors: number }> {
  const server = await startPitwallNode(o.db, o.port ?? 8806);
  const pid = server.pid!;
  const windows: SoakWindow[] = [];
  const end = Date.now() + o.minutes * 60_000;
  let lat: number[] = [];
  let errors = 0;
  let events = 0;
  let decides = 0;
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const channels = ["dealer_site", "email", "service_lane", "web_configurator"];
  const decideOnce = async (i: number) => {
    const t = performance.now();
    try {
      const res = await fetch(`${server.url}/v1/decide`, {
        method: "POST",
        headers: { authorization: `Bearer ${o.decideKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          subject: { customerId: `C-${i % o.people}` },
          channel: channels[i % 4],
          placement: "hero",
          limit: 3,
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) errors++;
    } catch {
      errors++;
    }
    lat.push(performance.now() - t);
    decides++;
  };
  let batchNo = 0;
  const ingestOnce = async () => {
    // New events for existing people (a live stream: their profiles grow and are rewritten).
    const from = (batchNo * 20) % o.people;
    const body = [];
    for (let j = from; j < from + 20; j++) body.push(...personEvents(j % o.people, 5, Date.now(), `soak${batchNo}`));
    batchNo++;
    try {
      const res = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${o.eventsKey}`, "content-type": "application/json" },
        body: JSON.stringify({ events: body }),
      });
      await res.body?.cancel();
      if (res.status !== 200) errors++;
      events += body.length;
    } catch {
      errors++;
    }
  };
  const rss0 = rssMb(pid);
  const t0 = Date.now();
  let nextWindow = t0 + 30_000;
  let sentD = 0;
  let sentE = 0;
  let i = 0;
  while (Date.now() < end) {
    const elapsed = (Date.now() - t0) / 1000;
    while (sentD < elapsed * o.decidesPerSecond) {
      track(decideOnce(i++));
      sentD++;
    }
    while (sentE * 100 < elapsed * o.eventsPerSecond) {
      track(ingestOnce());
      sentE++;
    }
    if (Date.now() >= nextWindow) {
      lat.sort((a, b) => a - b);
      const w: SoakWindow = {
        at: Math.round((Date.now() - t0) / 1000),
        decides,
        p50: +(lat[Math.floor(lat.length * 0.5)] ?? 0).toFixed(2),
        p99: +(lat[Math.floor(lat.length * 0.99)] ?? 0).toFixed(2),
        errors,
        events,
        rssMb: +rssMb(pid).toFixed(1),
      };
      windows.push(w);
      o.onWindow?.(w);
      lat = [];
      decides = 0;
      events = 0;
      nextWindow += 30_000;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all([...inflight]);
  await server.stop();
  const last = windows.at(-1)?.rssMb ?? rss0;
  // Growth from the first window (after warm-up: caches filled, JIT done) to the last.
  const first = windows[0]?.rssMb ?? rss0;
  return { windows, rssGrowth: +(last / first - 1).toFixed(3), errors };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [db, decideKey, eventsKey, people, dps, eps, minutes] = process.argv.slice(2);
  const r = await soak({
    db: db!,
    decideKey: decideKey!,
    eventsKey: eventsKey!,
    people: Number(people),
    decidesPerSecond: Number(dps),
    eventsPerSecond: Number(eps),
    minutes: Number(minutes ?? 5),
    onWindow: (w) => console.error(JSON.stringify(w)),
  });
  console.log(JSON.stringify(r));
}
