/** Demo mode's configuration: validated once (config.ts), used by the demo pages (demo.ts). */
import { z } from "zod";

/** What demo mode needs: the demo keys (plaintext, local only) and the demo car's VIN. */
export interface DemoConfig {
  /** pk_: the widget on the demo pages. */
  publishable: string;
  /** vk_: the in-car page's car. */
  vehicle: string;
  vin: string;
  /** sk_ with events:write: the configurator's own backend (never sent to a browser). */
  site: string;
}

export const DemoConfigSchema = z.object({
  publishable: z.string().startsWith("pk_"),
  vehicle: z.string().startsWith("vk_"),
  vin: z.string().length(17),
  site: z.string().startsWith("sk_"),
});
