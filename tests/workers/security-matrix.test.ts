import { securityMatrixSuite } from "../shared/security-matrix";
import { workersHarness } from "./harness";

const h = workersHarness();
securityMatrixSuite(() => h);
