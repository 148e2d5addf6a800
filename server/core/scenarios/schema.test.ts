/**
 * The scenario file format: what it accepts, and that every rejection names the field.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, serves } from './schema.js';

const base = { description: 'a scenario', endpoints: ['credit-card'] };

function problems(input: unknown): string[] {
  const parsed = parseScenario(input);
  if (parsed.ok) throw new Error(`expected problems, got ${JSON.stringify(parsed.value)}`);
  return parsed.problems;
}

function value(input: unknown) {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.value;
}

describe('accepted files', () => {
  it('an error by number or by name reads as the catalogue name', () => {
    expect(value({ ...base, outcome: { error: 4000111 } }).outcome).toEqual({ error: 'CREDIT_CARD_INFO_NOT_FOUND' });
    expect(value({ ...base, outcome: { error: 'CREDIT_CARD_INFO_NOT_FOUND' } }).outcome).toEqual({ error: 'CREDIT_CARD_INFO_NOT_FOUND' });
    expect(value({ ...base, outcome: { error: -1 } }).outcome).toEqual({ error: 'FAIL' });
  });

  it('every code of the error-code page a credit-card or ID-card call can get, by number and by name', () => {
    // TOAST-DOCS/OCR en/document-ocr-error-code.md: the page's rows less business registration's
    // and the console's service-use request's.
    const playable: [number, string][] = [
      [400, 'BAD_REQUEST'],
      [401, 'UNAUTHORIZED'],
      [403, 'FORBIDDEN'],
      [404, 'NOT_FOUND'],
      [405, 'METHOD_NOT_ALLOWED'],
      [415, 'UNSUPPORTED_MEDIA_TYPE'],
      [4000401, 'SERVICE_NOT_ENABLED'],
      [4010002, 'INVALID_UUID'],
      [4010003, 'NOT_ALLOWED_USER'],
      [4010004, 'INVALID_PROJECT'],
      [4010005, 'UNAUTHORIZED_ROLE'],
      [5000001, 'INTERNAL_API_FAIL'],
      [5000002, 'ERROR_PARSING_FAIL'],
      [5000003, 'DATABASE_FAIL'],
      [5000004, 'RESOURCE_DELETE_FAIL'],
      [5000005, 'FILE_READ_FAIL'],
      [5003011, 'OCR_DOCUMENT_CREDIT_CARD_API_FAIL'],
      [5003012, 'OCR_DOCUMENT_CREDIT_CARD_API_RETURN_EMPTY'],
      [5003021, 'OCR_DOCUMENT_ID_CARD_API_FAIL'],
      [5003022, 'OCR_DOCUMENT_ID_CARD_API_RETURN_EMPTY'],
    ];
    for (const [code, key] of playable) {
      expect(value({ ...base, outcome: { error: code } }).outcome).toEqual({ error: key });
      expect(value({ ...base, outcome: { error: key } }).outcome).toEqual({ error: key });
    }
  });

  it('a full outcome: values, verdict, Request-Key switch, delay and fault', () => {
    const parsed = value({
      description: 'everything',
      endpoints: ['id-card', 'id-card/authenticity'],
      outcome: {
        idCard: { idType: 'driver', values: { name: '홍길동', condition: 'none' }, omit: ['serialNum'], conf: 0.9 },
        authenticity: 'match',
        requestKey: false,
        delayMs: 250,
        fault: 'drop-connection',
      },
      match: { imageSha256: ['A'.repeat(64)], sampleImages: ['card.png'] },
    });
    expect(parsed.outcome?.idCard?.values).toEqual({ name: '홍길동', condition: 'none' });
    expect(parsed.match?.sampleImages).toEqual(['card.png']);
  });

  it('a sequence with repeat, and a credit card by number or by groups', () => {
    expect(value({ ...base, endpoints: ['*'], sequence: [{ error: 5000503 }, {}], repeat: 'cycle' }).sequence).toHaveLength(2);
    expect(value({ ...base, outcome: { creditCard: { cardNumber: '3782 822463 10005', validThru: '09/29' } } })).toBeTruthy();
    expect(value({ ...base, outcome: { creditCard: { cardNums: ['3782', '822463', '10005'], conf: 1 } } })).toBeTruthy();
  });

  it('serves: "*" is every endpoint', () => {
    expect(serves({ endpoints: ['*'] }, 'public-key')).toBe(true);
    expect(serves({ endpoints: ['id-card'] }, 'id-card/stand-alone')).toBe(false);
  });
});

describe('rejections name the field', () => {
  it('an unknown result code or name', () => {
    expect(problems({ ...base, outcome: { error: 4000112 } })).toEqual(['outcome.error: 4000112 is not a documented result code or name']);
    expect(problems({ ...base, outcome: { error: 'NOT_A_CODE' } })).toEqual(['outcome.error: "NOT_A_CODE" is not a documented result code or name']);
    expect(problems({ ...base, outcome: { error: 0 } })).toEqual(['outcome.error: 0 is not a documented result code or name']);
    expect(problems({ ...base, outcome: { error: true } })).toEqual(['outcome.error: error must be a documented result code (number) or its name']);
  });

  it("another product's code, or a console answer, by number or by name: one line naming whose it is", () => {
    expect(problems({ ...base, outcome: { error: 5003001 } })).toEqual([
      'outcome.error: 5003001 OCR_DOCUMENT_BUSINESS_API_FAIL belongs to business registration OCR, not to a credit-card or ID-card call',
    ]);
    expect(problems({ ...base, outcome: { error: 'INVALID_BUSINESS_REGISTRATION_FORMAT' } })).toEqual([
      'outcome.error: 4000101 INVALID_BUSINESS_REGISTRATION_FORMAT belongs to business registration OCR, not to a credit-card or ID-card call',
    ]);
    for (const code of [4000101, 4000102, 4000103, 5003001, 5003002, 5003003, 5003004]) {
      expect(problems({ ...base, outcome: { error: code } })[0]).toMatch(/belongs to business registration OCR/);
    }
    for (const code of [4000402, 4000403, 4000404]) {
      expect(problems({ ...base, outcome: { error: code } })[0]).toMatch(
        /^outcome\.error: \d+ [A-Z_]+ belongs to the console's service-use request, not to a credit-card or ID-card call$/,
      );
    }
  });

  it('an inherited property name is not an error name', () => {
    expect(problems({ ...base, outcome: { error: 'toString' } })).toEqual(['outcome.error: "toString" is not a documented result code or name']);
    expect(problems({ ...base, outcome: { error: 'constructor' } })).toHaveLength(1);
  });

  it('outcome and sequence together', () => {
    expect(problems({ ...base, outcome: {}, sequence: [{}] })).toEqual(['give either outcome or sequence, not both']);
  });

  it('endpoints: unknown, empty, missing', () => {
    expect(problems({ ...base, endpoints: ['credit-cards'] })).toEqual([
      'endpoints.0: endpoints must be among public-key, credit-card, id-card, id-card/stand-alone, id-card/authenticity or *',
    ]);
    expect(problems({ ...base, endpoints: [] })).toEqual(['endpoints: endpoints needs at least one endpoint']);
    expect(problems({ description: 'x' })).toEqual(['endpoints: is required']);
  });

  it('description missing or empty', () => {
    expect(problems({ endpoints: ['credit-card'] })).toEqual(['description: is required']);
    expect(problems({ ...base, description: '' })).toEqual(['description: description is required']);
  });

  it('unknown fields, at any depth', () => {
    expect(problems({ ...base, outcom: {} })).toEqual(['outcom: unknown field']);
    expect(problems({ ...base, outcome: { delay: 5 } })).toEqual(['outcome.delay: unknown field']);
    expect(problems({ ...base, outcome: { creditCard: { number: '4111' } } })).toEqual(['outcome.creditCard.number: unknown field']);
  });

  it('every bad field at once, with its path in a sequence', () => {
    expect(problems({ ...base, sequence: [{}, { error: 12, delayMs: -1 }] })).toEqual([
      'sequence.1.error: 12 is not a documented result code or name',
      'sequence.1.delayMs: Invalid value: Expected >=0 but received -1',
    ]);
    expect(problems({ ...base, sequence: [] })).toEqual(['sequence: sequence needs at least one outcome']);
  });

  it('repeat without a sequence, or not last/cycle', () => {
    expect(problems({ ...base, outcome: {}, repeat: 'cycle' })).toEqual(['repeat: repeat applies to a sequence only']);
    expect(problems({ ...base, sequence: [{}], repeat: 'forever' })).toHaveLength(1);
    expect(problems({ ...base, sequence: [{}], repeat: 'forever' })[0]).toMatch(/^repeat: /);
  });

  it('fault, delay and authenticity values', () => {
    expect(problems({ ...base, outcome: { fault: 'timeout' } })).toEqual(['outcome.fault: fault must be drop-connection']);
    expect(problems({ ...base, outcome: { delayMs: 1.5 } })[0]).toMatch(/^outcome\.delayMs: /);
    expect(problems({ ...base, outcome: { delayMs: 120_001 } })[0]).toMatch(/^outcome\.delayMs: /);
    expect(problems({ ...base, outcome: { authenticity: 'yes' } })).toEqual(['outcome.authenticity: authenticity must be true, false or match']);
  });

  it('credit-card values', () => {
    expect(problems({ ...base, outcome: { creditCard: { cardNumber: '4111-abcd' } } })).toEqual([
      'outcome.creditCard.cardNumber: cardNumber must be digits (spaces or dashes allowed)',
    ]);
    expect(problems({ ...base, outcome: { creditCard: { validThru: '2029-09' } } })).toEqual(['outcome.creditCard.validThru: validThru must be MM/YY']);
    expect(problems({ ...base, outcome: { creditCard: { cardNums: ['41a1'] } } })).toEqual(['outcome.creditCard.cardNums.0: each group must be digits']);
    expect(problems({ ...base, outcome: { creditCard: { cardNumber: '4111 1111', cardNums: ['4111'] } } })).toEqual([
      'outcome.creditCard.cardNums: give either cardNumber or cardNums, not both',
    ]);
    expect(problems({ ...base, outcome: { creditCard: { conf: 2 } } })[0]).toMatch(/^outcome\.creditCard\.conf: /);
  });

  it('ID-card values: type, strings, and keys the card type has', () => {
    expect(problems({ ...base, outcome: { idCard: { idType: 'student' } } })).toEqual([
      'outcome.idCard.idType: idType must be one of resident, driver, passport',
    ]);
    expect(problems({ ...base, outcome: { idCard: { values: { name: 3 } } } })).toEqual(['outcome.idCard.values.name: values must be strings']);
    expect(problems({ ...base, outcome: { idCard: { values: { nmae: 'x' } } } })).toEqual([
      'outcome.idCard.values: nmae: not a key of resident (keys: name, residentNumber, issueDate, issuer)',
    ]);
    expect(problems({ ...base, outcome: { idCard: { idType: 'resident', omit: ['serialNum'] } } })[0]).toMatch(
      /^outcome\.idCard\.omit: serialNum: not a key of resident/,
    );
    expect(value({ ...base, outcome: { idCard: { idType: 'driver', omit: ['serialNum'] } } })).toBeTruthy();
  });

  it('match digests and sample images', () => {
    expect(problems({ ...base, match: { imageSha256: ['abc'] } })).toEqual(['match.imageSha256.0: imageSha256 entries are 64 hex digits']);
    expect(problems({ ...base, match: { sampleImages: 'card.png' } })[0]).toMatch(/^match\.sampleImages: /);
  });

  it('a file that is not a mapping', () => {
    expect(problems(null)).toEqual(['a scenario file must be a mapping, not null']);
    expect(problems(['x'])).toEqual(['a scenario file must be a mapping, not a list']);
  });
});

describe('recordings (docs/record-live-service.md)', () => {
  const card = {
    fileType: 'jpg',
    resolution: 'normal',
    cardNums: [{ value: '4532', conf: 0.9 }],
    totalCardNum: '4532',
    validThru: { value: '03/30', conf: 0.8 },
    aFieldOfLater: 1,
  };
  const recorded = { at: '2026-12-07T08:00:00.000Z', target: 'api-ocr.nhncloudservice.com', api: 'v2.0', redacted: true };

  it('a whole result, unknown fields kept, with its recorded block', () => {
    const parsed = value({ ...base, recorded, match: { imageSha256: ['a'.repeat(64)] }, outcome: { result: card } });
    expect(parsed.outcome?.result).toEqual(card);
    expect(parsed.recorded).toEqual(recorded);
  });

  it('an ID-card result serves only the ID-card endpoints, a card result only credit-card', () => {
    const id = { fileType: 'png', resolution: 'low', idType: 'resident', keyValues: [{ key: 'name', value: '김서준', conf: 0.7 }], boxes: [] };
    expect(value({ ...base, endpoints: ['id-card', 'id-card/stand-alone'], outcome: { result: id, authenticity: true } }).outcome?.authenticity).toBe(true);
    expect(problems({ ...base, endpoints: ['id-card'], outcome: { result: card } }).join()).toMatch(/credit-card result \(cardNums\) serves only credit-card/);
    expect(problems({ ...base, outcome: { result: card, error: 4000111 } }).join()).toMatch(/either result or error/);
    expect(problems({ ...base, outcome: { result: { ...card, cardNums: [{ value: 4532, conf: 1 }] } } }).join()).toMatch(/result/);
    expect(problems({ ...base, recorded: { ...recorded, redacted: 'yes' } }).join()).toMatch(/redacted must be true or false/);
  });
});
