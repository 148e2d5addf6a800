/**
 * The kinds of value a setting holds, each with the one check that environment variables,
 * command-line flags and `startEmulator` options all go through (server/config.ts has the table
 * of settings). Text from the environment or a flag is read strictly: whole numbers are decimal
 * digits only (no sign, no `0x`, no blanks, no exponent), so `PORT=" "` or `PORT=0x1F91` is
 * refused instead of read as some other number.
 */
import type { UserAccessKey } from './core/token-issuer.js';

/**
 * A value a setting cannot take. The message completes "<setting> must be ...": what the setting
 * accepts. server/config.ts turns it into a ConfigError naming the setting.
 * @example throw new Refusal('a whole number from 0 to 65535')
 */
export class Refusal extends Error {
  override name = 'Refusal';
}

/** One kind of setting value: `V` in the configuration, `I` as a `startEmulator` option. */
export interface Kind<V, I = V> {
  /** What the text form accepts, completing "must be ..." (also shown by `--help`). */
  readonly accepts: string;
  /** Reads an environment variable's text or a flag's value; throws Refusal. */
  fromText(text: string): V;
  /** Checks a `startEmulator` option (never undefined: an undefined option counts as not given); throws Refusal. */
  fromOption(value: unknown): V;
  /** Reads the values of a repeatable flag, one item per use; throws Refusal. */
  fromTexts?(texts: readonly string[]): V;
  /** The value as `--help` and docs/configuration.md show it. */
  show(value: V): string;
  /** Type marker for the option form; never set. */
  readonly input?: I;
}

/**
 * A whole number from `min` to `max`, written in decimal digits.
 * @example integer(0, 65535).fromText('8080') // 8080
 * @example integer(0, 65535).fromText('0x1F91') // throws Refusal
 */
export function integer(min: number, max: number): Kind<number> {
  const accepts = `a whole number from ${min} to ${max}`;
  const check = (value: number): number => {
    if (!Number.isSafeInteger(value) || value < min || value > max) throw new Refusal(accepts);
    return value;
  };
  return {
    accepts,
    fromText: (text) => (/^[0-9]+$/.test(text) ? check(Number(text)) : refuse(accepts)),
    fromOption: (value) => (typeof value === 'number' ? check(value) : refuse(accepts)),
    show: String,
  };
}

/**
 * One of a few words, the same in text and as an option.
 * @example choice(['requests', 'off'] as const).fromText('off') // 'off'
 */
export function choice<const T extends string>(values: readonly T[]): Kind<T> {
  const accepts = `one of ${values.join(', ')}`;
  const check = (value: unknown): T => ((values as readonly unknown[]).includes(value) ? (value as T) : refuse(accepts));
  return { accepts, fromText: check, fromOption: check, show: String };
}

/**
 * A yes/no setting written as two words in text (`mask`/`show`) and as a boolean option.
 * @example toggle('mask', 'show').fromText('show') // true
 */
export function toggle(off: string, on: string): Kind<boolean> {
  const accepts = `${off} or ${on}`;
  return {
    accepts,
    fromText: (text) => (text === on ? true : text === off ? false : refuse(accepts)),
    fromOption: (value) => (typeof value === 'boolean' ? value : refuse(`true or false (${on}: true)`)),
    show: (value) => (value ? on : off),
  };
}

/**
 * Non-empty text matching `pattern` (by default: no blanks or control characters).
 * @example text('a host name or IP address').fromText('0.0.0.0') // '0.0.0.0'
 */
export function text(accepts: string, pattern = /^[^\s\p{Cc}]+$/u): Kind<string> {
  const check = (value: unknown): string => (typeof value === 'string' && pattern.test(value) ? value : refuse(accepts));
  return { accepts, fromText: check, fromOption: check, show: (value) => value };
}

/**
 * A calendar date written YYYY-MM-DD (a day that exists), optionally no earlier than a day.
 * @example date().fromText('2026-05-27') // '2026-05-27'
 * @example date().fromText('2026-02-30') // throws Refusal
 * @example date('2023-08-29').fromText('2023-01-01') // throws Refusal
 */
export function date(earliest?: string): Kind<string> {
  const accepts = `a calendar date written YYYY-MM-DD${earliest ? `, ${earliest} or later` : ''}`;
  const check = (value: unknown): string => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return refuse(accepts);
    const day = new Date(`${value}T00:00:00Z`);
    const real = !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value);
    return real && (earliest === undefined || value >= earliest) ? value : refuse(accepts);
  };
  return { accepts, fromText: check, fromOption: check, show: (value) => value };
}

/**
 * A setting that may be left unset (`undefined`, shown as "(none)").
 * @example optional(text('a token')).fromOption('t') // 't'
 */
export function optional<V, I>(kind: Kind<V, I>): Kind<V | undefined, I | undefined> {
  return { accepts: kind.accepts, fromText: kind.fromText, fromOption: kind.fromOption, show: (value) => (value === undefined ? '(none)' : kind.show(value)) };
}

/**
 * Directories: in text separated by the platform's path delimiter (`:`, `;` on Windows; empty
 * parts are skipped), as an option an array of non-empty strings, as a flag one per use.
 * @example directories(':').fromText('/a:/b') // ['/a', '/b']
 */
