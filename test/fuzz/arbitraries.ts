/**
 * fast-check generators of malformed (and now and then well-formed) requests to the five API
 * endpoints, the admin API and random paths, shared by the CI fuzz test
 * (test/fuzz/wire.fuzz.test.ts) and the long run (`npm run fuzz`).
 *
 * Generators produce plain plans; `build*` functions turn a plan into a `WireCase` with the
 * envelope material of a `FuzzContext` (public keys fetched from the emulator under test, a pool
 * of symmetric keys, Request-Keys it issued). Plans shrink well and replay exactly from a seed.
 */
import { constants, createCipheriv, createHash, publicEncrypt, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { AUTHENTICITY_MAX_BODY_BYTES, AUTHENTICITY_MAX_DEPTH, AUTHENTICITY_MAX_FIELD_CHARS } from '../../server/core/authenticity.js';
import type { Framing, WireCase } from './wire-case.js';

/** The two services with keys of their own. */
export type Service = 'credit-card' | 'id-card';

/** Envelope material taken from the emulator under test before fuzzing. */
export interface FuzzContext {
  appKey: string;
  secretKey: string;
  /** The emulator's upload limit (small in CI, so oversized bodies stay cheap). */
  maxUploadBytes: number;
  /** Public keys as the emulator issued them. */
  publicKeys: Record<Service, { key: string; version: string }>;
  /** 32-byte symmetric keys. */
  symmetricKeys: Buffer[];
  /** `wrapped[service][i]` is the Symmetric-Key header of `symmetricKeys[i]`. */
  wrapped: Record<Service, string[]>;
  /** Symmetric-Key headers that are RSA-correct but wrong: 16, 33 and 0 bytes, OAEP. */
  oddWraps: Record<Service, string[]>;
  /** Plaintext JPEG/PNG images. */
  images: Buffer[];
  /** Request-Keys the emulator issued (some get used up during the run). */
  requestKeys: string[];
  /** Scenario names the admin generators may queue (none that drops or delays). */
  scenarios: string[];
  /** When set, the admin API needs `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
}

/** The five API routes. */
export const API_ROUTES = ['public-key', 'credit-card', 'id-card', 'id-card/stand-alone', 'authenticity'] as const;
type Route = (typeof API_ROUTES)[number];

const ROUTE_METHOD: Record<Route, string> = {
  'public-key': 'GET',
  'credit-card': 'POST',
  'id-card': 'POST',
  'id-card/stand-alone': 'POST',
  authenticity: 'POST',
};

// ---------------------------------------------------------------------------------------------
// Small pieces

/** Strings that tend to break parsers: empty, white space, numbers, prototype names, escapes. */
const TRICKY = [
  '',
  ' ',
  '*',
  '\t',
  '0',
  '-1',
  '00',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '%00',
  '%',
  '%%',
  '%zz',
  '%E0%A4',
  '%C0%AF',
  '..',
  '../..',
  '\\',
  '/',
  '\u0000',
  '\u202e',
  '\ud800',
  '\uffff',
  '홍길동',
  'ａｂｃ',
  '=',
  '==',
  'Bearer',
  'A'.repeat(300),
  '\r\n',
  '\n',
  'a\r\nX-Injected: 1',
];

/** Any short text: tricky constants, printable ASCII, full Unicode (incl. lone surrogates), bytes. */
export function junkText(maxLength = 40): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...TRICKY), weight: 3 },
    { arbitrary: fc.string({ maxLength }), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength }), weight: 2 },
    {
      arbitrary: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_'), maxLength: maxLength * 4 }),
      weight: 2,
    },
  );
}

/** Raw bytes for a header value or a body: anything, including CR, LF, NUL and invalid UTF-8. */
export function junkBytes(maxLength = 64): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
}

/** Invalid UTF-8 sequences (lone continuation bytes, overlongs, surrogates, truncated). */
const BAD_UTF8 = [[0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xfe, 0xff], [0xe2, 0x82]].map((b) =>
  Buffer.from(b),
);

/** A header value: usually text, sometimes raw bytes or invalid UTF-8, sometimes very long. */
export function headerValue(maxLength = 40): fc.Arbitrary<string | Buffer> {
  return fc.oneof(
    { arbitrary: junkText(maxLength), weight: 6 },
    { arbitrary: junkBytes(maxLength), weight: 2 },
    { arbitrary: fc.constantFrom(...BAD_UTF8), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
  );
}

/** Header names: ordinary, ones the emulator reads, odd cases and invalid ones. */
const HEADER_NAMES = [
  'Authorization',
  'authorization',
  'X-Key-Version',
  'Symmetric-Key',
  'Request-Key',
  'Content-Type',
  'Accept',
  'Accept-Encoding',
  'Content-Encoding',
  'Cookie',
  'X-Forwarded-For',
  'Origin',
  'Range',
  'If-None-Match',
  'User-Agent',
  'Referer',
  'X-Request-Id',
  'Expect',
];

/** Extra headers: known names with junk values, random names, invalid names, many repeats. */
export function extraHeaders(): fc.Arbitrary<Array<[string | Buffer, string | Buffer]>> {
  const one = fc.tuple(
    fc.oneof(
      { arbitrary: fc.constantFrom(...HEADER_NAMES), weight: 5 },
      { arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/), weight: 3 },
      { arbitrary: junkText(20).filter((s) => s.length > 0 && !/^(host|content-length|transfer-encoding|connection|expect|upgrade)$/i.test(s)), weight: 1 },
    ),
    headerValue(),
  );
  return fc.oneof(
    { arbitrary: fc.array(one, { maxLength: 4 }), weight: 8 },
    // Repeated headers: up to thousands of lines (Node keeps the first 2000).
    { arbitrary: fc.tuple(one, fc.integer({ min: 2, max: 2500 })).map(([h, n]) => Array.from({ length: n }, () => h)), weight: 1 },
    // Expectations: the one Node handles itself, and others it would answer with a bare 417.
    {
      arbitrary: fc.constantFrom<Array<[string, string]>>(
        [['Expect', '100-continue']],
        [['Expect', '999-bogus']],
        [['Expect', '']],
        [['Expect', '100-continue, x']],
      ),
      weight: 1,
    },
  );
}

/** Every method Node's parser knows, plus unknown tokens and bytes that are no method at all. */
export function method(usual: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(usual), weight: 12 },
    {
      arbitrary: fc.constantFrom(
        'GET',
        'POST',
        'PUT',
        'DELETE',
        'PATCH',
        'OPTIONS',
        'HEAD',
        'TRACE',
        'QUERY',
        'PROPFIND',
        'MKCOL',
        'PURGE',
        'SEARCH',
        'CONNECT',
      ),
      weight: 3,
    },
    { arbitrary: fc.constantFrom('post', 'Get', 'FOO', 'BREW', 'X-CUSTOM', 'GETS', 'POST2'), weight: 1 },
    { arbitrary: fc.constantFrom('P OST', 'GET\t', 'PO\u0000ST', ''), weight: 1 },
  );
}

/** How the body travels. Mostly well-formed; a sixth of the time broken. */
export function framing(): fc.Arbitrary<Framing> {
  return fc.oneof(
    { arbitrary: fc.constant<Framing>({ kind: 'length' }), weight: 14 },
    { arbitrary: fc.integer({ min: 2, max: 6 }).map((pieces): Framing => ({ kind: 'split', pieces })), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: 70_000 }).map((chunkSize): Framing => ({ kind: 'chunked', chunkSize })), weight: 3 },
    { arbitrary: fc.constant<Framing>({ kind: 'none' }), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 40 }).map((by): Framing => ({ kind: 'short-length', by })), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 40 }).map((by): Framing => ({ kind: 'long-length', by })), weight: 1 },
    {
      arbitrary: fc
        .constantFrom('abc', '-1', '1.5', '0x10', '', '1 2', '+5', '99999999999999999999', '0005', '5, 6')
        .map((value): Framing => ({ kind: 'bad-length', value })),
      weight: 1,
    },
    {
      arbitrary: fc
        .constantFrom('size-not-hex', 'no-terminator', 'missing-crlf', 'huge-extension', 'size-too-big' as const)
        .map((variant): Framing => ({ kind: 'bad-chunks', variant: variant as 'size-not-hex' })),
      weight: 1,
    },
    { arbitrary: fc.constant<Framing>({ kind: 'length-and-chunked' }), weight: 1 },
    { arbitrary: fc.constantFrom('gzip', 'identity', 'chunked, gzip', 'x-unknown').map((value): Framing => ({ kind: 'other-coding', value })), weight: 1 },
  );
}

