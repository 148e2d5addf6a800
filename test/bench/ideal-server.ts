/**
 * The ideal server: only the work no emulator of this API can skip, on bare `node:http`, as a
 * lean hand-written server would do it. It reads the multipart body, unwraps the Symmetric-Key
 * (one RSA private operation, with a bounded cache of unwrapped keys by header), decrypts the
 * image with AES-256-CBC (IV = the key's first 16 bytes), encrypts one value back and answers
 * JSON in the API's success shape. No journal, no checks beyond what it needs to find its bytes,
 * no scenarios: the reference the emulator's own cost is measured against (`npm run bench`).
 *
 * Independent of the emulator's code on purpose: it imports nothing from server/ or contracts/.
 * It holds the emulator's key pairs by reading the keys directory the bench starts the emulator
 * with (`IDEAL_KEYS_DIR`, the emulator's `EMULATOR_KEYS_DIR`), once at start; the bench starts
 * it after the emulator has made its keys. Run as its own process:
 * `PORT=0 IDEAL_KEYS_DIR=/tmp/keys node --import tsx test/bench/ideal-server.ts`.
 */
import { constants, createCipheriv, createDecipheriv, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

/** Unwrapped keys kept: the emulator's own cache holds 10,000 reused headers. */
const CACHE_ENTRIES = 10_000;

/** Private keys by `appKey service version`, from the key ring files of the directory. */
const privateKeys = new Map<string, KeyObject>();
const dir = process.env['IDEAL_KEYS_DIR'];
if (!dir) throw new Error('IDEAL_KEYS_DIR is not set');
for (const name of readdirSync(dir)) {
  if (!name.endsWith('.json')) continue;
  const ring = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { appKey: string; service: string; versions: { version: string; privateKey: string }[] };
  for (const v of ring.versions) privateKeys.set(`${ring.appKey} ${ring.service} ${v.version}`, createPrivateKey(v.privateKey));
}

/** Unwrapped symmetric keys by their Symmetric-Key header, oldest first (Map keeps insertion order). */
const unwrapped = new Map<string, Buffer>();

/**
 * The symmetric key in a Symmetric-Key header: RSA without padding, then PKCS#1 v1.5 type 2
 * stripped by hand (Node 20 refuses PKCS#1 v1.5 private decryption, CVE-2023-46809).
 */
function unwrap(header: string, key: KeyObject): Buffer | undefined {
  const cached = unwrapped.get(header);
  if (cached) return cached;
  let block: Buffer;
  try {
    block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(header, 'base64'));
  } catch {
    return undefined;
  }
  const separator = block.indexOf(0, 2);
  if (block[0] !== 0 || block[1] !== 2 || separator < 10 || block.length - separator - 1 !== 32) return undefined;
  const symmetricKey = block.subarray(separator + 1);
  if (unwrapped.size >= CACHE_ENTRIES) unwrapped.delete(unwrapped.keys().next().value!);
  unwrapped.set(header, symmetricKey);
  return symmetricKey;
}

/** The first file part's bytes: after the part's blank line, up to the next delimiter. */
function imagePart(body: Buffer, boundary: string): Buffer | undefined {
  const start = body.indexOf('\r\n\r\n', 0, 'latin1');
  if (start < 0) return undefined;
  const end = body.indexOf(`\r\n--${boundary}`, start, 'latin1');
  return end < 0 ? undefined : body.subarray(start + 4, end);
}

function encryptValue(key: Buffer, value: string): string {
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  return Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]).toString('base64');
}

function send(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function failure(res: ServerResponse, resultCode: number, resultMessage: string): void {
  send(res, { header: { isSuccessful: false, resultCode, resultMessage } });
}

const OPERATION = /^\/v2\.0\/appkeys\/([^/]+)\/(credit-card|id-card)$/;
const BOUNDARY = /boundary=([^;]+)/;

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer, appKey: string, service: string): void {
  const key = privateKeys.get(`${appKey} ${service} ${req.headers['x-key-version']}`);
  if (!key) {
    failure(res, 4000301, 'Invalid key version.');
    return;
  }
  const symmetricKey = unwrap(String(req.headers['symmetric-key'] ?? ''), key);
  if (!symmetricKey) {
    failure(res, 4000302, 'Invalid symmetric key.');
    return;
  }
  const boundary = BOUNDARY.exec(req.headers['content-type'] ?? '')?.[1];
  const encrypted = boundary === undefined ? undefined : imagePart(body, boundary);
  if (!encrypted) {
    failure(res, 4000001, 'Invalid parameter.');
    return;
  }
  let image: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', symmetricKey, symmetricKey.subarray(0, 16));
    image = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  } catch {
    failure(res, 4000303, 'Invalid encrypted data.');
    return;
  }
  send(res, {
    header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
    result: { fileType: image[0] === 0xff ? 'jpg' : 'png', bytes: image.length, value: encryptValue(symmetricKey, '4111111111111111') },
  });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__emulator/health') {
    send(res, { status: 'ok' });
    return;
  }
  const route = req.method === 'POST' ? OPERATION.exec(req.url ?? '') : null;
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => answer(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), route[1]!, route[2]!));
});
server.listen(Number(process.env['PORT'] ?? 0), process.env['HOST'] ?? '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`ideal server ready at http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
