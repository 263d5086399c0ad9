import type { Store } from "../../src/store";

/** What a route suite needs from a runtime: real HTTP into the app, and the store for fixtures. */
export interface Harness {
  runtime: "node" | "workers";
  /** The origin requests go to (http://127.0.0.1:<port> on Node). */
  origin: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  store: Store;
}