/** HTTP version and Host header: almost always HTTP/1.1 with one Host. */
function envelopeOfHttp(): fc.Arbitrary<{ version: 'HTTP/1.1' | 'HTTP/1.0'; host: 'normal' | 'missing' | 'twice' }> {
  return fc.record({
    version: fc.oneof({ arbitrary: fc.constant('HTTP/1.1' as const), weight: 15 }, { arbitrary: fc.constant('HTTP/1.0' as const), weight: 1 }),
    host: fc.oneof({ arbitrary: fc.constant('normal' as const), weight: 20 }, { arbitrary: fc.constantFrom('missing' as const, 'twice' as const), weight: 1 }),
  });
}

// ---------------------------------------------------------------------------------------------
// Deterministic noise: large bodies without generating megabytes through fast-check

const noiseCache = new Map<number, Buffer>();

/**
 * `length` pseudo-random bytes for a seed (SHA-256 in counter mode), cached by seed and length.
 * @example noise(7, 1024).length // 1024
 */
export function noise(seed: number, length: number): Buffer {
  const cached = noiseCache.get(seed);
  if (cached && cached.length >= length) return cached.subarray(0, length);
  const blocks: Buffer[] = [];
  for (let i = 0; i * 32 < length; i++) blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  const made = Buffer.concat(blocks).subarray(0, length);
  // Only small buffers are kept: with a 20 MB upload limit, oversized bodies are 20 MB each.
  if (length > 256 * 1024) return made;
  if (noiseCache.size > 64) noiseCache.clear();
  noiseCache.set(seed, made);
  return made;
}

function aes(key: Buffer, plaintext: Buffer, iv: Buffer = key.subarray(0, 16)): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

// ---------------------------------------------------------------------------------------------
// Envelope headers

/** What to send as `Authorization` on an API call. */
type AuthPlan =
  | { kind: 'good' }
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'wrong'; value: string | Buffer }
  | { kind: 'twice-good-first' }
  | { kind: 'twice-wrong-first' }
  | { kind: 'padded' }
  | { kind: 'bearer' };

function authPlan(good = 16): fc.Arbitrary<AuthPlan> {
  return fc.oneof(
    { arbitrary: fc.constant<AuthPlan>({ kind: 'good' }), weight: good },
    {
      arbitrary: fc.constantFrom<AuthPlan>(
        { kind: 'missing' },
        { kind: 'empty' },
        { kind: 'twice-good-first' },
        { kind: 'twice-wrong-first' },
        { kind: 'padded' },
        { kind: 'bearer' },
      ),
      weight: 2,
    },
    { arbitrary: headerValue(60).map((value): AuthPlan => ({ kind: 'wrong', value })), weight: 2 },
  );
}

/** What to send as `X-Key-Version`. */
type VersionPlan = { kind: 'good' } | { kind: 'missing' } | { kind: 'other-service' } | { kind: 'value'; value: string | Buffer } | { kind: 'twice' };

function versionPlan(good = 16): fc.Arbitrary<VersionPlan> {
  return fc.oneof(
    { arbitrary: fc.constant<VersionPlan>({ kind: 'good' }), weight: good },
    { arbitrary: fc.constantFrom<VersionPlan>({ kind: 'missing' }, { kind: 'other-service' }, { kind: 'twice' }), weight: 2 },
    {
      arbitrary: fc
        .oneof(fc.constantFrom('1', '99', ' 0', '0 ', '00', '+0', '0.0', '-0', '1e0', '0x0'), headerValue(30))
        .map((value): VersionPlan => ({ kind: 'value', value })),
      weight: 2,
    },
  );
}

/** What to send as `Symmetric-Key`. */
type SymmetricPlan =
  | { kind: 'good' }
  | { kind: 'missing' }
  | { kind: 'other-service' }
  | { kind: 'odd-wrap'; index: number }
  | { kind: 'random-block'; seed: number; bytes: number }
  | { kind: 'all-ff' }
  | { kind: 'zeros' }
  | { kind: 'mangled'; how: 'url-safe' | 'spaces' | 'newline' | 'no-padding' | 'extra-padding' | 'truncated' | 'doubled' | 'flipped' | 'star' | 'lower' }
  | { kind: 'value'; value: string | Buffer }
  | { kind: 'huge'; length: number };

function symmetricPlan(good = 14): fc.Arbitrary<SymmetricPlan> {
  return fc.oneof(
    { arbitrary: fc.constant<SymmetricPlan>({ kind: 'good' }), weight: good },
    { arbitrary: fc.constantFrom<SymmetricPlan>({ kind: 'missing' }, { kind: 'other-service' }, { kind: 'all-ff' }, { kind: 'zeros' }), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: 3 }).map((index): SymmetricPlan => ({ kind: 'odd-wrap', index })), weight: 2 },
    {
      arbitrary: fc
        .record({ seed: fc.nat(1000), bytes: fc.oneof(fc.constantFrom(0, 1, 16, 32, 128, 255, 256, 257, 384, 512), fc.integer({ min: 0, max: 600 })) })
        .map((p): SymmetricPlan => ({ kind: 'random-block', ...p })),
      weight: 3,
    },
    {
      arbitrary: fc
        .constantFrom('url-safe', 'spaces', 'newline', 'no-padding', 'extra-padding', 'truncated', 'doubled', 'flipped', 'star', 'lower' as const)
        .map((how): SymmetricPlan => ({ kind: 'mangled', how: how as 'url-safe' })),
      weight: 3,
    },
    { arbitrary: headerValue(80).map((value): SymmetricPlan => ({ kind: 'value', value })), weight: 1 },
    { arbitrary: fc.integer({ min: 400, max: 16_000 }).map((length): SymmetricPlan => ({ kind: 'huge', length })), weight: 1 },
  );
}

function symmetricHeader(plan: SymmetricPlan, ctx: FuzzContext, service: Service, keyIndex: number): string | Buffer | undefined {
  const good = ctx.wrapped[service][keyIndex]!;
  switch (plan.kind) {
    case 'good':
      return good;
    case 'missing':
      return undefined;
    case 'other-service':
      return ctx.wrapped[service === 'credit-card' ? 'id-card' : 'credit-card'][keyIndex]!;
    case 'odd-wrap':
      return ctx.oddWraps[service][plan.index % ctx.oddWraps[service].length]!;
    case 'random-block':
      return noise(plan.seed, plan.bytes).toString('base64');
    case 'all-ff':
      return Buffer.alloc(256, 0xff).toString('base64');
    case 'zeros':
      return Buffer.alloc(256).toString('base64');
    case 'mangled':
      return mangleBase64(good, plan.how);
    case 'value':
      return plan.value;
    case 'huge':
      return noise(plan.length, Math.ceil((plan.length * 3) / 4)).toString('base64');
  }
}

