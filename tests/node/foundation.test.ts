import { afterAll, beforeAll } from "vitest";
import { foundationSuite } from "../shared/foundation";
import { keysAuditSuite } from "../shared/keys-audit";
import { securitySuite } from "../shared/security";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

foundationSuite(() => h);
securitySuite(() => h);
keysAuditSuite(() => h);
