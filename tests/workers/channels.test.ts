import { channelsSuite } from "../shared/channels";
import { faultyWorkersHarness } from "./harness";

const h = faultyWorkersHarness({}, { decodeVins: true });
channelsSuite(() => h);
