import { embedSuite } from "../shared/embed";
import { appWorkersHarness } from "./harness";

const h = appWorkersHarness();
embedSuite(() => h);
