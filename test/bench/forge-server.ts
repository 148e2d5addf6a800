/**
 * The same envelope with node-forge only (pure JavaScript, as a server would do it without
 * `node:crypto`): express + multer, RSA PKCS#1 v1.5 unwrap of `Symmetric-Key` with forge,
 * AES-256-CBC of the image with forge (IV = the key's first 16 bytes), a credit-card style answer
 * with one value encrypted with forge. Serves its public key the way the emulator does. Run by
 * `npm run bench` as its own process: `PORT=0 node --import tsx test/bench/forge-server.ts`.
 */
import express from 'express';
import multer from 'multer';
import forge from 'node-forge';
import { fixture } from '../support/fixtures.js';

const privateKey = forge.pki.privateKeyFromPem(fixture('rsa-2048-a.pem').toString('utf8'));
const publicKeyDer = forge.asn1.toDer(forge.pki.publicKeyToAsn1(forge.pki.setRsaPublicKey(privateKey.n, privateKey.e))).getBytes();
const publicKeyBase64 = forge.util.encode64(publicKeyDer);

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 20 * 1024 * 1024 } }).any();

function fail(res: express.Response, resultCode: number, resultMessage: string): void {
  res.json({ header: { isSuccessful: false, resultCode, resultMessage } });
}

app.get('/v2.0/appkeys/:appKey/public-keys/:service', (_req, res) => {
  res.json({ header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result: { key: publicKeyBase64, version: '0' } });
});

app.post('/v2.0/appkeys/:appKey/:endpoint', upload, (req, res) => {
  let key: string;
  try {
    key = privateKey.decrypt(forge.util.decode64(String(req.headers['symmetric-key'] ?? '')), 'RSAES-PKCS1-V1_5');
  } catch {
    fail(res, 4000302, 'Invalid symmetric key.');
    return;
  }
  if (key.length !== 32) return fail(res, 4000302, 'Invalid symmetric key.');
  const image = ((req.files ?? []) as Express.Multer.File[]).find((file) => file.fieldname === 'image');
  if (!image) return fail(res, 4000001, 'Invalid parameter.');
  const decipher = forge.cipher.createDecipher('AES-CBC', key);
  decipher.start({ iv: key.slice(0, 16) });
  decipher.update(forge.util.createBuffer(image.buffer.toString('binary')));
  if (!decipher.finish()) return fail(res, 4000303, 'Invalid encrypted data.');
  const plain = decipher.output.getBytes();
  const fileType = plain.charCodeAt(0) === 0xff && plain.charCodeAt(1) === 0xd8 ? 'jpg' : plain.startsWith('\x89PNG') ? 'png' : undefined;
  if (!fileType) return fail(res, 4000003, 'Invalid file type.');
  const cipher = forge.cipher.createCipher('AES-CBC', key);
  cipher.start({ iv: key.slice(0, 16) });
  cipher.update(forge.util.createBuffer('4111111111111111'));
  cipher.finish();
  res.json({
    header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
    result: { fileType, bytes: plain.length, totalCardNum: forge.util.encode64(cipher.output.getBytes()) },
  });
});
app.get('/__emulator/health', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`forge server ready at http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
