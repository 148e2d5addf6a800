/**
 * The scenario file format, as a valibot schema: one place that both validates files (reporting
 * file and field) and gives the TypeScript types. valibot rather than a hand-written checker:
 * typed, precise issue paths, and it loads in ~9 ms, which keeps start-up instant.
 */
import * as v from 'valibot';
import { ERROR_CATALOGUE, errorKeyForCode, foreignCodeOwner, type ErrorKey } from '../errors.js';
import { ID_CARD_KEYS, ID_TYPES, type IdType } from '../id-card.js';

/** The endpoints a scenario can serve. */
export const ENDPOINTS = ['public-key', 'credit-card', 'id-card', 'id-card/stand-alone', 'id-card/authenticity'] as const;
/** An endpoint name. */
export type Endpoint = (typeof ENDPOINTS)[number];

/** A result code or its documented name, as the catalogue key; undefined when neither. */
function errorKeyOf(input: number | string): ErrorKey | undefined {
  // Object.hasOwn, not `in`: "toString" must not pass as an error name.
  if (typeof input === 'number') return errorKeyForCode(input);
  return Object.hasOwn(ERROR_CATALOGUE, input) ? (input as ErrorKey) : undefined;
}

/** Why a code cannot be played: another product's code says whose it is. */
function unplayable(input: number | string): string {
  const foreign = foreignCodeOwner(input);
  if (foreign) return `${foreign.code} ${foreign.key} belongs to ${foreign.owner}, not to a credit-card or ID-card call`;
  // A code in quotes ('5003011' in YAML, "5003011" in JSON) is a string, and no name is digits.
  const quoted = typeof input === 'string' && /^-?\d+$/.test(input) ? errorKeyForCode(Number(input)) : undefined;
  if (quoted) return `"${input}" is a code in quotes: write it as a number (error: ${input}) or by its name (error: ${quoted})`;
  return `${JSON.stringify(input)} is not a documented result code or name`;
}

const errorCode = v.pipe(
  v.union([v.number(), v.string()], 'error must be a documented result code (number) or its name'),
  v.check(
    (input) => errorKeyOf(input) !== undefined,
    (issue) => unplayable(issue.input),
  ),
  v.transform((input) => errorKeyOf(input)!),
);

const strings = v.record(v.string(), v.string('values must be strings'));

const creditCardScript = v.pipe(
  v.strictObject({
    /** The card number, digits with optional spaces or dashes; split into groups of four. */
    cardNumber: v.optional(v.pipe(v.string(), v.regex(/^[\d -]{8,32}$/, 'cardNumber must be digits (spaces or dashes allowed)'))),
    /** Groups as printed, e.g. ["3782", "822463", "10005"]. */
    cardNums: v.optional(v.pipe(v.array(v.pipe(v.string(), v.regex(/^\d+$/, 'each group must be digits'))), v.minLength(1))),
    validThru: v.optional(v.pipe(v.string(), v.regex(/^\d\d\/\d\d$/, 'validThru must be MM/YY'))),
    conf: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  }),
  v.forward(
    v.check((s) => !(s.cardNumber && s.cardNums), 'give either cardNumber or cardNums, not both'),
    ['cardNums'],
  ),
);

type IdCardKeys = { idType?: IdType | undefined; values?: Record<string, string> | undefined; omit?: string[] | undefined };

/** Keys of `values`/`omit` that the card type does not have: a typo would otherwise be silently ignored. */
function unknownKeys(script: IdCardKeys, field: 'values' | 'omit'): string[] {
  const known = ID_CARD_KEYS[script.idType ?? 'resident'];
  const keys = field === 'values' ? Object.keys(script.values ?? {}) : (script.omit ?? []);
  return keys.filter((key) => !known.includes(key));
}

function unknownKeysMessage(script: IdCardKeys, field: 'values' | 'omit'): string {
  const idType = script.idType ?? 'resident';
  return `${unknownKeys(script, field).join(', ')}: not a key of ${idType} (keys: ${ID_CARD_KEYS[idType].join(', ')})`;
}

