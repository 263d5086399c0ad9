// Vehicle domain: VIN validation (pure, runs anywhere) and VIN decoding (corgi, loaded on first decode).
export { computeCheckDigit, validateVin, type VinRule, type VinValidation } from "./vin";
export {
  createCorgiDecoder,
  powertrainFromVpic,
  type DecodedVehicle,
  type Powertrain,
  type VinDecoder,
  type VpicFuel,
} from "./decode";
