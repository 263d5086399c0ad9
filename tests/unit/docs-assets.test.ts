/** The Workers asset build copies exactly the files the Node server serves for /docs. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SWAGGER_UI_FILES } from "../../src/http/docs";
import { buildDocsAssets, FILES } from "../../scripts/docs-assets.mjs";

describe("docs assets", () => {
  it("scripts/docs-assets.mjs copies SWAGGER_UI_FILES from swagger-ui-dist", () => {
    expect(FILES).toEqual([...SWAGGER_UI_FILES]);
    const { out } = buildDocsAssets();
    for (const f of FILES) expect(existsSync(join(out, f)), f).toBe(true);
  });
});
