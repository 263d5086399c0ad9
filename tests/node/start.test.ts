/**
 * `npm start` end to end, as a person runs it: a real process on a port other than 8787 (as PORT=9123 would),
 * the banner, /docs, the demo keys' origins, the typed client's README example, the access log, and a
 * second start on the same port.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const tsx = (script: string) => [process.execPath, ["--import", "tsx", script]] as const;

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

let dir: string;
let child: ChildProcess;
let port: number;
let out = "";
let err = "";
const base = () => `http://127.0.0.1:${port}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pitwall-start-"));
  port = await freePort();
  const [cmd, args] = tsx("scripts/start.ts");
  child = spawn(cmd, [...args], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${join(dir, "pitwall.db")}`, ACCESS_LOG: "on" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes("Stop with Ctrl+C")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGINT"); // what Ctrl+C sends
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const key = (kind: string) => new RegExp(`${kind} \\((?:sk|pk|vk)_\\)\\s+((?:sk|pk|vk)_\\w+)`).exec(out)?.[1] ?? "";

describe("npm start on another port", () => {
  it("prints where it serves, the database file, how to stop, and demo keys whose origins follow the port", () => {
    expect(out).toContain(`API       ${base()}`);
    expect(out).toContain(`Docs      ${base()}/docs`);
    expect(out).toContain(`Database  ${join(dir, "pitwall.db")}`);
    expect(out).toContain("Stop with Ctrl+C");
    expect(out).toContain(`origins: http://localhost:${port}, http://127.0.0.1:${port}`);
    expect(out).not.toContain(":8787");
    expect(key("admin")).toMatch(/^sk_/);
    expect(err).toBe("");
  });

  it("serves /docs and an /openapi.json whose server is this port", async () => {
    expect((await fetch(`${base()}/docs`)).status).toBe(200);
    const spec = (await (await fetch(`${base()}/openapi.json`)).json()) as { servers: { url: string }[] };
    expect(spec.servers[0]!.url).toBe(base());
  });

  it("lets the demo publishable key decide from a page of this origin", async () => {
    const res = await fetch(`${base()}/v1/decide`, {
      method: "POST",
      headers: { authorization: `Bearer ${key("publishable")}`, "content-type": "application/json", origin: base() },
      // A browser's first ask names no one: Pitwall issues the visitor and a token the page keeps.
      body: JSON.stringify({ channel: "dealer_site", placement: "hero" }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(base());
    expect(((await res.json()) as { visitor?: { visitorToken?: string } }).visitor?.visitorToken).toBeTruthy();
  });

  it("runs the typed client's README example: decides and records an outcome", async () => {
    const [cmd, args] = tsx("clients/typescript/example.ts");
    const r = await run(cmd, [...args], { env: { ...process.env, PITWALL_URL: base(), PITWALL_KEY: key("admin") } });
    expect(r.stdout).toMatch(/^decision dec_[\w-]+…: [\w-]+/m);
    expect(r.stdout).toMatch(/^outcome: click on [\w-]+ recorded \(new\)$/m);
  }, 60_000);

  it("logs one JSON line per request with method, path, status, duration, request id and key id — never the key", async () => {
    const rid = `start-test-${Date.now()}`;
    await fetch(`${base()}/v1/dealers?email=ann@example.com`, {
      headers: { authorization: `Bearer ${key("admin")}`, "x-request-id": rid },
    });
    await expect.poll(() => out.includes(rid)).toBe(true);
    const line = JSON.parse(out.split("\n").find((l) => l.includes(rid))!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: "request", method: "GET", path: "/v1/dealers", status: 200, requestId: rid });
    expect(line.keyId).toMatch(/^key_/);
    expect(typeof line.durationMs).toBe("number");
    const log = out.slice(out.indexOf("Stop with Ctrl+C"));
    for (const k of ["admin", "publishable"]) expect(log).not.toContain(key(k));
    expect(log).not.toContain("ann@example.com");
  });

  it("a second start on the same port says so in one line and exits non-zero, without a stack trace", async () => {
    const [cmd, args] = tsx("scripts/start.ts");
    const r = await run(cmd, [...args], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${join(dir, "second.db")}` },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`pitwall: port ${port} is in use; set PORT=... (e.g. PORT=${port + 1} npm start)`);
  }, 60_000);
});