function mangleBase64(text: string, how: Extract<SymmetricPlan, { kind: 'mangled' }>['how']): string {
  switch (how) {
    case 'url-safe':
      return text.replace(/\+/g, '-').replace(/\//g, '_');
    case 'spaces':
      return `${text.slice(0, 20)} ${text.slice(20)}`;
    case 'newline':
      return `${text.slice(0, 76)}\n${text.slice(76)}`; // a raw LF inside a header: invalid HTTP
    case 'no-padding':
      return text.replace(/=+$/, '');
    case 'extra-padding':
      return `${text}==`;
    case 'truncated':
      return text.slice(0, -4);
    case 'doubled':
      return text + text;
    case 'flipped':
      return (text[10] === 'A' ? 'B' : 'A') + text.slice(1); // a different RSA block: bad padding or >= modulus
    case 'star':
      return `${text.slice(0, 5)}*${text.slice(6)}`;
    case 'lower':
      return text.toLowerCase();
  }
}

/** What to send as `Request-Key` (authenticity only). */
type RequestKeyPlan = { kind: 'issued'; index: number } | { kind: 'missing' } | { kind: 'value'; value: string | Buffer };

function requestKeyPlan(good = 8): fc.Arbitrary<RequestKeyPlan> {
  return fc.oneof(
    // Counted from the newest: the pool grows during a run (see FuzzContext.requestKeys).
    { arbitrary: fc.nat(1000).map((index): RequestKeyPlan => ({ kind: 'issued', index })), weight: good },
    { arbitrary: fc.constant<RequestKeyPlan>({ kind: 'missing' }), weight: 1 },
    { arbitrary: fc.oneof(fc.uuid().map(String), headerValue(50)).map((value): RequestKeyPlan => ({ kind: 'value', value })), weight: 2 },
  );
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** The plaintext under the envelope of an image upload. */
type PlaintextPlan =
  | { kind: 'image'; index: number }
  | { kind: 'truncated-image'; index: number; keep: number }
  | { kind: 'corrupt-image'; index: number; at: number; byte: number }
  | { kind: 'jpeg-signature'; seed: number; length: number }
  | { kind: 'png-signature'; seed: number; length: number }
  | { kind: 'noise'; seed: number; length: number }
  | { kind: 'text'; text: string }
  | { kind: 'empty' }
  | { kind: 'oversized'; over: number };

function plaintextPlan(): fc.Arbitrary<PlaintextPlan> {
  return fc.oneof(
    { arbitrary: fc.nat(10).map((index): PlaintextPlan => ({ kind: 'image', index })), weight: 6 },
    { arbitrary: fc.record({ index: fc.nat(10), keep: fc.nat(2000) }).map((p): PlaintextPlan => ({ kind: 'truncated-image', ...p })), weight: 2 },
    {
      arbitrary: fc.record({ index: fc.nat(10), at: fc.nat(40_000), byte: fc.nat(255) }).map((p): PlaintextPlan => ({ kind: 'corrupt-image', ...p })),
      weight: 2,
    },
    { arbitrary: fc.record({ seed: fc.nat(1000), length: fc.nat(3000) }).map((p): PlaintextPlan => ({ kind: 'jpeg-signature', ...p })), weight: 2 },
    { arbitrary: fc.record({ seed: fc.nat(1000), length: fc.nat(3000) }).map((p): PlaintextPlan => ({ kind: 'png-signature', ...p })), weight: 2 },
    { arbitrary: fc.record({ seed: fc.nat(1000), length: fc.nat(3000) }).map((p): PlaintextPlan => ({ kind: 'noise', ...p })), weight: 2 },
    { arbitrary: junkText(200).map((text): PlaintextPlan => ({ kind: 'text', text })), weight: 1 },
    { arbitrary: fc.constant<PlaintextPlan>({ kind: 'empty' }), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 100_000 }).map((over): PlaintextPlan => ({ kind: 'oversized', over })), weight: 1 },
  );
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function plaintext(plan: PlaintextPlan, ctx: FuzzContext): Buffer {
  const image = (index: number) => ctx.images[index % ctx.images.length]!;
  switch (plan.kind) {
    case 'image':
      return image(plan.index);
    case 'truncated-image':
      return image(plan.index).subarray(0, plan.keep);
    case 'corrupt-image': {
      const copy = Buffer.from(image(plan.index));
      copy[plan.at % copy.length] = plan.byte;
      return copy;
    }
    case 'jpeg-signature':
      return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), noise(plan.seed, plan.length)]);
    case 'png-signature':
      return Buffer.concat([PNG_SIGNATURE, noise(plan.seed, plan.length)]);
    case 'noise':
      return noise(plan.seed, plan.length);
    case 'text':
      return Buffer.from(plan.text, 'utf8');
    case 'empty':
      return Buffer.alloc(0);
    case 'oversized':
      return noise(plan.over, ctx.maxUploadBytes + plan.over);
  }
}

/** How the plaintext becomes the uploaded bytes. */
type CipherPlan =
  | { kind: 'good' }
  | { kind: 'other-key' }
  | { kind: 'wrong-iv' }
  | { kind: 'iv-in-front' }
  | { kind: 'cut'; by: number }
  | { kind: 'cut-block' }
  | { kind: 'extra-block'; seed: number }
  | { kind: 'flip'; at: number }
  | { kind: 'raw' }
  | { kind: 'base64-text' };

function cipherPlan(): fc.Arbitrary<CipherPlan> {
  return fc.oneof(
    { arbitrary: fc.constant<CipherPlan>({ kind: 'good' }), weight: 10 },
    {
      arbitrary: fc.constantFrom<CipherPlan>(
        { kind: 'other-key' },
        { kind: 'wrong-iv' },
        { kind: 'iv-in-front' },
        { kind: 'cut-block' },
        { kind: 'raw' },
        { kind: 'base64-text' },
      ),
      weight: 4,
    },
    { arbitrary: fc.integer({ min: 1, max: 15 }).map((by): CipherPlan => ({ kind: 'cut', by })), weight: 1 },
    { arbitrary: fc.nat(1000).map((seed): CipherPlan => ({ kind: 'extra-block', seed })), weight: 1 },
    { arbitrary: fc.nat(100_000).map((at): CipherPlan => ({ kind: 'flip', at })), weight: 1 },
  );
}

function encrypt(plan: CipherPlan, data: Buffer, ctx: FuzzContext, keyIndex: number): Buffer {
  const key = ctx.symmetricKeys[keyIndex]!;
  switch (plan.kind) {
    case 'good':
      return aes(key, data);
    case 'other-key':
      return aes(ctx.symmetricKeys[(keyIndex + 1) % ctx.symmetricKeys.length]!, data);
    case 'wrong-iv':
      return aes(key, data, key.subarray(16, 32));
    case 'iv-in-front':
      return Buffer.concat([key.subarray(16, 32), aes(key, data, key.subarray(16, 32))]);
    case 'cut': {
      const sealed = aes(key, data);
      return sealed.subarray(0, Math.max(0, sealed.length - plan.by));
    }
    case 'cut-block': {
      const sealed = aes(key, data);
      return sealed.subarray(0, Math.max(0, sealed.length - 16));
    }
    case 'extra-block':
      return Buffer.concat([aes(key, data), noise(plan.seed, 16)]);
    case 'flip': {
      const sealed = Buffer.from(aes(key, data));
      if (sealed.length) sealed[plan.at % sealed.length]! ^= 0x5a;
      return sealed;
    }
    case 'raw':
      return data;
    case 'base64-text':
      return Buffer.from(aes(key, data).toString('base64'));
  }
}

/** One multipart part. */
interface PartPlan {
  name: { kind: 'image' } | { kind: 'other'; value: string } | { kind: 'none' };
  filename: { kind: 'file'; value: string } | { kind: 'none' } | { kind: 'empty' };
  contentType?: string | undefined;
  plaintext: PlaintextPlan;
  cipher: CipherPlan;
  extraLine?: string | undefined;
}

function partPlan(): fc.Arbitrary<PartPlan> {
  return fc.record(
    {
      name: fc.oneof(
        { arbitrary: fc.constant({ kind: 'image' as const }), weight: 10 },
        {
          arbitrary: fc
            .oneof(fc.constantFrom('Image', 'IMAGE', 'image[]', 'image ', 'images', 'file', '__proto__', 'image"; x="'), junkText(20))
            .map((value) => ({ kind: 'other' as const, value })),
          weight: 3,
        },
        { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
      ),
      filename: fc.oneof(
        { arbitrary: fc.constantFrom('card.jpg', 'image', 'a.png').map((value) => ({ kind: 'file' as const, value })), weight: 10 },
        {
          arbitrary: fc
            .oneof(fc.constantFrom('../../etc/passwd', 'C:\\x.jpg', '카드.jpg', '%00.jpg'), junkText(20))
            .map((value) => ({ kind: 'file' as const, value })),
          weight: 2,
        },
        { arbitrary: fc.constantFrom({ kind: 'none' as const }, { kind: 'empty' as const }), weight: 2 },
      ),
      contentType: fc.option(
        fc.oneof(fc.constantFrom('application/octet-stream', 'image/jpeg', 'text/plain; charset=utf-8', 'multipart/mixed; boundary=inner'), junkText(20)),
        { nil: undefined },
      ),
      plaintext: plaintextPlan(),
      cipher: cipherPlan(),
      extraLine: fc.option(fc.oneof(fc.constant('Content-Transfer-Encoding: base64'), junkText(40)), { nil: undefined, freq: 6 }),
    },
    { requiredKeys: ['name', 'filename', 'plaintext', 'cipher'] },
  );
}

/** A multipart body and the Content-Type header that announces it. */
interface MultipartPlan {
  boundary: string;
  announce: 'same' | 'other' | 'missing-boundary' | 'quoted' | 'no-content-type' | 'json' | 'text' | 'octet' | 'mixed' | 'upper' | 'twice' | 'junk';
  junkType: string;
  parts: PartPlan[];
  preamble: string;
  ending: 'proper' | 'no-close' | 'lf-only' | 'no-final-crlf' | 'garbage-after';
}

/** A well-formed multipart body with one `image` file: only what is inside the envelope varies. */
function cleanMultipartPlan(): fc.Arbitrary<MultipartPlan> {
  return fc.record({ boundary: fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/), plaintext: plaintextPlan(), cipher: cipherPlan() }).map(
    ({ boundary, plaintext, cipher }): MultipartPlan => ({
      boundary,
      announce: 'same',
      junkType: '',
      parts: [{ name: { kind: 'image' }, filename: { kind: 'file', value: 'card.jpg' }, contentType: 'application/octet-stream', plaintext, cipher }],
      preamble: '',
      ending: 'proper',
    }),
  );
}

