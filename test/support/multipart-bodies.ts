/**
 * Generated multipart bodies for comparing the image reader's shortcut with multer: mostly the
 * plain one-part body common clients send, each with one or two small departures from it
 * (header spelling, parameters, line ends, extra parts, a delimiter or part of one inside the
 * image, a body cut short, transport padding, a preamble, another Content-Type), in random chunks.
 */
import fc from 'fast-check';

/** One generated upload: its Content-Type, its body, and where the body is cut into chunks. */
export interface MultipartCase {
  contentType: string | undefined;
  body: Buffer;
  /** Chunk lengths, in order; their sum is the body's length. */
  chunks: number[];
}

/** Splits a body as a case says. */
export function chunksOf(c: MultipartCase): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const length of c.chunks) {
    out.push(c.body.subarray(at, at + length));
    at += length;
  }
  if (at < c.body.length) out.push(c.body.subarray(at));
  return out;
}

const TOKEN_BOUNDARIES = [
  '----formdata-undici-0123456789',
  '------------------------d74496d66958873e',
  '----WebKitFormBoundary7MA4YWxkTrZu0gW',
  'b',
  "x'+_.-9",
  'Z'.repeat(70),
];
const OTHER_BOUNDARIES = ['a b', 'q(x)', 'c,d', 'x'.repeat(71), 'e/f:g=h?'];

const contentTypes = (b: string) => [
  `multipart/form-data; boundary=${b}`,
  `multipart/form-data; boundary="${b}"`,
  `Multipart/Form-Data; boundary=${b}`,
  `multipart/form-data; BOUNDARY=${b}`,
  `multipart/form-data;boundary=${b}`,
  `multipart/form-data; boundary=${b}; charset=utf-8`,
  `multipart/form-data; boundary=${b} `,
  `multipart/form-data; boundary=${b}x`,
  'multipart/form-data',
  `multipart/mixed; boundary=${b}`,
  'application/octet-stream',
];

const DISPOSITIONS = [
  'form-data; name="image"; filename="card.jpg"',
  'form-data; name="image"; filename="blob"',
  'form-data; name="image"; filename="."',
  'form-data; name="image"; filename=".."',
  'form-data; name="image"; filename="a/b.jpg"',
  'form-data; name="image"; filename="a/"',
  'form-data; name="image"; filename="C:\\\\x.jpg"',
  'form-data; name="image"; filename=""',
  'form-data; name="image"; filename="a;b=c.jpg"',
  'form-data; name="image"; filename="%0A.jpg"',
  'form-data; name="image"; filename=card.jpg',
  'form-data; name="image"; filename*=UTF-8\'\'card.jpg',
  'form-data; name="image"; filename="x"; filename*=UTF-8\'\'y',
  'form-data; name="image"',
  'form-data; filename="card.jpg"; name="image"',
  'form-data; name="Image"; filename="card.jpg"',
  'form-data; name="image "; filename="card.jpg"',
  'form-data; name="image[]"; filename="card.jpg"',
  'form-data; name=image; filename="card.jpg"',
  'form-data; name*=UTF-8\'\'image; filename="card.jpg"',
  'form-data; name="im\\age"; filename="card.jpg"',
  'form-data; name="image"; filename="card.jpg" ',
  'form-data;name="image";filename="card.jpg"',
  'Form-Data; name="image"; filename="card.jpg"',
  'attachment; name="image"; filename="card.jpg"',
  'form-data; NAME="image"; FILENAME="card.jpg"',
  'form-data; name="image"; filename="card.jpg"; size=3',
  'form-data; name="other"; filename="card.jpg"',
  'form-data; name="image"; filename="caf\u00e9.jpg"',
  '',
];

const HEADER_NAMES = [
  'Content-Disposition',
  'content-disposition',
  'CONTENT-DISPOSITION',
  'Content-Disposition ',
  ' Content-Disposition',
  'Content-Dispositio',
];
const SEPARATORS = [': ', ':', ':\t', ':  '];
const EXTRA_LINES = [
  'Content-Type: image/jpeg',
  'Content-Type: application/octet-stream',
  'Content-Type: text/plain',
  'Content-Length: 12',
  'Content-Transfer-Encoding: base64',
  'X-Odd: caf\u00e9',
  'no colon',
  ' folded',
  'Bad Name: x',
  ':empty',
  'X-Empty:',
  'X-Tab:\tvalue',
];

/** Bytes of the image: random, with pieces of the delimiter (or all of it) inside now and then. */
function imageData(boundary: string): fc.Arbitrary<Buffer> {
  const delimiter = `\r\n--${boundary}`;
  const pieces = [
    delimiter,
    `${delimiter}--`,
    `${delimiter}\r\n`,
    delimiter.slice(0, -1),
    `--${boundary}`,
    '\r\n-',
    '\r\n--',
    `${delimiter}x`,
    '\r\n\r\n',
    '--',
  ];
  return fc
    .array(
      fc.oneof(
        { arbitrary: fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a)), weight: 6 },
        { arbitrary: fc.constantFrom(...pieces).map((p) => Buffer.from(p, 'latin1')), weight: 1 },
      ),
      { maxLength: 6 },
    )
    .map((parts) => Buffer.concat(parts));
}

