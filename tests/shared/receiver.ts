/**
 * A real webhook receiver on loopback (node:http), for the webhook suites of both runtimes: it records every
 * request (headers, raw body), dedupes by `webhook-id` (the effect happens once per id), and fails on demand —
 * a 500, a response slower than the sender's timeout, or a 500 after taking the effect (the ambiguous case).
 * Controlled over HTTP so that tests inside workerd can drive it too:
 *   POST /control/<box> {"fail": ["500", "timeout", "ok-then-500"], "delayMs": 1200}   queue failures for the next requests
 *   GET  /control/<box>   → { requests: [{at, headers, body, answered (-1: too late)}], effects: {<webhook-id>: 1}, repeats }
 *   POST /hook/<box>      the endpoint a webhook points at
 * Node only (tests/node and the workers project's global setup).
 */
import { createServer, type Server } from "node:http";

interface Box {
  fail: string[];
  delayMs: number;
  requests: { at: number; headers: Record<string, string>; body: string; answered: number }[];
  effects: Record<string, number>;
  repeats: number;
}

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const boxes = new Map<string, Box>();
  const box = (name: string) => {
    let b = boxes.get(name);
    if (!b) boxes.set(name, (b = { fail: [], delayMs: 1200, requests: [], effects: {}, repeats: 0 }));
    return b;
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const [, kind, name] = /^\/(control|hook)\/([\w-]+)$/.exec(req.url ?? "") ?? [];
      if (!kind || !name) {
        res.writeHead(404).end();
        return;
      }
      const b = box(name);
      if (kind === "control") {
        if (req.method === "POST") {
          const c = JSON.parse(body || "{}") as { fail?: string[]; delayMs?: number };
          b.fail.push(...(c.fail ?? []));
          if (c.delayMs !== undefined) b.delayMs = c.delayMs;
          res.writeHead(204).end();
        } else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ requests: b.requests, effects: b.effects, repeats: b.repeats }));
        }
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const mode = b.fail.shift() ?? "ok";
      const entry = { at: Date.now(), headers, body, answered: 0 };
      b.requests.push(entry);
      const effect = () => {
        const id = headers["webhook-id"] ?? "";
        // Dedupe by webhook-id: the first request of an id takes effect; a repeat is recorded, not applied.
        if (b.effects[id]) b.repeats++;
        else b.effects[id] = 1;
      };
      if (mode === "500") {
        entry.answered = 500;
        res.writeHead(500).end("injected failure");
      } else if (mode === "timeout") {
        // Answered after the sender gave up (recorded as -1): it took no effect.
        setTimeout(() => {
          entry.answered = -1;
          res.writeHead(200).end("too late");
        }, b.delayMs);
      } else if (mode === "ok-then-500") {
        effect();
        entry.answered = 500;
        res.writeHead(500).end("took it, then failed");
      } else {
        effect();
        entry.answered = 200;
        res.writeHead(200).end("ok");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
