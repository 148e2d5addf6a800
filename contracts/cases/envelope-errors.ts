/**
 * Broken envelopes a real client could send, one per row of the condition-to-code table
 * (docs/emulated-api.md, "Which condition gets which code"): missing
 * headers, a key version never issued, a symmetric key wrapped wrong (OAEP, 16 bytes,
 * base64url, another public key), a body over the limit, a missing or empty image, broken
 * ciphertext, a wrong IV, bytes that are no image. The codes are this project's reading;
 * the codes and messages themselves are the error-code table's.
 */
import { createCipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import { encryptBytes, newSymmetricKey, wrapSymmetricKey } from '../client/index.js';
import { defineCases, type CaseContext } from '../lib/case.js';
import { apiPath, DOC, envelopeFor } from './support.js';

const WRAP_DOC = `${DOC.guide}, [Request Header]: "{symmetricKey} must be created as a 32-byte random number" and "encrypted with the RSA/ECB/PKCS1Padding method"`;
const AES_DOC = `${DOC.guide}: "Image files must be encrypted with the AES-256/CBC/PKCS7Padding method"; docs/emulated-api.md, "The envelope": IV = the first 16 bytes of the symmetric key`;

/** The card image every case here sends (its content does not matter: the envelope fails first). */
const card = (ctx: CaseContext) => ctx.images.get('card-jpg-low').bytes;

/** A base64 `Symmetric-Key` whose standard alphabet shows (`+` or `/`), so base64url differs from it. */
async function wrappedWithSymbols(ctx: CaseContext, key: Buffer): Promise<string> {
  const publicKey = await ctx.client.publicKey('credit-card');
  for (let i = 0; i < 50; i++) {
    const wrapped = wrapSymmetricKey(publicKey.key, key);
    if (/[+/]/.test(wrapped)) return wrapped;
  }
  return ctx.fail('could not make a wrapped key with + or / in 50 tries');
}

export const ENVELOPE_CASES = defineCases([
  {
    id: 'envelope/missing-key-version',
    title: 'No X-Key-Version answers 4000005',
    description: `X-Key-Version is a required request header (${DOC.guide}, Credit Card API [Request Header]); missing: 4000005 (${DOC.table}).`,
    basis: 'reading',
    covers: ['envelope-header-missing'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { headers: { 'X-Key-Version': null } }), 4000005);
    },
  },
  {
    id: 'envelope/missing-symmetric-key',
    title: 'No Symmetric-Key answers 4000005',
    description: `Symmetric-Key is a required request header (${DOC.guide}, [Request Header]); missing: 4000005 (${DOC.table}).`,
    basis: 'reading',
    covers: ['envelope-header-missing'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { headers: { 'Symmetric-Key': null } }), 4000005);
    },
  },
  {
    id: 'envelope/unknown-key-version',
    title: 'A key version never issued answers 4000301',
    description: `X-Key-Version is "Version of the public key issued" (${DOC.guide}); a version never issued answers 4000301 Invalid key version. (${DOC.errors}; condition: ${DOC.table}). The symmetric key is wrapped correctly under the current key, so only the version is wrong.`,
    basis: 'reading',
    covers: ['key-version'],
    async run(ctx) {
      const current = await ctx.client.publicKey('credit-card');
      const unissued = /^\d+$/.test(current.version) ? String(Number(current.version) + 1000) : `${current.version}-unissued`;
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { keyVersion: unissued }), 4000301);
    },
  },
  {
    id: 'envelope/key-of-the-other-service',
    title: 'The id-card public key on the credit-card call is refused',
    description: `Each service has its own public key (${DOC.guide}, Issue Public Key: serviceName). Wrapped under the id-card key with the id-card version, a credit-card call answers 4000302 when the versions are equal (the credit-card key cannot unwrap it) and 4000301 when the version was not issued for credit-card (${DOC.table}).`,
    basis: 'reading',
    covers: ['key-version', 'symmetric-key'],
    async run(ctx) {
      const [creditCard, idCard] = [await ctx.client.publicKey('credit-card'), await ctx.client.publicKey('id-card')];
      const answer = await ctx.client.creditCard(card(ctx), { publicKey: idCard, keyVersion: idCard.version });
      ctx.expectCode('answer', answer, creditCard.version === idCard.version ? 4000302 : 4000301);
    },
  },
  {
    id: 'envelope/stale-public-key',
    title: 'A key wrapped under a public key the service no longer holds answers 4000302',
    description: `A client that cached a public key from before a key change wraps with it and sends the current version: the service cannot unwrap it, 4000302 Invalid symmetric key. (${DOC.table}, row "bad padding").`,
    basis: 'reading',
    covers: ['symmetric-key'],
    async run(ctx) {
      const current = await ctx.client.publicKey('credit-card');
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const stale = { key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), version: current.version };
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { publicKey: stale }), 4000302);
    },
  },
  {
    id: 'envelope/oaep-padding',
    title: 'A key wrapped with OAEP instead of PKCS#1 v1.5 answers 4000302',
    description: `The guide demands RSA/ECB/PKCS1Padding (${WRAP_DOC}); OAEP, the default of many libraries, answers 4000302 (${DOC.table}, row "bad padding").`,
    basis: 'reading',
    covers: ['symmetric-key'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { padding: 'oaep' }), 4000302);
    },
  },
  {
    id: 'envelope/16-byte-key',
    title: 'A 16-byte (AES-128) key answers 4000302',
    description: `The symmetric key must be 32 random bytes (${WRAP_DOC}); a client using AES-128 wraps 16 bytes and encrypts the image with AES-128-CBC: 4000302 (${DOC.table}, row "not exactly 32 bytes").`,
    basis: 'reading',
    covers: ['symmetric-key'],
    async run(ctx) {
      const key = newSymmetricKey(16);
      const cipher = createCipheriv('aes-128-cbc', key, key);
      const imageCiphertext = Buffer.concat([cipher.update(card(ctx)), cipher.final()]);
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { symmetricKey: key, imageCiphertext }), 4000302);
    },
  },
  {
    id: 'envelope/base64url-key',
    title: 'A Symmetric-Key in base64url answers 4000302',
    description: `Header values are base64 (${DOC.guide}, "Caution": "Check whether the request or response is Base64 encoded"); the URL-safe alphabet without padding answers 4000302 (${DOC.table}, row "not base64").`,
    basis: 'reading',
    covers: ['symmetric-key'],
    async run(ctx) {
      const key = newSymmetricKey();
      const wrapped = await wrappedWithSymbols(ctx, key);
      const urlSafe = Buffer.from(wrapped, 'base64').toString('base64url');
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { symmetricKey: key, symmetricKeyHeader: urlSafe }), 4000302);
    },
  },
  {
    id: 'envelope/not-base64-key',
    title: 'A Symmetric-Key that is not base64 answers 4000302',
    description: `A Symmetric-Key with characters outside base64 answers 4000302 Invalid symmetric key. (${DOC.table}, row "not base64").`,
    basis: 'reading',
    covers: ['symmetric-key'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { symmetricKeyHeader: 'not*base64!' }), 4000302);
    },
  },
  {
    id: 'envelope/wrong-rsa-length',
    title: 'A Symmetric-Key shorter than one RSA block answers 4000302',
    description: `The header carries one RSA block under the public key (${WRAP_DOC}); 128 bytes for a 2048-bit key answer 4000302 (${DOC.table}, row "wrong RSA length"). A client that sends the raw, unwrapped key makes this mistake.`,
    basis: 'reading',
    covers: ['symmetric-key'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { symmetricKeyHeader: randomBytes(128).toString('base64') }), 4000302);
    },
  },
  {
    id: 'envelope/body-too-large',
    title: 'A body over 20 MB answers 4131000',
    description: `4131000 Request size is larger than permissible limit. (${DOC.errors}); the limit is 20 MB since 2026-08-11, 5 MB before (docs/emulated-api.md, release notes). 21 MiB is over both readings of "20 MB".`,
    basis: 'reading',
    covers: ['body-too-large'],
    async run(ctx) {
      const imageCiphertext = randomBytes(21 * 1024 * 1024);
      let answer;
      try {
        answer = await ctx.client.creditCard(card(ctx), { imageCiphertext });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        return ctx.fail(
          `the connection failed before the answer could be read (${(error as Error).message}: ${cause?.code ?? cause?.message ?? 'no cause'}); ` +
            'a server that answers 4131000 before reading the body must drain it, or a streaming client such as fetch never sees the answer',
        );
      }
      ctx.expectCode('answer', answer, 4131000);
    },
  },
  {
    id: 'envelope/image-missing',
    title: 'A multipart body without the image field answers 4000001',
    description: `The field is "image" (${DOC.guide}, Credit Card API [Field]); a body without it answers 4000001 (${DOC.table}, row "multipart field image missing").`,
    basis: 'reading',
    covers: ['field-missing'],
    async run(ctx) {
      const { headers, key } = await envelopeFor(ctx, 'credit-card');
      const answer = await ctx.client.raw({ method: 'POST', path: apiPath(ctx, 'credit-card'), headers, multipart: { file: encryptBytes(key, card(ctx)) } });
      ctx.expectCode('answer', answer, 4000001);
    },
  },
  {
    id: 'envelope/image-empty',
    title: 'An empty image answers 4000004',
    description: `4000004 Uploaded file is empty. (${DOC.errors}; ${DOC.table}, row "image present but 0 bytes").`,
    basis: 'reading',
    covers: ['image-empty'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { imageCiphertext: Buffer.alloc(0) }), 4000004);
    },
  },
  {
    id: 'envelope/truncated-ciphertext',
    title: 'Ciphertext cut short answers 4000303',
    description: `AES-CBC ciphertext is whole 16-byte blocks (${AES_DOC}); cut 5 bytes short it answers 4000303 Invalid encrypted data. (${DOC.table}, row "not a multiple of 16 bytes").`,
    basis: 'reading',
    covers: ['ciphertext'],
    async run(ctx) {
      const key = newSymmetricKey();
      const ciphertext = encryptBytes(key, card(ctx));
      ctx.expectCode(
        'answer',
        await ctx.client.creditCard(card(ctx), { symmetricKey: key, imageCiphertext: ciphertext.subarray(0, ciphertext.length - 5) }),
        4000303,
      );
    },
  },
  {
    id: 'envelope/bad-padding',
    title: 'Ciphertext without PKCS#7 padding answers 4000303',
    description: `The image is padded with PKCS#7 (${AES_DOC}); a client that pads with zero bytes (no padding mode) sends a last block whose padding is invalid: 4000303 (${DOC.table}, row "bad PKCS#7 padding").`,
    basis: 'reading',
    covers: ['ciphertext'],
    async run(ctx) {
      const key = newSymmetricKey();
      const image = card(ctx);
      const zeroPadded = Buffer.concat([image, Buffer.alloc(16 - (image.length % 16))]);
      const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
      const imageCiphertext = Buffer.concat([cipher.update(zeroPadded), cipher.final()]);
      ctx.expectCode('answer', await ctx.client.creditCard(image, { symmetricKey: key, imageCiphertext }), 4000303);
    },
  },
  {
    id: 'envelope/wrong-iv',
    title: 'An image encrypted with another IV answers 4000003',
    description: `The IV is the key's first 16 bytes (${AES_DOC}). With a random IV only the first block decrypts wrong, the padding stays valid, and the decrypted bytes lose the JPEG signature: 4000003 Invalid file type. (${DOC.table}, row "not a JPEG or PNG").`,
    basis: 'reading',
    covers: ['file-type'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { iv: randomBytes(16) }), 4000003);
    },
  },
  {
    id: 'envelope/not-an-image',
    title: 'Encrypted bytes that are no JPEG or PNG answer 4000003',
    description: `fileType is "jpg" or "png" (${DOC.guide}, [Field] fileType); a GIF answers 4000003 Invalid file type. (${DOC.errors}; ${DOC.table}).`,
    basis: 'reading',
    covers: ['file-type'],
    async run(ctx) {
      const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
      ctx.expectCode('answer', await ctx.client.creditCard(gif), 4000003);
    },
  },
  {
    id: 'envelope/base64-image',
    title: 'Ciphertext sent as base64 text instead of bytes answers 4000303',
    description: `The image field carries the encrypted file (${DOC.guide}, [Field] "Image encrypted with a symmetric key"; the curl example sends bytes). Base64 text of the ciphertext is not whole AES blocks (a trailing newline is added when it would be): 4000303 (${DOC.table}).`,
    basis: 'reading',
    covers: ['ciphertext'],
    async run(ctx) {
      const key = newSymmetricKey();
      let text = encryptBytes(key, card(ctx)).toString('base64');
      if (text.length % 16 === 0) text += '\n';
      ctx.expectCode('answer', await ctx.client.creditCard(card(ctx), { symmetricKey: key, imageCiphertext: Buffer.from(text) }), 4000303);
    },
  },
  {
    id: 'envelope/stand-alone-truncated-ciphertext',
    title: 'Stand-alone checks the envelope too',
    description: `The ID-card endpoints take the same envelope (${DOC.guide}, ID Card Analysis API (Stand alone) [Request Header] and [Field]); truncated ciphertext answers 4000303 (${DOC.table}).`,
    basis: 'reading',
    covers: ['ciphertext'],
    async run(ctx) {
      const key = newSymmetricKey();
      const image = ctx.images.get('id-resident').bytes;
      const ciphertext = encryptBytes(key, image);
      ctx.expectCode(
        'answer',
        await ctx.client.idCardStandAlone(image, { symmetricKey: key, imageCiphertext: ciphertext.subarray(0, ciphertext.length - 5) }),
        4000303,
      );
    },
  },
  {
    id: 'envelope/id-card-oaep-padding',
    title: '/id-card refuses an OAEP-wrapped key',
    description: `As envelope/oaep-padding, on /id-card (${WRAP_DOC}; ${DOC.table}).`,
    basis: 'reading',
    covers: ['symmetric-key'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.idCard(ctx.images.get('id-resident').bytes, { padding: 'oaep' }), 4000302);
    },
  },
  {
    id: 'envelope/authenticity-unknown-key-version',
    title: 'Authenticity checks the key version before the Request-Key',
    description: `The authenticity call takes the same envelope headers (${DOC.guide}, Verify Authenticity API [Request Header]); a version never issued answers 4000301, ahead of the unknown Request-Key (${DOC.table}: the key-version row comes first).`,
    basis: 'reading',
    covers: ['key-version'],
    async run(ctx) {
      const answer = await ctx.client.authenticity(
        '0f8fad5b-d9cb-469f-a165-70867728950e',
        { idType: 'resident', name: '홍길동', residentNumber: '9001011234567', issueDate: '20200102' },
        { keyVersion: 'never-issued' },
      );
      ctx.expectCode('answer', answer, 4000301);
    },
  },
]);