interface PartPlan {
  headerName: string;
  separator: string;
  disposition: string;
  /** Lines before and after the Content-Disposition line. */
  before: string[];
  after: string[];
  secondDisposition: string | undefined;
  eol: string;
  data: Buffer;
}

function partPlan(boundary: string, plain: boolean): fc.Arbitrary<PartPlan> {
  const pick = <T>(plainValue: T, others: readonly T[]) =>
    plain ? fc.constant(plainValue) : fc.oneof({ arbitrary: fc.constant(plainValue), weight: 3 }, { arbitrary: fc.constantFrom(...others), weight: 1 });
  return fc.record({
    headerName: pick('Content-Disposition', HEADER_NAMES),
    separator: pick(': ', SEPARATORS),
    disposition: pick(DISPOSITIONS[0]!, DISPOSITIONS),
    before: plain ? fc.constant([]) : fc.array(fc.constantFrom(...EXTRA_LINES), { maxLength: 2 }),
    after: fc.array(fc.constantFrom(...(plain ? EXTRA_LINES.slice(0, 5) : EXTRA_LINES)), { maxLength: 2 }),
    secondDisposition: plain ? fc.constant(undefined) : fc.option(fc.constantFrom(...DISPOSITIONS), { nil: undefined, freq: 8 }),
    eol: pick('\r\n', ['\n', '\r\n', '\r']),
    data: imageData(boundary),
  });
}

function partBytes(part: PartPlan): Buffer {
  const lines = [
    ...part.before,
    `${part.headerName}${part.separator}${part.disposition}`,
    ...(part.secondDisposition === undefined ? [] : [`Content-Disposition: ${part.secondDisposition}`]),
    ...part.after,
  ];
  return Buffer.concat([Buffer.from(`${lines.join(part.eol)}${part.eol}${part.eol}`, 'latin1'), part.data]);
}

/**
 * Cases: about half plain (which the shortcut should take), the rest one or more steps away.
 * @example fc.assert(fc.asyncProperty(multipartCase(), async (c) => ...))
 */
export function multipartCase(): fc.Arbitrary<MultipartCase> {
  return fc
    .record({
      plain: fc.boolean(),
      boundary: fc.oneof(
        { arbitrary: fc.constantFrom(...TOKEN_BOUNDARIES), weight: 8 },
        { arbitrary: fc.stringMatching(/^[A-Za-z0-9'+_.-]{1,12}$/), weight: 3 },
        { arbitrary: fc.constantFrom(...OTHER_BOUNDARIES), weight: 1 },
      ),
      typeIndex: fc.oneof({ arbitrary: fc.constant(0), weight: 10 }, { arbitrary: fc.nat({ max: 10 }), weight: 1 }),
      missingType: fc.oneof({ arbitrary: fc.constant(false), weight: 19 }, { arbitrary: fc.constant(true), weight: 1 }),
      preamble: fc.oneof({ arbitrary: fc.constant(''), weight: 10 }, { arbitrary: fc.constantFrom('preamble\r\n', '\r\n', 'x', '--'), weight: 1 }),
      extraParts: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.integer({ min: 1, max: 10 }), weight: 1 }),
      seed: fc.nat(),
      after: fc.oneof(
        { arbitrary: fc.constant('--\r\n'), weight: 8 },
        { arbitrary: fc.constantFrom('--', '', '-', '-x', ' \r\n', '\r\n', '--garbage\r\n--', '\t--\r\n', '---\r\n'), weight: 2 },
      ),
      trailer: fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, { arbitrary: fc.constantFrom('epilogue', '\r\n--b--\r\n'), weight: 1 }),
      cut: fc.oneof({ arbitrary: fc.constant(-1), weight: 12 }, { arbitrary: fc.nat(), weight: 1 }),
    })
    .chain((plan) => {
      const parts = fc.tuple(
        partPlan(plan.boundary, plan.plain),
        fc.array(partPlan(plan.boundary, false), { minLength: plan.extraParts, maxLength: plan.extraParts }),
      );
      return fc.tuple(fc.constant(plan), parts);
    })
    .chain(([plan, [first, rest]]) => {
      const b = plan.boundary;
      const segments: Buffer[] = [Buffer.from(plan.preamble, 'latin1')];
      for (const part of [first, ...rest]) segments.push(Buffer.from(`--${b}\r\n`, 'latin1'), partBytes(part), Buffer.from('\r\n', 'latin1'));
      // The last CRLF above begins the closing delimiter.
      segments.push(Buffer.from(`--${b}${plan.after}${plan.trailer}`, 'latin1'));
      let body = Buffer.concat(segments);
      if (plan.cut >= 0) body = body.subarray(0, plan.cut % (body.length + 1));
      const contentType = plan.missingType ? undefined : contentTypes(b)[plan.typeIndex]!;
      return fc.array(fc.integer({ min: 1, max: Math.max(1, body.length) }), { maxLength: 5 }).map((cuts): MultipartCase => {
        const points = [...new Set(cuts.filter((n) => n < body.length))].sort((x, y) => x - y);
        const chunks = [...points, body.length].map((p, i) => p - (i === 0 ? 0 : points[i - 1]!)).filter((n) => n > 0);
        return { contentType, body, chunks };
      });
    });
}
