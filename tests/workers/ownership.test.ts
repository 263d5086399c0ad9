import { ownershipSuite } from "../shared/ownership";
import { faultyWorkersHarness } from "./harness";

// Through the app with waitUntil settled by the harness (`settle`), over the real D1 binding (no faults set).
const h = faultyWorkersHarness();
ownershipSuite(() => h);
