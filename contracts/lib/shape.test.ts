import { describe, expect, it } from 'vitest';
import { BODY_LITERALS, headerShapes, isYyyymmdd, numberShape, shapeOf, stringShape } from './shape.js';

describe('stringShape', () => {
  it('tells digits, dates, expiry, uuids apart', () => {
    expect(stringShape('4532')).toBe('<digits:4>');
    expect(stringShape('20240229')).toBe('<yyyymmdd>');
    expect(stringShape('20230229')).toBe('<digits:8>');
    expect(stringShape('12/27')).toBe('<mm/yy>');
    expect(stringShape('13/27')).toBe('<string:5>');
    expect(stringShape('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe('<uuid>');
    expect(stringShape('')).toBe('<empty>');
  });

  it('counts decoded bytes of base64 and flags base64url', () => {
    expect(stringShape(Buffer.alloc(16, 0xfb).toString('base64'))).toBe('<base64:16>');
    expect(stringShape(Buffer.alloc(294, 7).toString('base64'))).toBe('<base64:294>');
    expect(stringShape(Buffer.alloc(32, 0xfb).toString('base64url'))).toBe('<base64url:32>');
  });

  it('keeps short words and text as strings, counting characters not bytes', () => {
    expect(stringShape('none')).toBe('<string:4>');
    expect(stringShape('홍길동')).toBe('<string:3>');
    expect(stringShape('1종보통/2종보통')).toBe('<string:9>');
  });
});

describe('numberShape', () => {
  it('separates integers, fractions and other numbers', () => {
    expect(numberShape(0)).toBe('<int>');
    expect(numberShape(0.5)).toBe('<number 0..1>');
    expect(numberShape(1.5)).toBe('<number>');
  });
});

describe('isYyyymmdd', () => {
  it('checks the calendar', () => {
    expect(isYyyymmdd('19991231')).toBe(true);
    expect(isYyyymmdd('20241301')).toBe(false);
    expect(isYyyymmdd('18991231')).toBe(false);
  });
});

describe('shapeOf', () => {
  it('redacts values and keeps literal paths', () => {
    const body = {
      header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
      result: {
        fileType: 'jpg',
        keyValues: [{ key: 'name', value: Buffer.alloc(16).toString('base64'), conf: 0.9, bbox: { x1: 3 } }],
        flag: false,
        nothing: null,
      },
    };
    expect(shapeOf(body, { literals: BODY_LITERALS })).toEqual({
      header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
      result: {
        fileType: 'jpg',
        keyValues: [{ key: 'name', value: '<base64:16>', conf: '<number 0..1>', bbox: { x1: '<int>' } }],
        flag: '<boolean>',
        nothing: null,
      },
    });
  });

  it('redacts everything without literals', () => {
    expect(shapeOf({ header: { resultCode: 4000301 } })).toEqual({ header: { resultCode: '<int>' } });
  });
});

describe('headerShapes', () => {
  it('records the media type and the Request-Key by shape, or its absence', () => {
    expect(headerShapes(new Headers({ 'content-type': 'application/json;charset=UTF-8', 'request-key': 'abc' }))).toEqual({
      'content-type': 'application/json',
      'request-key': '<string:3>',
    });
    expect(headerShapes(new Headers())).toEqual({ 'content-type': '<absent>', 'request-key': '<absent>' });
  });
});
