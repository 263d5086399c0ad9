/** wrk (Debian's) as the load generator, in its own process: installed with apt-get when root and missing. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LoadResult {
  rps: number;
  /** Server CPU time per request (user + system, µs), when the server's pid is known: robust to a busy machine. */
  cpuUsPerReq?: number;
  /**
   * The same split by the server's threads (Linux thread names: `MainThread` the event loop, `WorkerThread` the
   * libSQL writer and checkpointer, `V8Worker` GC and JIT helpers, `libuv-worker` the thread pool), µs per request.
   */
  cpuByThread?: Record<string, number>;
  p50: number;
  p99: number;
  /** Answers that were not 2xx/3xx, and socket errors (connect, read, write, timeout). */
  errors: number;
  requests: number;
}

/** wrk's version line, installing it first when it is missing and we may (root). */
export function ensureWrk(): string {
  const has = () => spawnSync("wrk", ["-v"], { encoding: "utf8" });
  let r = has();
  if (r.error) {
    if (process.getuid?.() !== 0) throw new Error("wrk is missing: apt-get install wrk (as root)");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
    execFileSync("apt-get", ["install", "-y", "-qq", "wrk"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    r = has();
  }
  return `${r.stdout}${r.stderr}`.split("\n")[0]!.trim();
}

const ms = (s: string): number => {
  const m = /([\d.]+)(us|ms|s|m)/.exec(s);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "ms" ? v : m[2] === "s" ? v * 1000 : v * 60_000;
};

/** CPU time (ms, ns precision) each thread of a process has used so far, keyed `name#tid`: /proc/<pid>/task/<tid>. */
export function cpuMsOfThreads(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      out.set(`${name}#${tid}`, ns / 1e6);
    } catch {} // a thread that ended meanwhile
  }
  return out;
}

/** CPU time (ms) a process's threads have used so far. */
export function cpuMs(pid: number): number {
  let ms = 0;
  for (const t of cpuMsOfThreads(pid).values()) ms += t;
  return ms;
}

/** CPU time (ms) per thread name of a process so far. */
export function cpuMsByThread(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, ms] of cpuMsOfThreads(pid)) {
    const name = key.slice(0, key.lastIndexOf("#"));
    out.set(name, (out.get(name) ?? 0) + ms);
  }
  return out;
}

/** The workerd process Miniflare started (a child of this process). */
export function workerdPid(): number | undefined {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (comm === "workerd" && ppid === process.pid) return Number(d);
    } catch {}
  }
  return undefined;
}

const dir = mkdtempSync(join(tmpdir(), "pitwall-wrk-"));
let n = 0;

/**
 * Runs wrk against `url` with a Lua `request` function body (it may use `math.random`), 32 connections by default.
 * Lua's `wrk.format(method, path, headers, body)` builds each request.
 */
export function load(url: string, lua: string, seconds: number, connections = 32, pid?: number): LoadResult {
  const cpu0 = pid ? cpuMs(pid) : 0;
  const threads0 = pid ? cpuMsByThread(pid) : new Map<string, number>();
  const file = join(dir, `s${n++}.lua`);
  writeFileSync(file, `math.randomseed(${n})\n${lua}`);
  const out = execFileSync(
    "wrk",
    ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "--timeout", "5s", "-s", file, url],
    { encoding: "utf8" },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
  const requests = Number(/(\d+) requests in/.exec(out)![1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const cpu = pid ? cpuMs(pid) - cpu0 : 0;
  const cpuByThread: Record<string, number> = {};
  if (pid)
    for (const [name, t] of cpuMsByThread(pid)) {
      const us = Math.round(((t - (threads0.get(name) ?? 0)) * 1000) / Math.max(1, requests));
      if (us > 0) cpuByThread[name] = us;
    }
  return {
    rps: Math.round(rps),
    ...(pid ? { cpuUsPerReq: Math.round((cpu * 1000) / Math.max(1, requests)), cpuByThread } : {}),
    p50: ms(/^\s+50%\s+(\S+)/m.exec(out)![1]!),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(out)![1]!),
    errors: non2xx + socketErrors,
    requests,
  };
}

/** A Lua request function sending `method path` with a bearer key; `path`/`body` are Lua expressions. */
export function luaRequest(o: { method: string; path: string; body?: string; key?: string; prelude?: string }): string {
  const headers = [
    o.key ? `["Authorization"] = "Bearer ${o.key}"` : "",
    o.body ? `["Content-Type"] = "application/json"` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${o.prelude ?? ""}
request = function()
  return wrk.format("${o.method}", ${o.path}, { ${headers} }, ${o.body ?? "nil"})
end
`;
}
