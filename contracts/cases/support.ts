/**
 * What several case files share: envelope headers for raw requests, the checks of a credit-card
 * and an ID-card result, and authenticity fields built from what an ID card read.
 * Every check cites the place in the documentation it rests on.
 */
import { randomUUID } from 'node:crypto';
import { newSymmetricKey, wrapSymmetricKey, type OcrResponse, type ServiceName } from '../client/index.js';
import type { CaseContext } from '../lib/case.js';
import { allowedResolutions, type CaseImage, type ImageRole } from '../lib/images.js';
import { checkIdValue, digitsOf, ID_KEYS, isIdType, isLuhnValid, isPlausibleValidThru, toYyyymmdd, type IdType } from '../lib/plausible.js';

/** Doc references used in descriptions and messages. */
export const DOC = {
  guide: 'TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md',
  guide21: 'TOAST-DOCS/OCR en/document-ocr-api-guide-v2.1.md',
  issuer: 'docs/emulated-api.md, "The token issuer" (NHN Cloud public API, User Access Key token)',
  v21: 'docs/emulated-api.md, "v2.1 and the token issuer"',
  dated: 'docs/emulated-api.md, "Dated behaviour"',
  errors: 'TOAST-DOCS/OCR en/document-ocr-error-code.md',
  facts: 'docs/emulated-api.md',
  table: 'docs/emulated-api.md, "Which condition gets which code"',
} as const;

/**
 * The API path of an operation for the run's API version and app key.
 * @example apiPath(ctx, 'credit-card') // '/v2.0/appkeys/emulator-appkey/credit-card'
 */
export function apiPath(ctx: CaseContext, operation: string, appKey = ctx.target.appKey): string {
  return ctx.client.apiPath(operation, appKey);
}

/**
 * A correct envelope's headers for a raw request (authentication of the run's version
 * included), and the symmetric key inside.
 * @example const { headers, key } = await envelopeFor(ctx, 'credit-card');
 */
export async function envelopeFor(ctx: CaseContext, service: ServiceName): Promise<{ key: Buffer; headers: Record<string, string> }> {
  const publicKey = await ctx.client.publicKey(service);
  const key = newSymmetricKey();
  return {
    key,
    headers: {
      ...(await ctx.client.authHeaders()),
      'X-Key-Version': publicKey.version,
      'Symmetric-Key': wrapSymmetricKey(publicKey.key, key),
    },
  };
}

/** A Request-Key no server has issued. */
export function unknownRequestKey(): string {
  return randomUUID();
}

/**
 * A check of recognised content rather than of the contract (a real photo can be misread: a
 * digit that fails Luhn, a date in another format). Strict runs fail it; lenient (live) runs
 * note it, since the documentation promises no recognition accuracy.
 */
export function plausible(ctx: CaseContext, ok: boolean, difference: string): void {
  if (ok) return;
  if (ctx.target.lenient) ctx.note(`implausible reading: ${difference}`);
  else ctx.check(false, difference);
}

/** A box is four corners of numbers (guide, [Field]: "{ x1, y1, x2, y2, x3, y3, x4, y4 }"). */
export function checkBox(ctx: CaseContext, box: unknown, path: string): void {
  const corners = ['x1', 'y1', 'x2', 'y2', 'x3', 'y3', 'x4', 'y4'];
  const ok = box !== null && typeof box === 'object' && corners.every((c) => Number.isFinite((box as Record<string, unknown>)[c]));
  ctx.check(ok, `${path} ${JSON.stringify(box)} is not a box of x1..y4 numbers (${DOC.guide}, [Field])`);
}

/** `fileType` and `resolution` agree with the image (docs/emulated-api.md, "Responses"). */
export function checkImageFacts(ctx: CaseContext, result: Record<string, unknown>, image: CaseImage): void {
  ctx.check(
    result['fileType'] === image.fileType,
    `fileType ${JSON.stringify(result['fileType'])} but ${image.name} is a ${image.fileType} (docs/emulated-api.md, Responses)`,
  );
  const allowed = allowedResolutions(image.width, image.height, image.orientation);
  ctx.check(
    allowed.includes(result['resolution'] as 'normal'),
    `resolution ${JSON.stringify(result['resolution'])} for ${image.width}x${image.height} px; expected ${allowed.join(' or ')} ("normal" at 760x480 px or more: ${DOC.guide}, [Field] resolution)`,
  );
}