function multipartPlan(): fc.Arbitrary<MultipartPlan> {
  return fc.record({
    boundary: fc.oneof(
      { arbitrary: fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/), weight: 8 },
      { arbitrary: fc.oneof(fc.constantFrom('', ' ', 'a b', '"', '--', 'x'.repeat(200), '경계'), junkText(20)), weight: 1 },
    ),
    announce: fc.oneof(
      { arbitrary: fc.constant('same' as const), weight: 16 },
      {
        arbitrary: fc.constantFrom(
          'other',
          'missing-boundary',
          'quoted',
          'no-content-type',
          'json',
          'text',
          'octet',
          'mixed',
          'upper',
          'twice',
          'junk' as const,
        ),
        weight: 4,
      },
    ),
    junkType: junkText(30),
    parts: fc.oneof(
      { arbitrary: partPlan().map((p) => [p]), weight: 12 },
      { arbitrary: fc.array(partPlan(), { maxLength: 5 }), weight: 3 },
      // Many parts: past multer's file and field counts.
      { arbitrary: fc.tuple(partPlan(), fc.integer({ min: 6, max: 80 })).map(([p, n]) => Array.from({ length: n }, () => p)), weight: 1 },
    ),
    preamble: fc.oneof({ arbitrary: fc.constant(''), weight: 8 }, { arbitrary: junkText(30), weight: 1 }),
    ending: fc.oneof(
      { arbitrary: fc.constant('proper' as const), weight: 12 },
      { arbitrary: fc.constantFrom('no-close', 'lf-only', 'no-final-crlf', 'garbage-after' as const), weight: 2 },
    ),
  });
}

function multipartBody(plan: MultipartPlan, ctx: FuzzContext, keyIndex: number): { contentType?: string | string[]; body: Buffer } {
  const eol = plan.ending === 'lf-only' ? '\n' : '\r\n';
  const parts: Buffer[] = [];
  if (plan.preamble) parts.push(Buffer.from(`${plan.preamble}${eol}`));
  for (const part of plan.parts) {
    const name = part.name.kind === 'image' ? '; name="image"' : part.name.kind === 'other' ? `; name="${part.name.value}"` : '';
    const filename = part.filename.kind === 'file' ? `; filename="${part.filename.value}"` : part.filename.kind === 'empty' ? '; filename=""' : '';
    const lines = [`--${plan.boundary}`, `Content-Disposition: form-data${name}${filename}`];
    if (part.contentType !== undefined) lines.push(`Content-Type: ${part.contentType}`);
    if (part.extraLine !== undefined) lines.push(part.extraLine);
    parts.push(Buffer.from(`${lines.join(eol)}${eol}${eol}`, 'utf8'));
    parts.push(encrypt(part.cipher, plaintext(part.plaintext, ctx), ctx, keyIndex));
    parts.push(Buffer.from(eol));
  }
  if (plan.ending !== 'no-close') parts.push(Buffer.from(`--${plan.boundary}--${plan.ending === 'no-final-crlf' ? '' : eol}`));
  if (plan.ending === 'garbage-after') parts.push(Buffer.from(`garbage${eol}--${plan.boundary}${eol}`));
  const body = Buffer.concat(parts);
  const type = (): string | string[] | undefined => {
    switch (plan.announce) {
      case 'same':
        return `multipart/form-data; boundary=${plan.boundary}`;
      case 'other':
        return `multipart/form-data; boundary=${plan.boundary}x`;
      case 'missing-boundary':
        return 'multipart/form-data';
      case 'quoted':
        return `multipart/form-data; boundary="${plan.boundary}"`;
      case 'no-content-type':
        return undefined;
      case 'json':
        return 'application/json';
      case 'text':
        return 'text/plain';
      case 'octet':
        return 'application/octet-stream';
      case 'mixed':
        return `multipart/mixed; boundary=${plan.boundary}`;
      case 'upper':
        return `MULTIPART/FORM-DATA; BOUNDARY=${plan.boundary}`;
      case 'twice':
        return [`multipart/form-data; boundary=${plan.boundary}`, 'application/json'];
      case 'junk':
        return plan.junkType;
    }
  };
  const contentType = type();
  return contentType === undefined ? { body } : { contentType, body };
}

/** One authenticity field's value. */
type FieldPlan =
  | { kind: 'good'; value: string }
  | { kind: 'other-key'; value: string }
  | { kind: 'plain'; value: string }
  | { kind: 'random-base64'; seed: number; bytes: number }
  | { kind: 'json'; value: unknown }
  | { kind: 'json-text'; text: string }
  | { kind: 'huge'; length: number };

const SAMPLE_VALUES = [
  '홍길동',
  '9001011234567',
  '900101-1234567',
  '20200115',
  '2020.01.15',
  '123456789012',
  'A1B2C3',
  'M12345678',
  '4111111111111111',
  '',
  ' ',
];

function fieldPlan(good = 10): fc.Arbitrary<FieldPlan> {
  const value = fc.oneof({ arbitrary: fc.constantFrom(...SAMPLE_VALUES), weight: 4 }, { arbitrary: junkText(30), weight: 1 });
  return fc.oneof(
    { arbitrary: value.map((v): FieldPlan => ({ kind: 'good', value: v })), weight: good },
    { arbitrary: value.map((v): FieldPlan => ({ kind: 'other-key', value: v })), weight: 1 },
    { arbitrary: value.map((v): FieldPlan => ({ kind: 'plain', value: v })), weight: 1 },
    { arbitrary: fc.record({ seed: fc.nat(100), bytes: fc.nat(80) }).map((p): FieldPlan => ({ kind: 'random-base64', ...p })), weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v): FieldPlan => ({ kind: 'json', value: v })), weight: 1 },
    { arbitrary: deepJson().map((text): FieldPlan => ({ kind: 'json-text', text })), weight: 1 },
    { arbitrary: fc.integer({ min: 1000, max: 60_000 }).map((length): FieldPlan => ({ kind: 'huge', length })), weight: 1 },
  );
}

/**
 * JSON text of a deeply nested array or object (thousands of levels), or one laden with
 * `__proto__` keys. Kept as text: a value that deep would overflow the stack of anything that
 * walks it recursively, fast-check's own printer included.
 */