export function directories(delimiter: string): Kind<string[], readonly string[]> {
  const accepts = `directories separated by "${delimiter}"`;
  return {
    accepts,
    fromText: (value) => value.split(delimiter).filter(Boolean),
    fromTexts: (texts) => (texts.every((dir) => dir !== '') ? [...texts] : refuse('a directory name')),
    fromOption: (value) => {
      if (!Array.isArray(value) || !value.every((dir) => typeof dir === 'string' && dir !== '')) return refuse('an array of directory names');
      return [...(value as string[])];
    },
    show: (value) => (value.length ? value.join(delimiter) : '(none)'),
  };
}

/**
 * `appKey:secretKey` pairs separated by commas (blanks around each part are dropped).
 * @example credentialPairs().fromText('a:1, b:2') // [['a', '1'], ['b', '2']]
 */
export function credentialPairs(): Kind<[string, string][]> {
  const accepts = 'appKey:secretKey pairs separated by commas';
  const check = (value: unknown): [string, string][] => {
    if (typeof value !== 'string') return refuse(accepts);
    return value
      .split(',')
      .filter((pair) => pair.trim() !== '')
      .map((pair): [string, string] => {
        const at = pair.indexOf(':');
        const [appKey, secretKey] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
        if (at < 0 || !appKey || !secretKey) refuse(`${accepts} ("${pair.trim()}" is not appKey:secretKey)`);
        return [appKey, secretKey];
      });
  };
  return { accepts, fromText: check, fromOption: check, show: (value) => (value.length ? value.map((pair) => pair.join(':')).join(',') : '(none)') };
}

/**
 * User Access Keys separated by commas: `id:secret` (every app key) or
 * `id:secret:appKey1+appKey2` (only those); as an option, an array of {@link UserAccessKey}.
 * @example userAccessKeys().fromText('ci:s3cret,narrow:x:app1+app2') // [{ id: 'ci', secret: 's3cret' }, { id: 'narrow', secret: 'x', appKeys: ['app1', 'app2'] }]
 */
export function userAccessKeys(): Kind<UserAccessKey[], readonly UserAccessKey[]> {
  const accepts = 'id:secret or id:secret:appKey1+appKey2 entries separated by commas';
  const nonEmpty = (value: unknown): value is string => typeof value === 'string' && /^[^\s:,+]+$/.test(value);
  const check = (key: UserAccessKey): UserAccessKey => {
    if (!nonEmpty(key.id) || !nonEmpty(key.secret) || (key.appKeys !== undefined && (!key.appKeys.length || !key.appKeys.every(nonEmpty)))) refuse(accepts);
    return key.appKeys ? { id: key.id, secret: key.secret, appKeys: [...key.appKeys] } : { id: key.id, secret: key.secret };
  };
  return {
    accepts,
    fromText: (value) =>
      value
        .split(',')
        .filter((entry) => entry.trim() !== '')
        .map((entry) => {
          const [id, secret, appKeys, ...rest] = entry.trim().split(':');
          if (rest.length) refuse(`${accepts} ("${entry.trim()}" has too many colons)`);
          return check({ id: id!, secret: secret!, ...(appKeys !== undefined ? { appKeys: appKeys.split('+') } : {}) });
        }),
    fromOption: (value) => {
      if (!Array.isArray(value) || !value.every(isPlainObject)) return refuse('an array of { id, secret, appKeys? }');
      return (value as unknown as UserAccessKey[]).map(check);
    },
    show: (value) => (value.length ? value.map((key) => [key.id, key.secret, ...(key.appKeys ? [key.appKeys.join('+')] : [])].join(':')).join(',') : '(none)'),
  };
}

/**
 * An absolute URL with one of the given schemes.
 * @example url(['redis:', 'rediss:']).fromText('redis://127.0.0.1:6379') // 'redis://127.0.0.1:6379'
 */
export function url(protocols: readonly string[]): Kind<string> {
  const accepts = `a URL starting ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`;
  const check = (value: unknown): string => {
    if (typeof value !== 'string') return refuse(accepts);
    try {
      if (protocols.includes(new URL(value).protocol)) return value;
    } catch {
      // not a URL at all
    }
    return refuse(accepts);
  };
  return { accepts, fromText: check, fromOption: check, show: (value) => value };
}

/**
 * App keys and their secret keys: a Map, or a plain object `{ appKey: secretKey }`; at least
 * one, names and secrets non-empty strings. The first is the one the ready line shows.
 * @example credentials().fromOption({ ci: 'ci-secret' }) // Map { 'ci' => 'ci-secret' }
 */
export function credentials(): Kind<Map<string, string>, ReadonlyMap<string, string> | Readonly<Record<string, string>>> {
  const accepts = 'a Map or a plain object of appKey to secretKey (non-empty strings, at least one)';
  return {
    accepts,
    fromText: () => refuse(accepts),
    fromOption: (value) => {
      const entries = value instanceof Map ? [...value] : isPlainObject(value) ? Object.entries(value) : undefined;
      if (!entries?.length || !entries.every(([k, v]) => typeof k === 'string' && k !== '' && typeof v === 'string' && v !== '')) return refuse(accepts);
      return new Map(entries as [string, string][]);
    },
    show: (value) => [...value].map(([appKey]) => appKey).join(', '),
  };
}

/**
 * An object made by `{}` or `Object.create(null)`, not a class instance, array or null.
 * @example isPlainObject({}) // true
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function refuse(accepts: string): never {
  throw new Refusal(accepts);
}