/** A confidence is a number in 0..1 (guide, [Field]: conf Double). */
export function checkConf(ctx: CaseContext, conf: unknown, path: string): void {
  ctx.check(typeof conf === 'number' && conf >= 0 && conf <= 1, `${path} ${JSON.stringify(conf)} is not a confidence in 0..1`);
}

/**
 * Checks a credit-card success whose values are still encrypted (`decrypt: false`): the
 * values decrypt with the request's key, the groups are digits, `totalCardNum` is their
 * concatenation and passes Luhn, the expiry is MM/YY, and the image facts agree.
 */
export function checkCreditCardResult(ctx: CaseContext, answer: OcrResponse<unknown>, image: CaseImage): void {
  const result = answer.body.result as Record<string, unknown>;
  const key = answer.symmetricKey!;
  checkImageFacts(ctx, result, image);
  const groups = Array.isArray(result['cardNums']) ? (result['cardNums'] as Array<Record<string, unknown>>) : [];
  ctx.check(groups.length > 0, `cardNums is ${JSON.stringify(result['cardNums'])}, expected a list of groups (${DOC.guide}, Credit Card [Field])`);
  const digits = groups.map((group, i) => {
    checkConf(ctx, group['conf'], `cardNums[${i}].conf`);
    const value = ctx.openValue(key, group['value'], `cardNums[${i}].value`);
    plausible(ctx, value === undefined || /^\d+$/.test(value), `cardNums[${i}].value decrypts to ${JSON.stringify(value)}, not digits`);
    return value ?? '';
  });
  const total = ctx.openValue(key, result['totalCardNum'], 'totalCardNum');
  if (total !== undefined) {
    ctx.check(
      total === digits.join(''),
      `totalCardNum ${JSON.stringify(total)} is not the concatenation of cardNums ${JSON.stringify(digits.join(''))} (docs/emulated-api.md, Responses: the guide's 15-digit example is a typo)`,
    );
    plausible(ctx, isLuhnValid(total), `totalCardNum ${JSON.stringify(total)} fails the Luhn check every card number passes (ISO/IEC 7812-1)`);
  }
  const validThru = result['validThru'] as Record<string, unknown> | undefined;
  const expiry = ctx.openValue(key, validThru?.['value'], 'validThru.value');
  plausible(
    ctx,
    expiry === undefined || isPlausibleValidThru(expiry),
    `validThru.value decrypts to ${JSON.stringify(expiry)}, not MM/YY (guide example "04/19")`,
  );
  checkConf(ctx, validThru?.['conf'], 'validThru.conf');
  const boxes = Array.isArray(result['cardNumBoxes']) ? (result['cardNumBoxes'] as unknown[]) : [];
  ctx.check(boxes.length > 0, 'cardNumBoxes is empty or missing');
  boxes.forEach((box, i) => checkBox(ctx, box, `cardNumBoxes[${i}]`));
  checkBox(ctx, result['validThruBox'], 'validThruBox');
}

/** What an ID-card analysis read, decrypted. */
export interface IdReading {
  answer: OcrResponse<unknown>;
  idType: IdType | undefined;
  values: Record<string, string>;
}

/**
 * Checks an ID-card success whose values are still encrypted: the idType's documented keys
 * (no more, no fewer), each value decrypting to plausible text, a `bbox` on each (since
 * 2024-03-12), `boxes`, and the image facts. Returns what was read.
 */