function deepJson(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 100, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
    fc.integer({ min: 100, max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    fc.constant('{"__proto__":{"isAdmin":true,"idType":"resident"},"constructor":{"prototype":{"x":1}}}'),
  );
}

/** The authenticity body: an object with planned fields, or text that is barely JSON. */
type AuthBodyPlan =
  | {
      kind: 'object';
      idType: { kind: 'type'; value: string } | { kind: 'json'; text: string } | { kind: 'missing' };
      fields: Array<[string, FieldPlan | null]>;
      extras: Array<[string, unknown]>;
      protoIdType: boolean;
    }
  | { kind: 'text'; text: string | Buffer }
  | { kind: 'deep-text'; depth: number; open: string }
  | BoundsPlan;

/**
 * Bodies at the authenticity endpoint's bounds (server/core/authenticity.ts), each otherwise a
 * well-formed resident body: over 64 KiB in all (whitespace padding), a member nested `depth`
 * deep, or a name of `chars` characters. Past a bound the answer is 4000001, whatever else.
 */
type BoundsPlan = { kind: 'oversized'; over: number } | { kind: 'nested'; depth: number } | { kind: 'long-field'; chars: number };

function boundsBodyPlan(): fc.Arbitrary<AuthBodyPlan> {
  return fc.oneof(
    fc.integer({ min: 0, max: 2048 }).map((over): AuthBodyPlan => ({ kind: 'oversized', over })),
    fc.integer({ min: 1, max: 40 }).map((depth): AuthBodyPlan => ({ kind: 'nested', depth })),
    fc.integer({ min: AUTHENTICITY_MAX_FIELD_CHARS - 8, max: AUTHENTICITY_MAX_FIELD_CHARS + 8 }).map((chars): AuthBodyPlan => ({ kind: 'long-field', chars })),
  );
}

/** What a bounds body must answer once every header check has passed (undefined: no promise). */
function boundsExpectation(plan: AuthBodyPlan, body: Buffer, ctx: FuzzContext): number[] | undefined {
  if (plan.kind === 'oversized') return body.length <= ctx.maxUploadBytes ? [4000001] : [4131000];
  if (plan.kind === 'nested') return plan.depth + 1 > AUTHENTICITY_MAX_DEPTH ? [4000001] : undefined;
  if (plan.kind === 'long-field') return plan.chars > AUTHENTICITY_MAX_FIELD_CHARS ? [4000001] : undefined;
  return undefined;
}

const AUTH_FIELDS = ['name', 'residentNumber', 'issueDate', 'driverLicenseNumber', 'serialNum', 'passportNumber', 'birthDate', 'expirationDate'];

/** The fields an idType needs (docs/emulated-api.md, "The authenticity request body"), the optional one sometimes. */
const FIELDS_OF: Record<string, string[]> = {
  resident: ['name', 'residentNumber', 'issueDate'],
  driver: ['name', 'residentNumber', 'driverLicenseNumber', 'serialNum'],
  passport: ['name', 'passportNumber', 'issueDate', 'birthDate', 'expirationDate'],
};

/** A body with exactly the fields of its idType, each usually well encrypted. */
function completeAuthBodyPlan(): fc.Arbitrary<AuthBodyPlan> {
  return fc.constantFrom('resident', 'driver', 'passport').chain((idType) =>
    fc
      .record({
        fields: fc.tuple(
          ...FIELDS_OF[idType]!.map((name) =>
            fc.tuple(
              fc.constant(name),
              // expirationDate travels in the clear.
              name === 'expirationDate'
                ? fc.oneof({ arbitrary: fc.constant<FieldPlan>({ kind: 'plain', value: '20300101' }), weight: 10 }, { arbitrary: fieldPlan(1), weight: 1 })
                : fc.option(fieldPlan(60), { nil: null, freq: 40 }),
            ),
          ),
        ),
        extras: fc.oneof(
          { arbitrary: fc.constant<Array<[string, unknown]>>([]), weight: 6 },
          {
            arbitrary: fc
              .tuple(fc.constantFrom('__proto__', 'constructor', 'idType', 'extra'), fc.jsonValue({ maxDepth: 1 }))
              .map((e): Array<[string, unknown]> => [e]),
            weight: 1,
          },
        ),
        protoIdType: fc.oneof({ arbitrary: fc.constant(false), weight: 10 }, { arbitrary: fc.constant(true), weight: 1 }),
      })
      .map((p): AuthBodyPlan => ({ kind: 'object', idType: { kind: 'type', value: idType }, fields: p.fields, extras: p.extras, protoIdType: p.protoIdType })),
  );
}

function authBodyPlan(): fc.Arbitrary<AuthBodyPlan> {
  // Pairs rather than a dictionary: a name may come twice (JSON.parse keeps the last).
  const fields = fc.array(fc.tuple(fc.constantFrom(...AUTH_FIELDS), fc.option(fieldPlan(), { nil: null, freq: 10 })), { maxLength: 9 });
  return fc.oneof(
    {
      arbitrary: fc
        .record({
          idType: fc.oneof(
            { arbitrary: fc.constantFrom('resident', 'driver', 'passport').map((value) => ({ kind: 'type' as const, value })), weight: 10 },
            {
              arbitrary: fc
                .oneof(fc.constantFrom('RESIDENT', 'resident ', 'alien', 'card', ''), junkText(20))
                .map((value) => ({ kind: 'type' as const, value })),
              weight: 2,
            },
            {
              arbitrary: fc
                .oneof(
                  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
                  deepJson(),
                )
                .map((text) => ({ kind: 'json' as const, text })),
              weight: 2,
            },
            { arbitrary: fc.constant({ kind: 'missing' as const }), weight: 1 },
          ),
          fields,
          extras: fc.array(
            fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'idType'), junkText(10)), fc.jsonValue({ maxDepth: 2 })),
            { maxLength: 3 },
          ),
          protoIdType: fc.boolean(),
        })
        .map((p): AuthBodyPlan => ({ kind: 'object', ...p })),
      weight: 12,
    },
    {
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            '',
            'null',
            '[]',
            '"resident"',
            '{',
            '{"idType":',
            '{"idType":"resident",}',
            '\ufeff{"idType":"resident"}',
            '{"idType":"resident","idType":"driver"}',
            '1e999',
          ),
          junkText(100),
          junkBytes(200),
          fc.constantFrom(...BAD_UTF8).map((b) => Buffer.concat([Buffer.from('{"idType":"resident","name":"'), b, Buffer.from('"}')])),
        )
        .map((text): AuthBodyPlan => ({ kind: 'text', text })),
      weight: 3,
    },
    {
      arbitrary: fc
        .record({ depth: fc.integer({ min: 1000, max: 40_000 }), open: fc.constantFrom('[', '{"a":', '{"idType":') })
        .map((p): AuthBodyPlan => ({ kind: 'deep-text', ...p })),
      weight: 1,
    },
    { arbitrary: boundsBodyPlan(), weight: 1 },
  );
}

/** The JSON text of one field's value. */
function fieldJson(plan: FieldPlan, ctx: FuzzContext, keyIndex: number): string {
  const key = ctx.symmetricKeys[keyIndex]!;
  const text = (value: string) => JSON.stringify(value);
  switch (plan.kind) {
    case 'good':
      return text(aes(key, Buffer.from(plan.value, 'utf8')).toString('base64'));
    case 'other-key':
      return text(aes(ctx.symmetricKeys[(keyIndex + 1) % ctx.symmetricKeys.length]!, Buffer.from(plan.value, 'utf8')).toString('base64'));
    case 'plain':
      return text(plan.value);
    case 'random-base64':
      return text(noise(plan.seed, plan.bytes).toString('base64'));
    case 'json':
      return JSON.stringify(plan.value) ?? 'null';
    case 'json-text':
      return plan.text;
    case 'huge':
      return text(aes(key, noise(plan.length, plan.length)).toString('base64'));
  }
}

