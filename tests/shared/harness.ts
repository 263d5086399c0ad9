import type { DemoConfig } from "../../src/embed/demo-config";
import type { VinService } from "../../src/services/vins";
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
  /** The app's VIN service (seeding the demo through the runtime's own decoder). */
  vins?: VinService;
  /** Switches demo mode on (the /demo pages with these keys) or off. */
  setDemo?(demo: DemoConfig | undefined): void;
}
