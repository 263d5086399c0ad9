// Global setup of the workers project (runs in Node): a real webhook receiver on loopback for tests inside workerd,
// which reach it with fetch to 127.0.0.1 (miniflare lets a Worker's outbound fetch through to this machine).
import type { TestProject } from "vitest/node";
import { startReceiver } from "../shared/receiver";

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const receiver = await startReceiver();
  project.provide("receiverUrl", receiver.url);
  return () => receiver.close();
}