function authBody(plan: AuthBodyPlan, ctx: FuzzContext, keyIndex: number): Buffer {
  if (plan.kind === 'text') return typeof plan.text === 'string' ? Buffer.from(plan.text, 'utf8') : plan.text;
  if (plan.kind === 'oversized' || plan.kind === 'nested' || plan.kind === 'long-field') {
    const key = ctx.symmetricKeys[keyIndex]!;
    const field = (value: string) => JSON.stringify(aes(key, Buffer.from(value, 'utf8')).toString('base64'));
    const name = plan.kind === 'long-field' ? JSON.stringify('A'.repeat(plan.chars)) : field('홍길동');
    const nested = plan.kind === 'nested' ? `,"x":${'['.repeat(plan.depth)}${']'.repeat(plan.depth)}` : '';
    const text = `{"idType":"resident","name":${name},"residentNumber":${field('9001011234567')},"issueDate":${field('20200115')}${nested}}`;
    if (plan.kind !== 'oversized') return Buffer.from(text);
    const size = AUTHENTICITY_MAX_BODY_BYTES + 1 + plan.over;
    return Buffer.from(`{${' '.repeat(Math.max(0, size - Buffer.byteLength(text)))}${text.slice(1)}`);
  }
  if (plan.kind === 'deep-text') {
    const close = plan.open === '[' ? ']' : '}';
    return Buffer.from(`${plan.open.repeat(plan.depth)}1${close.repeat(plan.depth)}`);
  }
  // Built as text so that "__proto__" becomes an own key, as a client's JSON would carry it.
  const entries: string[] = [];
  if (plan.idType.kind === 'type') entries.push(`"idType":${JSON.stringify(plan.idType.value)}`);
  else if (plan.idType.kind === 'json') entries.push(`"idType":${plan.idType.text}`);
  for (const [name, field] of plan.fields) {
    entries.push(`${JSON.stringify(name)}:${field === null ? 'null' : fieldJson(field, ctx, keyIndex)}`);
  }
  for (const [name, value] of plan.extras) entries.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  if (plan.protoIdType) entries.push('"__proto__":{"idType":"resident","name":"x"}');
  return Buffer.from(`{${entries.join(',')}}`, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Paths

/** The `{appKey}` path segment. */
function appKeySegment(ctx: FuzzContext): fc.Arbitrary<{ segment: string | Buffer; canonical: boolean }> {
  const encoded = [...ctx.appKey].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
  return fc.oneof(
    { arbitrary: fc.constant({ segment: ctx.appKey, canonical: true }), weight: 20 },
    {
      arbitrary: fc
        .constantFrom(encoded, ctx.appKey.toUpperCase(), `${ctx.appKey}%00`, '%E0%A4%A', '%FF', '..', '.', '', 'other-appkey')
        .map((segment) => ({ segment, canonical: false })),
      weight: 2,
    },
    { arbitrary: junkText(30).map((s) => ({ segment: s, canonical: false })), weight: 1 },
    { arbitrary: fc.integer({ min: 100, max: 15_000 }).map((n) => ({ segment: 'k'.repeat(n), canonical: false })), weight: 1 },
  );
}

/** The route part after `/v2.0/appkeys/{appKey}/`, exactly or slightly off. */
function routeSuffix(route: Route, service: Service): fc.Arbitrary<{ suffix: string; canonical: boolean }> {
  const exact = canonicalSuffix(route, service).suffix;
  return fc.oneof(
    { arbitrary: fc.constant({ suffix: exact, canonical: true }), weight: 20 },
    {
      arbitrary: fc
        .constantFrom(
          `${exact}/`,
          exact.toUpperCase(),
          `${exact}?x=1&x=2`,
          `${exact}?${'q'.repeat(3000)}`,
          `${exact}/extra`,
          `${exact}%2F`,
          `${exact};jsessionid=1`,
          `${exact}#frag`,
          exact.replace('-', '_'),
          `public-keys/${service}s`,
          'public-keys/',
          'public-keys/%E0%A4',
          `public-keys/${service}/x`,
        )
        .map((suffix) => ({ suffix, canonical: false })),
      weight: 2,
    },
  );
}

/** A random path: segments of junk, dot segments, escapes, overlong. */
export function randomPath(admin: boolean): fc.Arbitrary<string | Buffer> {
  const segment = fc.oneof(
    { arbitrary: fc.stringMatching(/^[a-z0-9._~-]{0,12}$/), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        'v2.0',
        'v2.1',
        'appkeys',
        'public-keys',
        'credit-card',
        'id-card',
        'stand-alone',
        'authenticity',
        '..',
        '.',
        '',
        '%2e%2e',
        '%2F',
        '%00',
        '%E0%A4',
        '%',
        '~',
      ),
      weight: 4,
    },
    { arbitrary: junkText(15), weight: 1 },
  );
  const prefix = admin
    ? fc.constantFrom('/__emulator', '/__EMULATOR', '/__emulator/', '//__emulator')
    : fc.constantFrom('', '/v2.0', '/v2.0/appkeys', '/__emulatorx', '/%5F%5Femulator');
  return fc.oneof(
    { arbitrary: fc.tuple(prefix, fc.array(segment, { maxLength: 7 })).map(([p, segs]) => `${p}/${segs.join('/')}`), weight: 10 },
    { arbitrary: fc.tuple(prefix, fc.integer({ min: 100, max: 16_000 })).map(([p, n]) => `${p}/${'a/'.repeat(n / 2)}`), weight: 1 },
    { arbitrary: fc.tuple(prefix, junkBytes(40)).map(([p, b]) => Buffer.concat([Buffer.from(`${p}/`), b])), weight: 1 },
    { arbitrary: fc.constantFrom('*', 'http://127.0.0.1/v2.0/appkeys', 'x', '?', '/?a=%', '/#x'), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// Cases

/**
 * Requests to the five API endpoints: mostly right with one or a few things wrong.
 * @example fc.sample(apiCase(ctx), 1)[0].surface // 'api'
 */
export function apiCase(ctx: FuzzContext): fc.Arbitrary<WireCase> {
  return fc
    .oneof({ arbitrary: apiPlan(ctx, 'envelope'), weight: 7 }, { arbitrary: apiPlan(ctx, 'wild'), weight: 3 })
    .chain((plan) =>
      (plan.mode === 'envelope' ? fc.constant(canonicalSuffix(plan.route, plan.service)) : routeSuffix(plan.route, plan.service)).map((suffix) => ({
        ...plan,
        suffix,
      })),
    )
    .map((plan) => buildApiCase(plan, ctx));
}

/**
 * `envelope`: a well-formed HTTP request to the right path, with the envelope or body wrong now
 * and then (most cases reach the deep checks: decryption, image type, authenticity).
 * `wild`: every part of the request may be wrong at once.
 */
function apiPlan(ctx: FuzzContext, mode: 'envelope' | 'wild'): fc.Arbitrary<Omit<ApiPlan, 'suffix'>> {
  const envelope = mode === 'envelope';
  return fc.record({
    mode: fc.constant(mode),
    route: fc.constantFrom(...API_ROUTES),
    service: fc.constantFrom<Service>('credit-card', 'id-card'),
    http: envelope ? fc.constant({ version: 'HTTP/1.1' as const, host: 'normal' as const }) : envelopeOfHttp(),
    keyIndex: fc.nat(ctx.symmetricKeys.length - 1),
    appKey: envelope ? fc.constant({ segment: ctx.appKey, canonical: true }) : appKeySegment(ctx),
    auth: authPlan(envelope ? 100 : 16),
    version: versionPlan(envelope ? 100 : 16),
    symmetric: symmetricPlan(envelope ? 24 : 14),
    requestKey: requestKeyPlan(envelope ? 30 : 8),
    multipart: envelope ? fc.oneof({ arbitrary: cleanMultipartPlan(), weight: 3 }, { arbitrary: multipartPlan(), weight: 1 }) : multipartPlan(),
    json: envelope
      ? fc.oneof({ arbitrary: completeAuthBodyPlan(), weight: 6 }, { arbitrary: authBodyPlan(), weight: 2 }, { arbitrary: boundsBodyPlan(), weight: 1 })
      : authBodyPlan(),
    jsonType: fc.oneof(
      { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 10 },
      {
        arbitrary: fc.constantFrom(
          undefined,
          'text/plain',
          'application/json; charset=koi8-r',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
        ),
        weight: 2,
      },
    ),
    framing: envelope
      ? fc.oneof(
          { arbitrary: fc.constant<Framing>({ kind: 'length' }), weight: 14 },
          { arbitrary: fc.integer({ min: 2, max: 6 }).map((pieces): Framing => ({ kind: 'split', pieces })), weight: 2 },
          { arbitrary: fc.integer({ min: 1, max: 70_000 }).map((chunkSize): Framing => ({ kind: 'chunked', chunkSize })), weight: 3 },
        )
      : framing(),
    extra: envelope
      ? fc.oneof({ arbitrary: fc.constant<Array<[string | Buffer, string | Buffer]>>([]), weight: 8 }, { arbitrary: extraHeaders(), weight: 1 })
      : extraHeaders(),
    useMethod: envelope ? fc.constant(undefined) : fc.option(method('POST'), { nil: undefined, freq: 4 }),
  });
}

function canonicalSuffix(route: Route, service: Service): { suffix: string; canonical: boolean } {
  return { suffix: route === 'public-key' ? `public-keys/${service}` : route === 'authenticity' ? 'id-card/authenticity' : route, canonical: true };
}

type ApiPlan = {
  mode: 'envelope' | 'wild';
  route: Route;
  service: Service;
  http: { version: 'HTTP/1.1' | 'HTTP/1.0'; host: 'normal' | 'missing' | 'twice' };
  keyIndex: number;
  appKey: { segment: string | Buffer; canonical: boolean };
  auth: AuthPlan;
  version: VersionPlan;
  symmetric: SymmetricPlan;
  requestKey: RequestKeyPlan;
  multipart: MultipartPlan;
  json: AuthBodyPlan;
  jsonType: string | undefined;
  framing: Framing;
  extra: Array<[string | Buffer, string | Buffer]>;
  useMethod: string | undefined;
  suffix: { suffix: string; canonical: boolean };
};

function buildApiCase(plan: ApiPlan, ctx: FuzzContext): WireCase {
  const service: Service = plan.route === 'public-key' ? plan.service : plan.route === 'credit-card' ? 'credit-card' : 'id-card';
  const method = plan.useMethod ?? ROUTE_METHOD[plan.route];
  const target = Buffer.concat([Buffer.from('/v2.0/appkeys/'), Buffer.from(plan.appKey.segment), Buffer.from(`/${plan.suffix.suffix}`)]);
  const headers: Array<[string | Buffer, string | Buffer]> = [];
  switch (plan.auth.kind) {
    case 'good':
      headers.push(['Authorization', ctx.secretKey]);
      break;
    case 'empty':
      headers.push(['Authorization', '']);
      break;
    case 'wrong':
      headers.push(['Authorization', plan.auth.value]);
      break;
    case 'twice-good-first':
      headers.push(['Authorization', ctx.secretKey], ['Authorization', 'wrong']);
      break;
    case 'twice-wrong-first':
      headers.push(['Authorization', 'wrong'], ['Authorization', ctx.secretKey]);
      break;
    case 'padded':
      headers.push(['Authorization', ` ${ctx.secretKey}\t`]); // OWS: trimmed by the parser, so this is the right secret
      break;
    case 'bearer':
      headers.push(['Authorization', `Bearer ${ctx.secretKey}`]);
      break;
    case 'missing':
      break;
  }
  let body: Buffer = Buffer.alloc(0);
  if (plan.route !== 'public-key') {
    const v = plan.version;
    const good = ctx.publicKeys[service].version;
    if (v.kind === 'good') headers.push(['X-Key-Version', good]);
    else if (v.kind === 'other-service') headers.push(['X-Key-Version', ctx.publicKeys[service === 'credit-card' ? 'id-card' : 'credit-card'].version]);
    else if (v.kind === 'value') headers.push(['X-Key-Version', v.value]);
    else if (v.kind === 'twice') headers.push(['X-Key-Version', good], ['X-Key-Version', good]);
    const symmetric = symmetricHeader(plan.symmetric, ctx, service, plan.keyIndex);
    if (symmetric !== undefined) headers.push(['Symmetric-Key', symmetric]);
    if (plan.route === 'authenticity') {
      const rk = plan.requestKey;
      if (rk.kind === 'issued') headers.push(['Request-Key', ctx.requestKeys[ctx.requestKeys.length - 1 - (rk.index % ctx.requestKeys.length)]!]);
      else if (rk.kind === 'value') headers.push(['Request-Key', rk.value]);
      if (plan.jsonType !== undefined) headers.push(['Content-Type', plan.jsonType]);
      body = authBody(plan.json, ctx, plan.keyIndex);
    } else {
      const made = multipartBody(plan.multipart, ctx, plan.keyIndex);
      for (const type of [made.contentType ?? []].flat()) headers.push(['Content-Type', type]);
      body = made.body;
    }
  }
  headers.push(...plan.extra);
  // What the generator can promise: the first rows of the condition table.
  const canonical = plan.appKey.canonical && plan.suffix.canonical && method === ROUTE_METHOD[plan.route] && plan.extra.length === 0;
  let expectCodes: number[] | undefined;
  if (canonical && plan.auth.kind === 'missing') expectCodes = [4000005];
  else if (canonical && (plan.auth.kind === 'bearer' || plan.auth.kind === 'twice-wrong-first')) expectCodes = [4010001];
  else if (
    canonical &&
    plan.route === 'authenticity' &&
    plan.auth.kind === 'good' &&
    plan.version.kind === 'good' &&
    plan.symmetric.kind === 'good' &&
    plan.requestKey.kind === 'issued' &&
    plan.http.host === 'normal'
  ) {
    expectCodes = boundsExpectation(plan.json, body, ctx);
  }
  return {
    label: `${plan.mode}: ${method} ${plan.route} auth=${plan.auth.kind} version=${plan.version.kind} symmetric=${plan.symmetric.kind} framing=${plan.framing.kind}`,
    surface: 'api',
    method,
    target,
    ...plan.http,
    headers,
    body,
    framing: plan.framing,
    ...(expectCodes ? { expectCodes } : {}),
  };
}

/** Admin endpoints, as templates (`:name` filled in by the generator). */
const ADMIN_PATHS = [
  ['GET', '/health'],
  ['GET', '/openapi.yaml'],
  ['GET', '/scenarios'],
  ['POST', '/scenarios/reload'],
  ['GET', '/scenarios/:scenario'],
  ['GET', '/queue'],
  ['POST', '/queue'],
  ['DELETE', '/queue'],
  ['GET', '/defaults'],
  ['PUT', '/defaults/:appKey'],
  ['DELETE', '/defaults/:appKey'],
  ['POST', '/reset'],
  ['GET', '/clock'],
  ['POST', '/clock'],
  ['GET', '/keys'],
  ['POST', '/keys/:service/rotate'],
  ['POST', '/keys/:service/revoke'],
  ['GET', '/requests'],
  ['DELETE', '/requests'],
] as const;

/**
 * Requests to the admin API: right paths with junk bodies, queries and tokens; wrong methods.
 * @example fc.sample(adminCase(ctx), 1)[0].surface // 'admin'
 */
export function adminCase(ctx: FuzzContext): fc.Arbitrary<WireCase> {
  const scenario = fc.oneof({ arbitrary: fc.constantFrom(...ctx.scenarios), weight: 4 }, { arbitrary: junkText(20), weight: 1 });
  // JSON text of one value.
  const jsonValue = fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'), weight: 3 },
    {
      arbitrary: fc.constantFrom(0, -1, 1, 5, 1e9, 1e300, -1e300, 0.5, Number.MAX_SAFE_INTEGER, '5', '', null, true, [], {}).map((v) => JSON.stringify(v)),
      weight: 3,
    },
    { arbitrary: deepJson(), weight: 1 },
  );
  const text = (arb: fc.Arbitrary<unknown>) => arb.map((v) => JSON.stringify(v) ?? 'null');
  const body = fc.oneof(
    {
      // Members as JSON text, so "__proto__" is an own key as a client's JSON would carry it.
      arbitrary: fc
        .record(
          {
            scenario: fc.oneof(text(scenario), jsonValue),
            times: fc.oneof(text(fc.integer({ min: -2, max: 6 })), jsonValue),
            appKey: fc.oneof(text(fc.constantFrom(ctx.appKey, 'other-appkey', '__proto__')), jsonValue),
            scenarios: fc.oneof(text(fc.array(scenario, { maxLength: 3 })), jsonValue),
            advanceSeconds: fc.oneof(text(fc.constantFrom(0, 1, 3600, 1e6, 1e12, 1e15, 1e300, -1, Number.MAX_VALUE, 8.64e12)), jsonValue),
            version: fc.oneof(text(fc.constantFrom('0', '1', '99', '')), jsonValue),
            proto: jsonValue,
          },
          { requiredKeys: [] },
        )
        .map((members) => {
          const entries = Object.entries(members).map(([name, json]) => `${JSON.stringify(name === 'proto' ? '__proto__' : name)}:${json}`);
          return Buffer.from(`{${entries.join(',')}}`, 'utf8');
        }),
      weight: 8,
    },
    {
      arbitrary: fc
        .oneof(fc.constantFrom('', '{', 'null', '[]', '"x"', '1', '{"scenario":', '{"__proto__":{"scenario":"credit-card/ok"}}'), junkText(60))
        .map((t) => Buffer.from(t, 'utf8')),
      weight: 2,
    },
    { arbitrary: junkBytes(100), weight: 1 },
    { arbitrary: fc.integer({ min: 1000, max: 100_000 }).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 2000 }).map((kb) => Buffer.from(`{"scenario":"${'x'.repeat(kb * 1024)}"}`)), weight: 1 },
  );
  // Plausible members: the right types, usually sensible values.
  const cleanBody = fc
    .record(
      {
        scenario: text(scenario),
        times: text(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, -1, 1.5, 1e9))),
        appKey: text(fc.constantFrom(ctx.appKey, 'other-appkey', '__proto__')),
        scenarios: text(fc.array(scenario, { maxLength: 2 })),
        advanceSeconds: text(fc.constantFrom(0, 1, 3600, 86_400, 1e9, 1e12, -1, 0.5)),
        version: text(fc.constantFrom('0', '1', '99')),
      },
      { requiredKeys: [] },
    )
    .map((members) =>
      Buffer.from(
        `{${Object.entries(members)
          .map(([name, json]) => `${JSON.stringify(name)}:${json}`)
          .join(',')}}`,
        'utf8',
      ),
    );
  return fc.oneof({ arbitrary: adminPlan('clean'), weight: 3 }, { arbitrary: adminPlan('wild'), weight: 2 }).map((plan) => buildAdminCase(plan, ctx));

  /** `clean`: well-formed HTTP and JSON with the token, the values vary. `wild`: anything goes. */
  function adminPlan(mode: 'clean' | 'wild') {
    const clean = mode === 'clean';
    return fc.record({
      endpoint: fc.constantFrom(...ADMIN_PATHS),
      http: clean ? fc.constant({ version: 'HTTP/1.1' as const, host: 'normal' as const }) : envelopeOfHttp(),
      useMethod: clean ? fc.constant(undefined) : fc.option(method('GET'), { nil: undefined, freq: 5 }),
      scenario,
      appKey: clean
        ? fc.constantFrom(ctx.appKey, 'other-appkey', '__proto__', 'x'.repeat(3000))
        : fc.oneof(fc.constantFrom(ctx.appKey, 'other-appkey', '__proto__', '%E0%A4', '%2F', 'x'.repeat(3000)), junkText(20)),
      service: fc.oneof(
        { arbitrary: fc.constantFrom('credit-card', 'id-card'), weight: 6 },
        { arbitrary: fc.constantFrom('passport', '', '%FF', '__proto__'), weight: 1 },
      ),
      query: fc.oneof(
        { arbitrary: fc.constant(''), weight: 6 },
        {
          arbitrary: fc.constantFrom(
            '?limit=5',
            '?limit=-1',
            '?limit=abc',
            '?limit=1e3',
            '?limit[]=1',
            '?failed=true&endpoint=credit-card',
            '?endpoint[a]=b',
            '?appKey=%E0%A4',
            `?limit=${'9'.repeat(400)}`,
            '?__proto__[x]=1',
          ),
          weight: 2,
        },
      ),
      body: clean ? fc.oneof({ arbitrary: cleanBody, weight: 4 }, { arbitrary: body, weight: 1 }) : body,
      contentType: clean
        ? fc.constant<string | undefined>('application/json')
        : fc.oneof(
            { arbitrary: fc.constant<string | undefined>('application/json'), weight: 10 },
            {
              arbitrary: fc.constantFrom(
                undefined,
                'text/plain',
                'application/json; charset=koi8-zz',
                'application/json; charset=utf-16',
                'application/*+json',
                'application/x-www-form-urlencoded',
                'multipart/form-data; boundary=x',
              ),
              weight: 2,
            },
          ),
      encoding: clean
        ? fc.constant<string | undefined>(undefined)
        : fc.oneof(
            { arbitrary: fc.constant<string | undefined>(undefined), weight: 12 },
            { arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-zip'), weight: 1 },
          ),
      token: clean
        ? fc.oneof(
            { arbitrary: fc.constant<'good' | 'missing' | 'bare' | 'lower' | string | Buffer>('good'), weight: 10 },
            { arbitrary: fc.constantFrom('bare' as const, 'lower' as const), weight: 1 },
          )
        : fc.oneof(
            { arbitrary: fc.constant('good' as const), weight: 10 },
            { arbitrary: fc.constantFrom('missing' as const, 'bare' as const, 'lower' as const), weight: 1 },
            { arbitrary: headerValue(40), weight: 1 },
          ),
      framing: clean ? fc.constant<Framing>({ kind: 'length' }) : framing(),
      extra: clean ? fc.constant<Array<[string | Buffer, string | Buffer]>>([]) : extraHeaders(),
      mode: fc.constant(mode),
    });
  }
}