export function checkIdCardResult(ctx: CaseContext, answer: OcrResponse<unknown>, image: CaseImage): IdReading {
  const result = answer.body.result as Record<string, unknown>;
  const key = answer.symmetricKey!;
  checkImageFacts(ctx, result, image);
  const idType = result['idType'];
  if (!isIdType(idType)) {
    ctx.check(false, `idType ${JSON.stringify(idType)} is none of resident, driver, passport (${DOC.guide}, ID Card [Field])`);
    return { answer, idType: undefined, values: {} };
  }
  const keyValues = Array.isArray(result['keyValues']) ? (result['keyValues'] as Array<Record<string, unknown>>) : [];
  const values: Record<string, string> = {};
  keyValues.forEach((kv, i) => {
    const name = String(kv['key']);
    const value = ctx.openValue(key, kv['value'], `keyValues[${name}].value`);
    if (value !== undefined) {
      values[name] = value;
      const implausible = checkIdValue(name, value);
      plausible(ctx, implausible === undefined, `${implausible} (decrypted)`);
    }
    checkConf(ctx, kv['conf'], `keyValues[${name}].conf`);
    checkBox(ctx, kv['bbox'], `keyValues[${i}].bbox (bbox on each key value since 2024-03-12)`);
  });
  const keys = keyValues.map((kv) => String(kv['key']));
  const documented: readonly string[] = ID_KEYS[idType];
  const missing = documented.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !documented.includes(k));
  ctx.check(missing.length === 0, `keyValues of ${idType} lack ${missing.join(', ')} (${DOC.guide}, "List included in KeyValues")`);
  ctx.check(extra.length === 0, `keyValues of ${idType} have undocumented keys ${extra.join(', ')}`);
  ctx.check(new Set(keys).size === keys.length, `keyValues repeat a key: ${keys.join(', ')}`);
  if (idType === 'driver' && values['condition'] !== undefined) {
    ctx.check(values['condition'].trim() !== '', 'driver condition is empty; the guide says "none" when the card has none');
  }
  const boxes = result['boxes'];
  ctx.check(Array.isArray(boxes), `boxes is ${JSON.stringify(boxes)}, expected a list`);
  if (Array.isArray(boxes)) boxes.forEach((box, i) => checkBox(ctx, box, `boxes[${i}]`));
  return { answer, idType, values };
}

/** Which image, and which emulator scenario makes the emulator read it as that type. */
export const ID_IMAGES: Record<IdType, { role: ImageRole; scenario: string }> = {
  resident: { role: 'id-resident', scenario: 'id-card/resident' },
  driver: { role: 'id-driver', scenario: 'id-card/driver' },
  passport: { role: 'id-passport', scenario: 'id-card/passport' },
};

/** The codes the documentation allows for an ID photo that is not read (e.g. a synthetic one on the live service). */
export const ID_NOT_READ = [4000121, 5003023] as const;
/** The same for a credit-card photo. */
export const CARD_NOT_READ = [4000111, 5003013] as const;

/**
 * Sends an ID image to `/id-card` or `/id-card/stand-alone`, asserts success (accepting "not
 * found" on lenient runs), checks the result, and insists on the expected idType where the
 * emulator was told which to read; elsewhere the recogniser decides (it is not a contract
 * which type a synthetic image reads as) and the case says so in a note.
 */
export async function readIdCard(
  ctx: CaseContext,
  type: IdType,
  options: { endpoint?: 'id-card' | 'stand-alone'; label?: string; scenario?: string } = {},
): Promise<IdReading> {
  const { role, scenario } = ID_IMAGES[type];
  const image = ctx.images.get(role);
  const envelope = { ...ctx.hint(options.scenario ?? scenario), decrypt: false };
  const answer = options.endpoint === 'stand-alone' ? await ctx.client.idCardStandAlone(image.bytes, envelope) : await ctx.client.idCard(image.bytes, envelope);
  ctx.expectSuccess(options.label ?? 'analysis', answer, { alternatives: ID_NOT_READ, image });
  const reading = checkIdCardResult(ctx, answer, image);
  if (reading.idType !== type) {
    if (ctx.target.control) ctx.check(false, `idType ${JSON.stringify(reading.idType)} although scenario ${scenario} asked for ${type}`);
    else ctx.note(`${image.name} read as ${String(reading.idType)}, not ${type}; checked as ${String(reading.idType)}`);
  }
  return reading;
}

