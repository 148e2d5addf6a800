/**
 * Strict base64, read the way the live service's Java stack reads it (`java.util.Base64.getDecoder()`,
 * the "basic" alphabet of RFC 4648 section 4): no URL-safe letters, no white space, no line
 * breaks; the `=` padding may be left off. Node's own `Buffer.from(s, 'base64')` silently skips
 * anything it does not like, which would let a broken client pass here and fail in production.
 */

const BASIC = /^[A-Za-z0-9+/]*$/;

/** Why a string is not strict base64, or `undefined` when it is. */
export function base64Problem(text: string): string | undefined {
  if (text.length === 0) return 'it is empty';
  const body = text.replace(/={1,2}$/, '');
  if (!BASIC.test(body)) {
    if (/[-_]/.test(body) && /^[A-Za-z0-9\-_]*$/.test(body)) {
      return 'it uses the URL-safe alphabet (- and _); the service expects standard base64 (+ and /)';
    }
    if (/\s/.test(body)) return 'it contains white space or line breaks (a MIME encoder?)';
    return 'it contains characters outside the base64 alphabet';
  }
  if (body.length % 4 === 1) return `its length (${body.length} characters) cannot be base64`;
  if (body.length !== text.length && text.length % 4 !== 0) return 'its = padding is malformed';
  return undefined;
}

/**
 * Decodes strict base64 or returns `undefined`.
 * @example decodeBase64Strict('AAEC') // <Buffer 00 01 02>
 * @example decodeBase64Strict('AA-_') // undefined (URL-safe alphabet)
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  return base64Problem(text) === undefined ? Buffer.from(text, 'base64') : undefined;
}
