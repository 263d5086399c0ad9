import { foundationSuite } from "../shared/foundation";
import { keysAuditSuite } from "../shared/keys-audit";
import { securitySuite } from "../shared/security";
import { workersHarness } from "./harness";

const h = workersHarness();
foundationSuite(() => h);
securitySuite(() => h);
keysAuditSuite(() => h);