/**
 * The authenticity fields for what an ID card read (guide, Verify Authenticity API [Field]):
 * resident 13-digit number and YYYYMMDD issue date; driver 7 digits (first 6 + the first of
 * the back 7) and 12-digit licence number; passport number, issue, birth and expiry dates.
 * @example authenticityFields(reading) // { idType: 'resident', name: '홍길동', residentNumber: '9001011234567', issueDate: '20200102' }
 */
export function authenticityFields(reading: IdReading, options: { serialNum?: boolean } = {}): Record<string, string> {
  const v = reading.values;
  switch (reading.idType) {
    case 'resident':
      return {
        idType: 'resident',
        name: v['name'] ?? '',
        residentNumber: digitsOf(v['residentNumber'] ?? ''),
        issueDate: toYyyymmdd(v['issueDate'] ?? '') ?? '',
      };
    case 'driver': {
      const fields: Record<string, string> = {
        idType: 'driver',
        name: v['name'] ?? '',
        residentNumber: digitsOf(v['residentNumber'] ?? '').slice(0, 7),
        driverLicenseNumber: digitsOf(v['driverLicenseNumber'] ?? ''),
      };
      if (options.serialNum !== false && v['serialNum']) fields['serialNum'] = v['serialNum'].trim();
      return fields;
    }
    case 'passport':
      return {
        idType: 'passport',
        name: v['koreanName'] || `${v['surName'] ?? ''} ${v['givenName'] ?? ''}`.trim(),
        passportNumber: (v['passportNo'] ?? '').trim(),
        issueDate: v['dateOfIssueYMD'] ?? '',
        birthDate: v['dateOfBirthYMD'] ?? '',
        expirationDate: v['dateOfExpiryYMD'] ?? '',
      };
    default:
      return {};
  }
}

/**
 * Reads a resident card or driver's licence on `/id-card` and returns its Request-Key, ending
 * the case as accepted where the service read no card (lenient runs, synthetic image), and
 * failing where no key came with the result. (Passports get none since 2026-05-27:
 * request-key/absent-for-passport.)
 */
export async function issueRequestKey(
  ctx: CaseContext,
  type: 'resident' | 'driver' = 'resident',
  scenario?: string,
): Promise<{ reading: IdReading; requestKey: string }> {
  const reading = await readIdCard(ctx, type, scenario ? { scenario } : {});
  const requestKey = reading.answer.requestKey;
  if (!requestKey) {
    ctx.fail(`/id-card answered ${String(reading.idType)} without a Request-Key header (${DOC.guide}, ID Card Analysis API [Response Header])`);
  }
  return { reading, requestKey: requestKey! };
}

/**
 * Runs (by their target, which both API versions of a run share) that already got
 * `isAuthenticity: false` for a resident card on a lenient run.
 */
const wrongResidentData = new WeakSet<object>();

/**
 * Sends an authenticity call. On a lenient (live) run, once a resident card was answered
 * `isAuthenticity: false` (likely a misread issue date), no further resident calls are sent in
 * that run, under either API version: five wrong issue dates lock a real person's card (4000123,
 * docs/emulated-api.md, "The authenticity request body").
 */
export async function sendAuthenticity(
  ctx: CaseContext,
  requestKey: string | null,
  fields: Record<string, unknown>,
  client = ctx.client,
): Promise<OcrResponse<{ isAuthenticity: boolean }>> {
  const resident = fields['idType'] === 'resident';
  if (ctx.target.lenient && resident && wrongResidentData.has(ctx.target)) {
    ctx.accept('not sent: an earlier resident authenticity call of this run answered false, and five wrong issue dates lock the card (4000123)');
  }
  const answer = await client.authenticity(requestKey, fields);
  if (ctx.target.lenient && resident && answer.result?.isAuthenticity === false) wrongResidentData.add(ctx.target);
  return answer;
}
