/** Writes docs/rules.md from the code's own tables (a test fails when the committed file drifts). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { rulesMarkdown } from "../src/domain/rules/reference";

const path = fileURLToPath(new URL("../docs/rules.md", import.meta.url).href);
writeFileSync(path, rulesMarkdown());
console.log("docs/rules.md written");
