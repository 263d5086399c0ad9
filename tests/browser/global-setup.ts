/** Finds (or, as root, installs) Chromium once for the browser project and hands its path to the tests. */
import type { TestProject } from "vitest/node";
import { chromiumVersion, findChromium } from "./chromium";

export default function setup(project: TestProject) {
  const path = findChromium();
  console.log(`browser tests: ${chromiumVersion(path)} (${path})`);
  project.provide("chromiumPath", path);
}