const idCardScript = v.pipe(
  v.strictObject({
    idType: v.optional(v.picklist(ID_TYPES, `idType must be one of ${ID_TYPES.join(', ')}`)),
    /** Plaintext values by key; keys left out get plausible defaults. */
    values: v.optional(strings),
    /** Keys to leave out of the result altogether (e.g. a card with no serial number). */
    omit: v.optional(v.array(v.string())),
    conf: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  }),
  v.forward(
    v.check(
      (s) => unknownKeys(s, 'values').length === 0,
      (issue) => unknownKeysMessage(issue.input, 'values'),
    ),
    ['values'],
  ),
  v.forward(
    v.check(
      (s) => unknownKeys(s, 'omit').length === 0,
      (issue) => unknownKeysMessage(issue.input, 'omit'),
    ),
    ['omit'],
  ),
);

const box = v.looseObject({ x1: v.number(), y1: v.number(), x2: v.number(), y2: v.number(), x3: v.number(), y3: v.number(), x4: v.number(), y4: v.number() });
const recognised = v.looseObject({ value: v.string('value must be a string (in plaintext)'), conf: v.number() });
const imageFacts = {
  fileType: v.picklist(['jpg', 'png'], 'fileType must be jpg or png'),
  resolution: v.picklist(['normal', 'low'], 'resolution must be normal or low'),
};

/**
 * A whole result as the service answered it, values in plaintext (a recording,
 * docs/record-live-service.md): played as it is, each value encrypted for the caller. Loose:
 * a field the service adds later is kept and played too.
 */
const recordedCreditCard = v.looseObject({
  ...imageFacts,
  cardNums: v.array(recognised),
  totalCardNum: v.optional(v.string()),
  cardNumBoxes: v.optional(v.array(box)),
  validThru: v.optional(recognised),
  validThruBox: v.optional(box),
});
const recordedIdCard = v.looseObject({
  ...imageFacts,
  idType: v.picklist(ID_TYPES, `idType must be one of ${ID_TYPES.join(', ')}`),
  keyValues: v.array(v.looseObject({ key: v.string(), value: v.string('value must be a string (in plaintext)'), conf: v.number(), bbox: v.optional(box) })),
  boxes: v.optional(v.array(box)),
});

/** One outcome: an error or a result, with optional delay, fault and authenticity verdict. */
export const OutcomeSchema = v.strictObject({
  error: v.optional(errorCode),
  delayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(120_000))),
  fault: v.optional(v.picklist(['drop-connection'], 'fault must be drop-connection')),
  creditCard: v.optional(creditCardScript),
  idCard: v.optional(idCardScript),
  /** `match` compares submitted values with the recognised ones; true/false forces the verdict. */
  authenticity: v.optional(v.union([v.boolean(), v.literal('match')], 'authenticity must be true, false or match')),
  /** Whether /id-card sends a Request-Key (default: yes, as the guide says). */
  requestKey: v.optional(v.boolean()),
  /** A whole result, values in plaintext, played as it is (a recording of the live service). */
  result: v.optional(
    v.union([recordedCreditCard, recordedIdCard], 'result must be a credit-card result (cardNums, ...) or an ID-card result (idType, keyValues, ...)'),
  ),
});

