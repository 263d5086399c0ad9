/** The browser helper finds Chromium as CI has it, and otherwise says in one line what to install. */
import { describe, expect, it } from "vitest";
import { findChromium, isLoopback } from "./chromium";

describe("findChromium", () => {
  it("prefers CHROMIUM_PATH, then the system's", () => {
    expect(findChromium({ env: { CHROMIUM_PATH: process.execPath }, isRoot: false })).toBe(process.execPath);
    expect(findChromium({ env: {}, systemPath: process.execPath, isRoot: false })).toBe(process.execPath);
  });

  it("without one and without root, fails with one line naming what to install (never skips)", () => {
    let message = "";
    try {
      findChromium({ env: {}, systemPath: "/nonexistent/chromium", isRoot: false });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/apt-get install chromium.*CHROMIUM_PATH/);
    expect(message.split("\n")).toHaveLength(1);
    expect(() => findChromium({ env: { CHROMIUM_PATH: "/nonexistent/chromium" } })).toThrow(/does not exist/);
  });
});

describe("isLoopback", () => {
  it("lets loopback through and nothing else", () => {
    for (const u of ["http://127.0.0.1:8787/docs", "http://localhost:1/", "http://[::1]:9/", "data:text/plain,x"])
      expect(isLoopback(u), u).toBe(true);
    for (const u of ["https://unpkg.com/swagger-ui-dist", "http://10.0.0.1/", "http://192.168.1.2/", "http://8.8.8.8/"])
      expect(isLoopback(u), u).toBe(false);
  });
});
