/**
 * The ID-card success paths (guide, "ID Card Analysis API" and "(Stand alone)"; docs/emulated-api.md,
 * "Responses"): each idType's documented keys, values that decrypt with the caller's key,
 * bbox on each key value, and fileType/resolution agreeing with the image. Request-Key rules
 * are in request-key.ts.
 */
import { defineCases } from '../lib/case.js';
import { DOC, readIdCard } from './support.js';

const KEYS_DOC = `${DOC.guide}, ID Card Analysis API [Field] and "List included in KeyValues when idType is ..."; docs/emulated-api.md, "Responses"`;
const SYNTHETIC =
  'A live run accepts 4000121/5003023 for a synthetic image; where the emulator cannot be told which type to read, the type read is checked instead of the one asked for.';

export const ID_CARD_CASES = defineCases([
  {
    id: 'id-card/resident',
    title: 'Reads a resident registration card',
    description: `POST id-card answers SUCCESS with idType resident and keyValues name, residentNumber, issueDate, issuer, each value decrypting with the request's key, each with conf and bbox (since 2024-03-12); fileType/resolution match the image (${KEYS_DOC}). ${SYNTHETIC}`,
    basis: 'documented',
    async run(ctx) {
      await readIdCard(ctx, 'resident');
    },
  },
  {
    id: 'id-card/driver',
    title: "Reads a driver's licence",
    description: `idType driver with driverLicenseNumber (12 digits), licenseType ("/"-separated), name, residentNumber, condition ("none" when absent), serialNum, issueDate, issuer (${KEYS_DOC}). ${SYNTHETIC}`,
    basis: 'documented',
    async run(ctx) {
      await readIdCard(ctx, 'driver');
    },
  },
  {
    id: 'id-card/passport',
    title: 'Reads a passport',
    description: `idType passport with its 17 keys, the *YMD dates as 8-digit YYYYMMDD (${KEYS_DOC}; passports since the 2023-08 release). ${SYNTHETIC}`,
    basis: 'documented',
    async run(ctx) {
      await readIdCard(ctx, 'passport');
    },
  },
  {
    id: 'id-card/stand-alone-resident',
    title: 'Stand-alone reads a resident card like /id-card',
    description: `POST id-card/stand-alone answers the same result as /id-card (${DOC.guide}, "ID Card Analysis API (Stand alone)": only the Request-Key and the fee differ). ${SYNTHETIC}`,
    basis: 'documented',
    async run(ctx) {
      await readIdCard(ctx, 'resident', { endpoint: 'stand-alone' });
    },
  },
  {
    id: 'id-card/stand-alone-passport',
    title: 'Stand-alone reads a PNG passport',
    description: `As stand-alone-resident, with a PNG image: fileType "png" (${DOC.guide}, [Field] fileType "File extension (.jpg, .png)"). ${SYNTHETIC}`,
    basis: 'documented',
    async run(ctx) {
      await readIdCard(ctx, 'passport', { endpoint: 'stand-alone' });
    },
  },
]);
