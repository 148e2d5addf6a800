/**
 * The `X-Emulator-Diagnosis` response header: the journal's diagnosis of a failed API request,
 * on the answer itself, where a developer looks first (the body must stay the live service's:
 * result code and catalogue message only). An emulator extension; the live service never sends
 * it, and `EMULATOR_DIAGNOSIS_HEADER=off` leaves it out for byte-for-byte comparisons.
 *
 * A header value must be one line of visible ASCII to survive every client and proxy (RFC 9110
 * section 5.5 allows obs-text, but many stacks mangle it and Node refuses code points above
 * 255), and diagnoses quote client text (an app key from the path, a key version), so the
 * value is escaped and bounded here.
 */

/** The header's name as sent. */
export const DIAGNOSIS_HEADER = 'X-Emulator-Diagnosis';

/** The most characters the header carries; longer diagnoses end in `...` (the journal has them whole, up to its own limit). */
export const DIAGNOSIS_HEADER_LIMIT = 400;

/**
 * A diagnosis as a header value: visible ASCII on one line, anything else escaped as `\uXXXX`
 * (`\u{XXXXX}` above U+FFFF; the ellipsis the journal clips with becomes `...`), at most
 * `limit` characters.
 * @example diagnosisHeaderValue('appKey "키" is not known') // 'appKey "\\ud0a4" is not known'
 * @example diagnosisHeaderValue('a\r\nb') // 'a\\u000d\\u000ab'
 */
export function diagnosisHeaderValue(diagnosis: string, limit = DIAGNOSIS_HEADER_LIMIT): string {
  const pieces = [...diagnosis].map((char) => {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) return char;
    if (code === 0x2026) return '...';
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  const whole = pieces.join('');
  if (whole.length <= limit) return whole;
  // Whole pieces only: an escape cut in half would read as something else.
  let out = '';
  for (const piece of pieces) {
    if (out.length + piece.length > limit - 3) break;
    out += piece;
  }
  return `${out}...`;
}
