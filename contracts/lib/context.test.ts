import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OcrClient } from '../client/index.js';
import { AcceptedAnswer, CaseFailure, Divergence, SkippedCase, type Basis, type TargetInfo } from './case.js';
import { createCaseContext } from './context.js';
import { suiteControl } from './control.js';
import { loadImages, type CaseImage } from './images.js';

const TARGET: TargetInfo = { kind: 'emulator', baseUrl: 'http://h', appKey: 'k', lenient: false, control: true };

function make(over: Partial<TargetInfo> = {}, basis: Basis = 'documented') {
  return createCaseContext({
    target: { ...TARGET, ...over },
    basis,
    client: {} as OcrClient,
    images: loadImages(),
    control: suiteControl('http://h', false),
  });
}

const failure = (code: number, message: string, status = 200) => ({
  status,
  headers: new Headers({ 'content-type': 'application/json' }),
  body: { header: { isSuccessful: false, resultCode: code, resultMessage: message } },
});
const success = (result: unknown = { key: 'x' }) => ({
  status: 200,
  headers: new Headers(),
  body: { header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result },
});

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('expectCode', () => {
  it('passes the documented failure and observes it', () => {
    const { ctx, state } = make();
    ctx.expectCode('answer', failure(4000302, 'Invalid symmetric key.'), 4000302);
    expect(state.observed[0]).toMatchObject({ label: 'answer', status: 200, body: { header: { resultCode: 4000302 } } });
  });

  it('fails another code, a wrong message, a non-200 status', () => {
    const { ctx } = make();
    expect(thrown(() => ctx.expectCode('a', failure(4000303, 'Invalid encrypted data.'), 4000302))).toBeInstanceOf(CaseFailure);
    expect(String(thrown(() => ctx.expectCode('a', failure(4000302, 'bad'), 4000302)))).toMatch(/error-code table says "Invalid symmetric key."/);
    expect(String(thrown(() => ctx.expectCode('a', failure(4000302, 'Invalid symmetric key.', 400), 4000302)))).toMatch(/HTTP 400/);
  });

  it('in a lenient run accepts transient codes, and reports another answer to a reading as a divergence', () => {
    const { ctx } = make({ lenient: true, kind: 'live' }, 'reading');
    const transient = thrown(() => ctx.expectCode('a', failure(4000006, 'x'), 4000302));
    expect(transient).toBeInstanceOf(AcceptedAnswer);
    expect((transient as AcceptedAnswer).record).toBe(false);
    const differs = thrown(() => ctx.expectCode('a', failure(4000303, 'Invalid encrypted data.'), 4000302));
    expect(differs).toBeInstanceOf(Divergence);
    expect(differs).toMatchObject({ expected: '4000302 Invalid symmetric key.', actual: '4000303 "Invalid encrypted data."' });
    const unknown = thrown(() => ctx.expectCode('a', failure(-1, 'Unknown error.'), 4000005));
    expect(unknown).toMatchObject({ expected: '4000005 Required headers is missing.', actual: '-1 "Unknown error."' });
    expect(thrown(() => ctx.expectSuccess('a', failure(4000122, 'Request Key is invalid or expired.')))).toBeInstanceOf(Divergence);
  });

  it('does not accept another code for a documented case, even in a lenient run', () => {
    const { ctx } = make({ lenient: true }, 'documented');
    expect(thrown(() => ctx.expectCode('a', failure(4000303, 'Invalid encrypted data.'), 4000302))).toBeInstanceOf(CaseFailure);
  });
});

describe('expectSuccess', () => {
  it('passes a success and fails a failure', () => {
    const { ctx } = make();
    ctx.expectSuccess('a', success());
    expect(thrown(() => ctx.expectSuccess('b', failure(4000111, 'Credit card info not found.'), { alternatives: [4000111] }))).toBeInstanceOf(CaseFailure);
  });

  it('accepts a documented alternative in a lenient run only, for a synthetic image only, and never -1', () => {
    const { ctx } = make({ lenient: true });
    const image = (source: CaseImage['source']) => ({ ...loadImages().get('card-jpg-normal'), source });
    expect(thrown(() => ctx.expectSuccess('a', failure(4000111, 'Credit card info not found.'), { alternatives: [4000111] }))).toBeInstanceOf(AcceptedAnswer);
    expect(
      thrown(() => ctx.expectSuccess('a', failure(4000111, 'Credit card info not found.'), { alternatives: [4000111], image: image('synthetic') })),
    ).toBeInstanceOf(AcceptedAnswer);
    const real = thrown(() => ctx.expectSuccess('a', failure(4000111, 'Credit card info not found.'), { alternatives: [4000111], image: image('real') }));
    expect(real).toBeInstanceOf(CaseFailure);
    expect(String(real)).toMatch(/did not read the real photo/);
    expect(thrown(() => ctx.expectSuccess('a', failure(-1, 'Unknown error.'), { alternatives: [-1] }))).not.toBeInstanceOf(AcceptedAnswer);
  });

  it('ends a case as skipped on request', () => {
    const { ctx } = make();
    expect(thrown(() => ctx.skip('nothing to check'))).toBeInstanceOf(SkippedCase);
  });

  it('labels repeated observations apart', () => {
    const { ctx, state } = make();
    ctx.expectSuccess('a', success());
    ctx.expectSuccess('a', success());
    expect(state.observed.map((o) => o.label)).toEqual(['a', 'a#2']);
  });
});

describe('openValue', () => {
  const key = randomBytes(32);
  const encrypt = (text: string, iv = key.subarray(0, 16)) => {
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
  };

  it('decrypts with IV = key bytes 0..15', () => {
    const { ctx, state } = make();
    expect(ctx.openValue(key, encrypt('4532015112830366'), 'totalCardNum')).toBe('4532015112830366');
    expect(state.differences).toEqual([]);
  });

  it('says why a value does not open', () => {
    const { ctx, state } = make();
    expect(ctx.openValue(key, '4532', 'cardNums[0].value')).toBeUndefined();
    expect(ctx.openValue(key, encrypt('x').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'v')).toBeUndefined();
    ctx.openValue(key, encrypt('4532015112830366 and more', Buffer.alloc(16)), 'w');
    expect(state.differences.join('\n')).toMatch(/cardNums\[0\]\.value decodes to 3 bytes/);
    expect(state.differences.join('\n')).toMatch(/IV = key bytes 0..15/);
  });
});