type AdminPlan = {
  mode: 'clean' | 'wild';
  endpoint: (typeof ADMIN_PATHS)[number];
  http: { version: 'HTTP/1.1' | 'HTTP/1.0'; host: 'normal' | 'missing' | 'twice' };
  useMethod: string | undefined;
  scenario: string;
  appKey: string;
  service: string;
  query: string;
  body: Buffer;
  contentType: string | undefined;
  encoding: string | undefined;
  token: string | Buffer;
  framing: Framing;
  extra: Array<[string | Buffer, string | Buffer]>;
};

/**
 * Percent-encodes everything but RFC 3986 unreserved characters (encodeURI throws on lone
 * surrogates; this writes their UTF-8 replacement instead).
 * @example pct('a b') // 'a%20b'
 */
export function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

function buildAdminCase(plan: AdminPlan, ctx: FuzzContext): WireCase {
  const usual: string = plan.endpoint[0];
  const template: string = plan.endpoint[1];
  const appKey = plan.mode === 'clean' ? pct(plan.appKey) : plan.appKey;
  const path = template.replace(':scenario', plan.scenario.split('/').map(pct).join('/')).replace(':appKey', appKey).replace(':service', plan.service);
  const method = plan.useMethod ?? usual;
  const headers: Array<[string | Buffer, string | Buffer]> = [];
  if (ctx.adminToken) {
    if (plan.token === 'good') headers.push(['Authorization', `Bearer ${ctx.adminToken}`]);
    else if (plan.token === 'bare') headers.push(['Authorization', ctx.adminToken]);
    else if (plan.token === 'lower') headers.push(['Authorization', `bearer ${ctx.adminToken}`]);
    else if (plan.token !== 'missing') headers.push(['Authorization', plan.token]);
  }
  // The token only as `Bearer <token>`, the scheme in any case (RFC 9110 section 11.1): a bare
  // token never gets through (health needs none), a lower-case scheme never gets 401.
  const tokenRule: Pick<WireCase, 'refused' | 'admitted'> =
    !ctx.adminToken || template === '/health' ? {} : plan.token === 'bare' ? { refused: true } : plan.token === 'lower' ? { admitted: true } : {};
  if (plan.contentType !== undefined) headers.push(['Content-Type', plan.contentType]);
  if (plan.encoding !== undefined) headers.push(['Content-Encoding', plan.encoding]);
  headers.push(...plan.extra);
  return {
    label: `${method} /__emulator${path} framing=${plan.framing.kind}`,
    surface: 'admin',
    method,
    target: Buffer.concat([Buffer.from('/__emulator'), Buffer.from(path, 'utf8'), Buffer.from(plan.query)]),
    ...plan.http,
    headers,
    body: plan.body,
    framing: plan.framing,
    ...tokenRule,
  };
}

