import { holdoutSuite } from "../shared/holdout";
import { workersHarness } from "./harness";

const h = workersHarness();
holdoutSuite(() => h);
