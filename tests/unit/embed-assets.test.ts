/** src/embed/assets.generated.ts is what `npm run embed` makes of src/widget/ (the committed build cannot drift). */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { embedAssetsSource, GENERATED } from "../../scripts/embed";
import { WIDGET_JS } from "../../src/embed/assets.generated";

describe("embedded browser code", () => {
  it("the committed build equals a fresh esbuild build of src/widget (npm run embed)", async () => {
    expect(readFileSync(GENERATED, "utf8")).toBe(await embedAssetsSource());
  }, 60_000);

  it("the widget is at most 10 KB gzipped", () => {
    expect(gzipSync(WIDGET_JS, { level: 9 }).byteLength).toBeLessThanOrEqual(10 * 1024);
  });
});