/**
 * Random paths and methods, outside the admin API (`admin: false`) or inside it.
 * @example fc.sample(randomCase(ctx, false), 1)[0].surface // 'api'
 */
export function randomCase(ctx: FuzzContext, admin: boolean): fc.Arbitrary<WireCase> {
  return fc
    .record({
      method: method('GET'),
      path: randomPath(admin),
      http: envelopeOfHttp(),
      auth: fc.option(fc.constant(ctx.secretKey), { nil: undefined }),
      body: fc.oneof({ arbitrary: fc.constant(Buffer.alloc(0)), weight: 4 }, { arbitrary: junkBytes(200), weight: 1 }),
      framing: framing(),
      extra: extraHeaders(),
    })
    .map(
      (plan): WireCase => ({
        label: `${plan.method} random path framing=${plan.framing.kind}`,
        surface: admin ? 'admin' : 'api',
        method: plan.method,
        target: plan.path,
        ...plan.http,
        headers: [...(plan.auth ? [['Authorization', plan.auth] as [string, string]] : []), ...plan.extra],
        body: plan.body,
        framing: plan.framing,
      }),
    );
}

/**
 * Everything against the emulated API: the five endpoints and random paths.
 * @example fc.assert(fc.asyncProperty(apiSurface(ctx), check))
 */
export function apiSurface(ctx: FuzzContext): fc.Arbitrary<WireCase> {
  return fc.oneof({ arbitrary: apiCase(ctx), weight: 9 }, { arbitrary: randomCase(ctx, false), weight: 1 });
}

/**
 * Everything against the admin API: its endpoints and random paths under /__emulator.
 * @example fc.assert(fc.asyncProperty(adminSurface(ctx), check))
 */
export function adminSurface(ctx: FuzzContext): fc.Arbitrary<WireCase> {
  return fc.oneof({ arbitrary: adminCase(ctx), weight: 4 }, { arbitrary: randomCase(ctx, true), weight: 1 });
}

/**
 * Symmetric-Key headers that are RSA-correct but wrong for the service: 16-, 33- and 0-byte
 * keys with PKCS#1 v1.5, and a 32-byte key with OAEP.
 * @example const odd = oddWrapsFor(publicKey.key)
 */
export function oddWrapsFor(publicKeyBase64: string): string[] {
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  const wrap = (bytes: Buffer, padding: number) => publicEncrypt({ key, padding }, bytes).toString('base64');
  return [
    wrap(noise(1, 16), constants.RSA_PKCS1_PADDING),
    wrap(noise(2, 33), constants.RSA_PKCS1_PADDING),
    wrap(Buffer.alloc(0), constants.RSA_PKCS1_PADDING),
    wrap(noise(3, 32), constants.RSA_PKCS1_OAEP_PADDING),
  ];
}

/**
 * The fixed pool of symmetric keys (deterministic, so a seed replays the same bytes).
 * @example symmetricKeyPool(4).length // 4
 */
export function symmetricKeyPool(size: number): Buffer[] {
  return Array.from({ length: size }, (_, i) => noise(10_000 + i, 32));
}
