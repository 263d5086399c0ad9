import { customer360Suite } from "../shared/customer360";
import { workersHarness } from "./harness";

const h = workersHarness();
customer360Suite(() => h);
