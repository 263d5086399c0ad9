/** Which webhook hosts count as this machine or a private network (SSRF guard, src/domain/channels/webhooks.ts). */
import { describe, expect, it } from "vitest";
import { isPrivateHost } from "../../src/domain/channels/webhooks";

describe("isPrivateHost", () => {
  it.each([
    "localhost",
    "LOCALHOST.",
    "api.localhost",
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "10.1.2.3",
    "100.64.0.1",
    "100.127.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "[::1]",
    "::",
    "[fd00::1]",
    "fc12:3456::1",
    "[fe80::1]",
    "::ffff:127.0.0.1",
    "[::ffff:a9fe:a9fe]",
  ])("%s is private", (host) => {
    expect(isPrivateHost(host)).toBe(true);
  });

  it.each([
    "crm.example.com",
    "8.8.8.8",
    "100.63.255.255",
    "100.128.0.1",
    "172.15.0.1",
    "172.32.0.1",
    "192.169.0.1",
    "169.253.0.1",
    "[2606:4700::1111]",
    "::ffff:8.8.8.8",
    "localhost.example.com",
  ])("%s is public", (host) => {
    expect(isPrivateHost(host)).toBe(false);
  });
});
