import { decisioningSuite } from "../shared/decisioning";
import { workersHarness } from "./harness";

const h = workersHarness();
decisioningSuite(() => h);