/** A scenario file's content. */
export const ScenarioSchema = v.pipe(
  v.strictObject({
    description: v.pipe(v.string('description is required'), v.minLength(1, 'description is required')),
    endpoints: v.pipe(
      v.array(v.picklist([...ENDPOINTS, '*'], `endpoints must be among ${ENDPOINTS.join(', ')} or *`)),
      v.minLength(1, 'endpoints needs at least one endpoint'),
    ),
    outcome: v.optional(OutcomeSchema),
    sequence: v.optional(v.pipe(v.array(OutcomeSchema), v.minLength(1, 'sequence needs at least one outcome'))),
    /** After the sequence's last step: stay on it (`last`, default) or start over (`cycle`). */
    repeat: v.optional(v.picklist(['last', 'cycle'])),
    /** Where a recording came from (docs/record-live-service.md); only people read it. */
    recorded: v.optional(
      v.strictObject({
        at: v.string(),
        target: v.string(),
        api: v.optional(v.picklist(['v2.0', 'v2.1'])),
        redacted: v.boolean('redacted must be true or false'),
      }),
    ),
    match: v.optional(
      v.strictObject({
        imageSha256: v.optional(v.array(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/i, 'imageSha256 entries are 64 hex digits')))),
        /** Image files next to the scenario file whose decrypted upload selects it. */
        sampleImages: v.optional(v.array(v.string())),
      }),
    ),
  }),
  v.check((s) => !(s.outcome && s.sequence), 'give either outcome or sequence, not both'),
  v.check(
    (s) => [s.outcome, ...(s.sequence ?? [])].every((o) => !o?.result || resultFits(o.result, s.endpoints)),
    'a credit-card result (cardNums) serves only credit-card, an ID-card result (keyValues) only id-card and id-card/stand-alone',
  ),
  v.check((s) => [s.outcome, ...(s.sequence ?? [])].every((o) => !(o?.result && o.error !== undefined)), 'give either result or error, not both'),
  v.forward(
    v.check((s) => !s.repeat || Boolean(s.sequence), 'repeat applies to a sequence only'),
    ['repeat'],
  ),
);

/** Whether a whole result fits every endpoint a scenario serves. */
function resultFits(result: object, endpoints: readonly string[]): boolean {
  const allowed = 'cardNums' in result ? ['credit-card'] : ['id-card', 'id-card/stand-alone'];
  return endpoints.every((endpoint) => allowed.includes(endpoint));
}

/** A recorded credit-card result (`outcome.result` with cardNums). */
export type RecordedCreditCard = v.InferOutput<typeof recordedCreditCard>;
/** A recorded ID-card result (`outcome.result` with keyValues). */
export type RecordedIdCard = v.InferOutput<typeof recordedIdCard>;

/** A parsed outcome. */
export type Outcome = v.InferOutput<typeof OutcomeSchema>;
/** A parsed scenario file. */
export type ScenarioFile = v.InferOutput<typeof ScenarioSchema>;

/** A loaded scenario. */
export interface Scenario extends Omit<ScenarioFile, 'match' | 'endpoints'> {
  name: string;
  endpoints: readonly (Endpoint | '*')[];
  /** The file it came from (for people). */
  source: string;
  /** Lower-case SHA-256 digests of the images that select it. */
  imageSha256: string[];
}

/**
 * Validates a parsed file; returns the scenario or messages naming each bad field.
 * @example parseScenario({ description: 'x', endpoints: ['credit-card'], outcome: { error: 4000111 } })
 */
export function parseScenario(input: unknown): { ok: true; value: ScenarioFile } | { ok: false; problems: string[] } {
  // valibot reads an array as an object with keys "0", "1"...: say what is wrong instead.
  if (Array.isArray(input)) return { ok: false, problems: ['a scenario file must be a mapping, not a list'] };
  const result = v.safeParse(ScenarioSchema, input);
  if (result.success) return { ok: true, value: result.output };
  return {
    ok: false,
    problems: result.issues.map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${readable(issue)}` : readable(issue);
    }),
  };
}

/** valibot's generic object messages ("Invalid key: Expected never ...") in the file author's terms. */
function readable(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema' && issue.type === 'strict_object' && issue.expected === 'never') return 'unknown field';
  if (issue.kind === 'schema' && issue.type === 'strict_object' && issue.received === 'undefined') return 'is required';
  if (issue.kind === 'schema' && issue.type === 'strict_object' && !issue.path?.length) return `a scenario file must be a mapping, not ${issue.received}`;
  return issue.message;
}

/**
 * Whether a scenario serves an endpoint.
 * @example serves(scenario, 'credit-card') // true
 */
export function serves(scenario: Pick<Scenario, 'endpoints'>, endpoint: Endpoint): boolean {
  return scenario.endpoints.includes('*') || scenario.endpoints.includes(endpoint);
}
