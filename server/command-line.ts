/**
 * The `nhn-ocr-emulator` command line: flags from the settings table (server/config.ts) plus
 * `--help` and `--version`. Flags override environment variables.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readEnvironment, readFlags, SETTINGS, settingsList, withDefaults, type EmulatorConfig, type OptionKey, type Setting } from './config.js';

/** A command line that cannot be read (an unknown flag, a missing value); the command exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command line asks for. */
export type Invocation =
  | { action: 'help' }
  | { action: 'version' }
  | {
      action: 'start';
      config: EmulatorConfig;
      /** How each given setting was written (`--port "9999"`, `PORT="9999"`), for messages. */
      labels: Partial<Record<OptionKey, string>>;
    };

function flagOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const row of Object.values(SETTINGS) as Setting<unknown>[]) {
    if (row.flag) options[row.flag.name] = row.flag.switch ? { type: 'boolean' } : { type: 'string', multiple: row.flag.repeatable ?? false };
  }
  return options;
}

/**
 * Reads the command line and the environment. Throws UsageError for a command line it cannot
 * read and ConfigError for a setting it cannot use.
 * @example readInvocation(['--port', '9999'], { PORT: '8081' }) // { action: 'start', config: { port: 9999, ... }, ... }
 * @example readInvocation(['--help'], {}) // { action: 'help' }
 */
export function readInvocation(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Invocation {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: flagOptions(), strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new UsageError(usageProblem(error as Error & { code?: string }));
  }
  if (values['help']) return { action: 'help' };
  if (values['version']) return { action: 'version' };
  const fromEnv = readEnvironment(env);
  const fromFlags = readFlags(values);
  return {
    action: 'start',
    config: withDefaults({ ...fromEnv.values, ...fromFlags.values }),
    labels: { ...fromEnv.labels, ...fromFlags.labels },
  };
}

/** parseArgs' messages run long and suggest `--` tricks; one short line instead. */
function usageProblem(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted || error.message)}; every value follows its flag (--port 9999)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // The quote is "--port <value>" or "-h, --help": the long name.
      return `${
        quoted
          .split(/[ ,]+/)
          .filter((word) => word.startsWith('-'))
          .at(-1) ?? 'an option'
      } ${/does not take/.test(error.message) ? 'takes no value' : 'needs a value'}`;
    default:
      return error.message.split('\n')[0]!;
  }
}

/**
 * The `--help` text: usage, flags, and every environment variable from the settings table.
 * @example console.log(helpText('0.1.0'))
 */
export function helpText(version: string): string {
  const rows = settingsList();
  const flagged = rows.filter((row) => row.flag);
  const width = Math.max(...flagged.map((row) => row.flag!.length), '--version'.length) + 2;
  const pad = (text: string) => text.padEnd(width);
  const lines = [
    `nhn-ocr-emulator ${version}: a local emulator of the NHN Cloud Document OCR API.`,
    '',
    'usage: nhn-ocr-emulator [--host H] [--port N] [--scenarios DIR]... [--api-date D] [--keys-dir DIR]',
    '                        [--redis-url URL] [--workers N]',
    '       nhn-ocr-emulator --help | --version',
    '',
    'Starts on HOST:PORT, prints one ready line with the URL and credentials, and stops on',
    'SIGINT or SIGTERM. A setting it cannot use stops it with one line naming the setting (exit 1);',
    'a command line it cannot read exits 2.',
    '',
    'flags (each overrides its environment variable):',
    ...flagged.map((row) => `  ${pad(row.flag!)}${row.description}${row.flag!.includes('scenarios') ? '; repeatable' : ''} (${row.env})`),
    `  ${pad('--help, -h')}print this help and exit`,
    `  ${pad('--version')}print the version and exit`,
    '',
    'environment variables (an empty one counts as unset):',
  ];
  for (const row of rows) {
    if (!row.env) continue;
    lines.push(`  ${row.env}=${row.shown}`, `      ${row.description}; ${row.accepts}`);
  }
  lines.push('', 'Node flags: NODE_OPTIONS="--max-semi-space-size=2" (what npm start uses) keeps resident memory near 100 MiB.');
  return lines.join('\n');
}
