// Vehicle domain: VIN validation and the mapping of decoded VINs (pure; decoders live in src/store/vpic/).
export { computeCheckDigit, isNhtsaException, validateVin, type VinRule, type VinValidation } from "./vin";
export {
  powertrainFromVpic,
  type DecodedVehicle,
  type Powertrain,
  type VinDecoder,
  type VpicFuel,
} from "./decode";
