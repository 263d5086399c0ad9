import { channelsSuite } from "../shared/channels";
import { appWorkersHarness } from "./harness";

const h = appWorkersHarness();
channelsSuite(() => h);
