import { concurrencySuite } from "../shared/concurrency";
import { faultyWorkersHarness } from "./harness";

const h = faultyWorkersHarness();
concurrencySuite(() => h);
