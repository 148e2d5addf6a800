/**
 * The scenario file format, as a valibot schema: one place that both validates files (reporting
 * file and field) and gives the TypeScript types. valibot rather than a hand-written checker:
 * typed, precise issue paths, and it loads in ~9 ms, which keeps start-up instant.
 */
import * as v from 'valibot';
import { ERROR_CATALOGUE, errorKeyForCode, type ErrorKey } from '../errors.js';
import { ID_TYPES } from '../id-card.js';

/** The endpoints a scenario can serve. */
export const ENDPOINTS = ['public-key', 'credit-card', 'id-card', 'id-card/stand-alone', 'id-card/authenticity'] as const;
/** An endpoint name. */
export type Endpoint = (typeof ENDPOINTS)[number];

const errorCode = v.pipe(
  v.union([v.number(), v.string()], 'error must be a documented result code (number) or its name'),
  v.transform((input): ErrorKey | undefined =>
    typeof input === 'number' ? errorKeyForCode(input) : input in ERROR_CATALOGUE ? (input as ErrorKey) : undefined,
  ),
  v.check((key) => key !== undefined, 'error is not a documented result code'),
  v.transform((key) => key!),
);

const strings = v.record(v.string(), v.string('values must be strings'));

const creditCardScript = v.strictObject({
  /** The card number, digits with optional spaces or dashes; split into groups of four. */
  cardNumber: v.optional(v.pipe(v.string(), v.regex(/^[\d -]{8,32}$/, 'cardNumber must be digits (spaces or dashes allowed)'))),
  /** Groups as printed, e.g. ["3782", "822463", "10005"]. */
  cardNums: v.optional(v.pipe(v.array(v.pipe(v.string(), v.regex(/^\d+$/, 'each group must be digits'))), v.minLength(1))),
  validThru: v.optional(v.pipe(v.string(), v.regex(/^\d\d\/\d\d$/, 'validThru must be MM/YY'))),
  conf: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
});

const idCardScript = v.strictObject({
  idType: v.optional(v.picklist(ID_TYPES, `idType must be one of ${ID_TYPES.join(', ')}`)),
  /** Plaintext values by key; keys left out get plausible defaults. */
  values: v.optional(strings),
  /** Keys to leave out of the result altogether (e.g. a card with no serial number). */
  omit: v.optional(v.array(v.string())),
  conf: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
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
    match: v.optional(
      v.strictObject({
        imageSha256: v.optional(v.array(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/i, 'imageSha256 entries are 64 hex digits')))),
        /** Image files next to the scenario file whose decrypted upload selects it. */
        sampleImages: v.optional(v.array(v.string())),
      }),
    ),
  }),
  v.check((s) => !(s.outcome && s.sequence), 'give either outcome or sequence, not both'),
);

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
  const result = v.safeParse(ScenarioSchema, input);
  if (result.success) return { ok: true, value: result.output };
  return {
    ok: false,
    problems: result.issues.map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    }),
  };
}

/**
 * Whether a scenario serves an endpoint.
 * @example serves(scenario, 'credit-card') // true
 */
export function serves(scenario: Pick<Scenario, 'endpoints'>, endpoint: Endpoint): boolean {
  return scenario.endpoints.includes('*') || scenario.endpoints.includes(endpoint);
}
