import { erasureSuite } from "../shared/erasure";
import { faultyWorkersHarness } from "./harness";

const h = faultyWorkersHarness();
erasureSuite(() => h);
