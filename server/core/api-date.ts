/**
 * The service as it behaved on a date. The live service changed after the 2023-08 guide, and a
 * team may need either side of a change: the default is today's service, and
 * `EMULATOR_API_DATE=YYYY-MM-DD` (docs/what-it-emulates.md, "Dated behaviour") pins an earlier one. Every dated
 * change a client can see is one row of {@link DATED_CHANGES}, citing its release note
 * (TOAST-DOCS/OCR en/document-ocr-release-notes.md; docs/emulated-api.md,
 * "Dated behaviour"); nothing else in the code compares dates.
 */

/** What differs between dates, as the engine and the routes ask it. */
export interface Behaviour {
  /** The date this behaviour is of, `YYYY-MM-DD`. */
  date: string;
  /** Whether the date was set (`EMULATOR_API_DATE`) rather than today's. */
  pinned: boolean;
  /** `keyValues[].bbox` on ID-card results. */
  keyValueBbox: boolean;
  /** Driver authenticity accepts a body without `serialNum`. */
  serialNumOptional: boolean;
  /** Wrong resident issue dates lock the card (4000123). */
  residentLock: boolean;
  /** `/v2.1/...` and the token issuer `/oauth2/...` exist. */
  v21: boolean;
  /** Passports get a Request-Key and passport authenticity works. */
  passportAuthenticity: boolean;
  /** The largest request body in bytes (4131000 above it). */
  maxUploadBytes: number;
}

/** One dated change of the live service. */
export interface DatedChange {
  /** The first day of the new behaviour, `YYYY-MM-DD`. */
  date: string;
  /** What changed, as a client sees it. */
  change: string;
  /** The release note (or guide edit) that says so. */
  source: string;
  /** The behaviour from this date on. */
  apply(behaviour: Behaviour): void;
}

const RELEASE_NOTES = 'TOAST-DOCS/OCR en/document-ocr-release-notes.md';
const MB = 1024 * 1024;

/** The earliest date the emulator can play: the v2.0 guide of 2023-08 it was written from. */
export const EARLIEST_API_DATE = '2023-08-29';

/**
 * The service on {@link EARLIEST_API_DATE}, before any row applies: the 2023-08 guide
 * (stand-alone API, passport analysis and passport authenticity, "August 29, 2023"), 5 MB requests.
 */
function seedBehaviour(date: string, pinned: boolean): Behaviour {
  return {
    date,
    pinned,
    keyValueBbox: false,
    serialNumOptional: false,
    residentLock: false,
    v21: false,
    passportAuthenticity: true,
    maxUploadBytes: 5 * MB,
  };
}

/** Every dated change since the seed guide, oldest first: one row each. */
export const DATED_CHANGES: readonly DatedChange[] = [
  {
    date: '2024-03-12',
    change: '`keyValues[].bbox` on ID-card results',
    source: `${RELEASE_NOTES}, "March 12, 2024": "Added information on recognition area coordiates of the analyzed key"`,
    apply: (b) => void (b.keyValueBbox = true),
  },
  {
    date: '2024-04-09',
    change: 'driver `serialNum` no longer required for authenticity (4000001 without it before)',
    source: `${RELEASE_NOTES}, "April 9, 2024": "Changed the password sequence number to not be a required value for driver licenses"`,
    apply: (b) => void (b.serialNumOptional = true),
  },
  {
    date: '2024-08-13',
    change: '4000123 lock after repeated wrong resident issue dates',
    source: `${RELEASE_NOTES}, "August 13, 2024": "Added error code ... more than 5 times in entering the resident registration card issuance date"`,
    apply: (b) => void (b.residentLock = true),
  },
  {
    date: '2026-03-10',
    change: '`/v2.1/...` with User Access Key tokens, and the token issuer `/oauth2/token/...` (4041007 before)',
    source: `${RELEASE_NOTES}, "March 10, 2026": "API v1.1, v2.1 released"`,
    apply: (b) => void (b.v21 = true),
  },
  {
    date: '2026-05-27',
    change: 'passport authenticity withdrawn: no Request-Key for passports, passport authenticity 4000001',
    source: `${RELEASE_NOTES}, "May 27, 2026": "Deprecated the passport authenticity verification service"`,
    apply: (b) => void (b.passportAuthenticity = false),
  },
  {
    date: '2026-08-11',
    change: 'request size limit 5 MB -> 20 MB (and the new host api-ocr.nhncloudservice.com)',
    source: `${RELEASE_NOTES}, "August 11, 2026": "Increased the maximum request file size from 5 MB to 20 MB"`,
    apply: (b) => void (b.maxUploadBytes = 20 * MB),
  },
];

/** A date the emulator cannot play (malformed, not a calendar day, or before the seed guide). */
export class ApiDateError extends Error {
  override name = 'ApiDateError';
}

/**
 * Checks a `YYYY-MM-DD` date and returns it.
 * @example parseApiDate('2023-08-29') // '2023-08-29'
 * @example parseApiDate('2023-02-30') // throws ApiDateError
 */
export function parseApiDate(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!day || day.toISOString().slice(0, 10) !== text) {
    throw new ApiDateError(`"${text}" is not a date of the form YYYY-MM-DD`);
  }
  if (text < EARLIEST_API_DATE) {
    throw new ApiDateError(
      `${text} is before ${EARLIEST_API_DATE}, the v2.0 guide the emulator follows; the earliest date it can play is ${EARLIEST_API_DATE}`,
    );
  }
  return text;
}

/**
 * The behaviour of the service on a date (rows up to and including that day applied); without
 * a date, today's service (every row).
 * @example behaviourOn('2023-08-29').passportAuthenticity // true
 * @example behaviourOn().maxUploadBytes // 20971520
 */
export function behaviourOn(date?: string): Behaviour {
  const effective = date === undefined ? latestDate() : parseApiDate(date);
  const behaviour = seedBehaviour(effective, date !== undefined);
  for (const row of DATED_CHANGES) if (row.date <= effective) row.apply(behaviour);
  return behaviour;
}

/** The newest behaviour's date: today, or the last row if the system clock is behind it. */
function latestDate(): string {
  const today = new Date().toISOString().slice(0, 10);
  const last = DATED_CHANGES.at(-1)!.date;
  // biome-ignore lint/complexity/useMathMinMax: YYYY-MM-DD strings compare as dates; Math.max would make them NaN
  return today > last ? today : last;
}
