/**
 * VIN decoding off the decision path: validated first (our rules are authoritative), decoded once per VIN
 * pattern, cached in memory and in vin_decodes (keyed by the pattern, never the full VIN).
 */
import { validateVin, type VinValidation } from "../domain/vehicle";
import { Problem } from "../http/problems";
import type { DecodedVehicle, VinDecoder } from "../domain/vehicle/decode";
import type { VinInfo } from "../domain/profile/types";
import type { CustomerRepo } from "../store/customers";

export type Decoded = Omit<DecodedVehicle, "vin">;

/** Positions 1-8 and 10-11: the vehicle type and model year, without check digit or serial number. */
export function vinPattern(vin: string): string {
  return vin.slice(0, 8) + vin.slice(9, 11);
}

export class VinService {
  private readonly memo = new Map<string, Decoded | null>();
  constructor(
    private readonly repo: CustomerRepo,
    private readonly decoder: VinDecoder | null,
    private readonly now: () => number,
  ) {}

  validate(vin: string): VinValidation {
    return validateVin(vin);
  }

  /** The validated VIN, or a 400 invalid-vin problem naming the rule it broke. */
  valid(vin: string): Extract<VinValidation, { ok: true }> {
    const v = validateVin(vin);
    if (!v.ok) throw new Problem("invalid-vin", v.message, { rule: v.rule });
    return v;
  }

  /** Whether VINs can be decoded on this runtime (a decoder is configured). */
  get canDecode(): boolean {
    return this.decoder !== null;
  }

  /** Decoded data for valid VINs; a VIN nobody can decode maps to null. */
  async decodeMany(vins: readonly string[]): Promise<Map<string, Decoded | null>> {
    const out = new Map<string, Decoded | null>();
    const missing = new Map<string, string>(); // pattern -> a vin
    for (const vin of new Set(vins)) {
      const p = vinPattern(vin);
      if (this.memo.has(p)) out.set(vin, this.memo.get(p)!);
      else missing.set(p, vin);
    }
    if (missing.size) {
      const cached = await this.repo.vinDecodes([...missing.keys()]);
      const fresh: { pattern: string; data: Decoded }[] = [];
      for (const [p, vin] of missing) {
        let d = (cached.get(p) as Decoded | undefined) ?? null;
        if (!cached.has(p) && this.decoder) {
          const r = await this.decoder.decode(vin);
          if (r) {
            const { vin: _vin, ...rest } = r;
            d = rest;
            fresh.push({ pattern: p, data: d });
          }
        }
        if (d || this.decoder) this.memo.set(p, d);
      }
      await this.repo.putVinDecodes(fresh, this.now());
      for (const vin of new Set(vins))
        if (!out.has(vin))
          out.set(vin, this.memo.get(vinPattern(vin)) ?? (cached.get(vinPattern(vin)) as Decoded | undefined) ?? null);
    }
    return out;
  }

  /** The projection's view of a decode. */
  static info(d: Decoded | null | undefined): VinInfo | undefined {
    return d ? { make: d.make, model: d.model, year: d.modelYear, powertrain: d.powertrain } : undefined;
  }
}
