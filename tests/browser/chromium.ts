/**
 * Browser tests' helper: Debian's Chromium driven headless by playwright-core, with every request that leaves
 * the machine blocked and every console error collected. Use it from a test in tests/browser/:
 *
 *   const browser = await openBrowser();          // the path comes from globalSetup (findChromium)
 *   const page = await browser.newPage();
 *   await page.goto(`${server.url}/docs`);
 *   ...
 *   expect(browser.blocked).toEqual([]);          // nothing tried to reach another host
 *   expect(browser.consoleErrors).toEqual([]);    // no script error, no CSP violation
 *   await browser.close();
 */
import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}

/** Where Debian puts its chromium. */
export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/** Flags for a quiet, reproducible headless Chromium in a container (no sandbox: CI runs as root). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The Chromium to drive: CHROMIUM_PATH, else the system's; when there is none and this process runs as root,
 * Debian's `chromium` package is installed first (as CI has it). Otherwise one line says what to install.
 */
export function findChromium({
  env = process.env,
  systemPath = SYSTEM_CHROMIUM,
  isRoot = process.getuid?.() === 0,
  log = console.log,
}: {
  env?: Record<string, string | undefined>;
  systemPath?: string;
  isRoot?: boolean;
  log?: (s: string) => void;
} = {}): string {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return env.CHROMIUM_PATH;
  }
  if (existsSync(systemPath)) return systemPath;
  if (isRoot) {
    log("browser tests: installing Debian's chromium (apt-get install -y chromium)…");
    execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", {
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 15 * 60_000,
    });
    if (existsSync(systemPath)) return systemPath;
  }
  throw new Error(
    "browser tests need Chromium: install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH",
  );
}

/** The version line of a Chromium binary, e.g. "Chromium 142.0.7444.175 built on Debian …". */
export function chromiumVersion(path: string): string {
  return execFileSync(path, ["--version"], { encoding: "utf8" }).trim();
}

/** True for the loopback addresses a test server listens on (127.0.0.0/8, ::1, localhost). */
export function isLoopback(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === "data:" || u.protocol === "blob:" || u.protocol === "about:") return true;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  /** Requests to another host, aborted before they left (should stay empty). */
  blocked: string[];
  /** Console errors and uncaught page errors, CSP violations included (should stay empty). */
  consoleErrors: string[];
  close(): Promise<void>;
}

/** A fresh Chromium (new profile directory) whose pages may reach loopback only. */
export async function openBrowser(executablePath: string = inject("chromiumPath")): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "pitwall-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const blocked: string[] = [];
  const consoleErrors: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  const watch = (page: Page) => {
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`));
  };
  context.on("page", watch);
  return {
    context,
    blocked,
    consoleErrors,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
