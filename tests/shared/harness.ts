import type { Store } from "../../src/store";
import type { Faults } from "./faults";

/** What a route suite needs from a runtime: real HTTP into the app, and the store for fixtures. */
export interface Harness {
  runtime: "node" | "workers";
  /** The origin requests go to (http://127.0.0.1:<port> on Node). */
  origin: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  store: Store;
  /** The latency and failures of the app's store, when the harness wraps it. */
  faults?: Faults;
  /** Waits for work deferred past responses (decision logs) to be written. */
  settle?(): Promise<void>;
}
