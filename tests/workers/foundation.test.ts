import { foundationSuite } from "../shared/foundation";
import { securitySuite } from "../shared/security";
import { workersHarness } from "./harness";

const h = workersHarness();
foundationSuite(() => h);
securitySuite(() => h);
