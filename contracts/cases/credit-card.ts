/**
 * The credit-card success path (guide, "Credit Card Analysis API"; docs/emulated-api.md, "Responses"):
 * the answer validates against openapi.yaml (every answer does, in the recorder), its values
 * decrypt with the caller's key into a plausible card, and fileType/resolution agree with the
 * image. One case per file type and resolution.
 */
import { newSymmetricKey } from '../client/index.js';
import { defineCases, type CaseContext, type ContractCase } from '../lib/case.js';
import type { ImageRole } from '../lib/images.js';
import { CARD_NOT_READ, checkCreditCardResult, DOC } from './support.js';

async function analyse(ctx: CaseContext, role: ImageRole): Promise<void> {
  const image = ctx.images.get(role);
  const answer = await ctx.client.creditCard(image.bytes, { ...ctx.hint('credit-card/ok'), decrypt: false });
  ctx.expectSuccess('analysis', answer, { alternatives: CARD_NOT_READ, image });
  checkCreditCardResult(ctx, answer, image);
}

const IMAGES: Array<{ role: ImageRole; name: string; what: string }> = [
  { role: 'card-jpg-normal', name: 'jpg-normal', what: 'a JPEG of 760x480 px or more' },
  { role: 'card-png-normal', name: 'png-normal', what: 'a PNG of 760x480 px or more' },
  { role: 'card-jpg-low', name: 'jpg-low', what: 'a JPEG below 760x480 px' },
  { role: 'card-png-low', name: 'png-low', what: 'a PNG below 760x480 px' },
];

export const CREDIT_CARD_CASES = defineCases([
  ...IMAGES.map(
    ({ role, name, what }): ContractCase => ({
      id: `credit-card/${name}`,
      title: `Reads ${what}`,
      description:
        `POST credit-card with ${what} answers SUCCESS; cardNums[].value, totalCardNum and validThru.value decrypt with the request's key ` +
        `(AES-256/CBC/PKCS7, IV = key bytes 0..15); totalCardNum is the concatenation of the groups and passes Luhn; validThru is MM/YY; ` +
        `fileType and resolution match the image ("normal" at 760x480 px or more). ${DOC.guide}, Credit Card Analysis API [Field]; docs/emulated-api.md, "Responses" and "The envelope". ` +
        `A live run accepts 4000111/5003013 for a synthetic image.`,
      basis: 'documented',
      run: (ctx) => analyse(ctx, role),
    }),
  ),
  {
    id: 'credit-card/body-over-5-mib',
    title: 'A 6 MiB image is read, not refused (the limit is 20 MB since 2026-08-11)',
    description: `The request size limit went from 5 MB to 20 MB on 2026-08-11 (${DOC.dated}; release notes). A JPEG with 6 MiB of bytes after its end-of-image marker (more than 5 MB in either reading, well under 20) is answered like the JPEG itself: SUCCESS, not 4131000. A live run accepts 4000111/5003013 for a synthetic image.`,
    basis: 'documented',
    async run(ctx) {
      const image = ctx.images.get('card-jpg-normal');
      const padded = Buffer.concat([image.bytes, Buffer.alloc(6 * 1024 * 1024 - image.bytes.length, 0x20)]);
      const answer = await ctx.client.creditCard(padded, { ...ctx.hint('credit-card/ok'), decrypt: false });
      if (answer.resultCode === 4131000) ctx.fail(`a ${padded.length}-byte image was refused with 4131000; the limit is 20 MB since 2026-08-11 (${DOC.dated})`);
      ctx.expectSuccess('analysis', answer, { alternatives: CARD_NOT_READ, image });
      checkCreditCardResult(ctx, answer, image);
    },
  },
  {
    id: 'credit-card/reused-symmetric-key',
    title: 'A symmetric key used twice still works',
    description: `A new symmetric key per request is recommended, not enforced (${DOC.guide}, "Caution": "it is recommended to create and use a new symmetric key for each request"; docs/emulated-api.md, "The envelope").`,
    basis: 'documented',
    async run(ctx) {
      const image = ctx.images.get('card-jpg-normal');
      const symmetricKey = newSymmetricKey();
      for (const label of ['first', 'second']) {
        const answer = await ctx.client.creditCard(image.bytes, { ...ctx.hint('credit-card/ok'), symmetricKey, decrypt: false });
        ctx.expectSuccess(label, answer, { alternatives: CARD_NOT_READ, image });
        checkCreditCardResult(ctx, answer, image);
      }
    },
  },
]);
