/// <reference types="vite/client" />
// GET /v1/vins/{vin} through the Worker in workerd, decoding on D1 (createD1VinDecoder) with the vPIC test subset
// that tests/workers/vpic-setup.ts loads: make and model year of every valid row of vins.csv.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import csv from "../fixtures/vins/vins.csv?raw";
import { parseVinsCsv } from "../fixtures/vins/vins";
import { createStore } from "../../src/store";
import { openD1 } from "../../src/store/d1";

const validRows = parseVinsCsv(csv).filter((r) => r.valid === "true");

interface DecodedVin {
  vin: string;
  valid: true;
  modelYearCandidates: number[];
  decoded: {
    make: string | null;
    model: string | null;
    modelYear: number;
    powertrain: string;
    wmiKnown: boolean;
  } | null;
}

describe("VIN decoding on Workers (D1 vPIC)", () => {
  let key = "";
  const got = new Map<string, DecodedVin>();

  beforeAll(async () => {
    const store = createStore(openD1(env.DB));
    const now = Date.now();
    const tenant = await store.tenants.create({ slug: "vin-decode", name: "VIN decode", makes: ["NISSAN"] }, now);
    key = (await store.keys.create({ tenantId: tenant.id }, { kind: "server", name: "vins" }, now)).key;
    const started = performance.now();
    for (const { vin } of validRows) {
      const res = await SELF.fetch(`http://pitwall.test/v1/vins/${vin}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      if (res.status !== 200) throw new Error(`${vin}: ${res.status} ${await res.text()}`);
      got.set(vin, (await res.json()) as DecodedVin);
    }
    console.log(
      `decoded ${validRows.length} VINs through the Worker in ${(performance.now() - started).toFixed(0)} ms`,
    );
  }, 120_000);

  it("has the 157 valid rows", () => {
    expect(validRows).toHaveLength(157);
  });

  it.each(validRows)("$vin: make $make, model year $year", ({ vin, make, year }) => {
    const decoded = got.get(vin)?.decoded;
    expect(decoded?.make?.toLowerCase()).toBe(make.toLowerCase());
    expect(decoded?.modelYear).toBe(year);
  });

  it("agrees with the csv on make and model year for every valid row", () => {
    const agree = validRows.filter(
      (r) =>
        got.get(r.vin)?.decoded?.make?.toLowerCase() === r.make.toLowerCase() &&
        got.get(r.vin)?.decoded?.modelYear === r.year,
    );
    const exactCase = validRows.filter((r) => got.get(r.vin)?.decoded?.make === r.make);
    console.log(
      `make and model year agree: ${agree.length}/${validRows.length}; make spelled exactly as in the csv: ${exactCase.length}/${validRows.length}`,
    );
    expect(agree.length).toBe(validRows.length);
  });

  it("decodes the Leaf as an EV and the Volt as a plug-in hybrid, like Node", () => {
    expect(got.get("1N4AZ0CP6GC304290")?.decoded).toMatchObject({
      make: "Nissan",
      model: "Leaf",
      modelYear: 2016,
      powertrain: "ev",
      wmiKnown: true,
    });
    expect(got.get("1G1RB6S56HU172687")?.decoded).toMatchObject({
      make: "Chevrolet",
      model: "Volt",
      modelYear: 2017,
      powertrain: "phev",
    });
  });
});
