import { describe, expect, it } from 'vitest';
import { choice, credentials, date, directories, integer, optional, Refusal, text, toggle, url, userAccessKeys } from './setting-kinds.js';

describe('setting kinds', () => {
  it('read whole numbers as decimal digits only, within the range', () => {
    const port = integer(0, 65535);
    expect(port.fromText('0')).toBe(0);
    expect(port.fromText('0080')).toBe(80);
    for (const text of ['', ' ', '1.0', '1e3', '0x1F', '-0', '+1', '١٢', '65536', '1 ']) expect(() => port.fromText(text), text).toThrow(Refusal);
    expect(() => port.fromOption(Number.NaN)).toThrow('a whole number from 0 to 65535');
    expect(() => port.fromOption(2 ** 53)).toThrow(Refusal);
  });

  it('read words, toggles, text and dates', () => {
    expect(choice(['a', 'b']).fromText('b')).toBe('b');
    expect(() => choice(['a', 'b']).fromText('A')).toThrow('one of a, b');
    expect(toggle('mask', 'show').fromText('mask')).toBe(false);
    expect(() => toggle('mask', 'show').fromOption(1)).toThrow('true or false (show: true)');
    expect(() => text('a name').fromText('a\tb')).toThrow('a name');
    expect(date().fromText('2024-02-29')).toBe('2024-02-29');
    expect(() => date().fromText('2023-02-29')).toThrow(Refusal);
    expect(optional(text('x')).show(undefined)).toBe('(none)');
  });

  it('read directories from text, repeated flags and options', () => {
    const dirs = directories(':');
    expect(dirs.fromText('/a::/b:')).toEqual(['/a', '/b']);
    expect(dirs.fromTexts!(['/a b', 'c'])).toEqual(['/a b', 'c']);
    expect(() => dirs.fromOption(['/a', ''])).toThrow('an array of directory names');
  });

  it('take credentials as a Map or a plain object, never a class instance', () => {
    expect(credentials().fromOption(Object.assign(Object.create(null) as object, { a: '1' }))).toEqual(new Map([['a', '1']]));
    expect(() =>
      credentials().fromOption(
        new (class Creds {
          a = '1';
        })(),
      ),
    ).toThrow(Refusal);
    expect(() => credentials().fromOption({ a: '' })).toThrow(Refusal);
  });

  it('read User Access Keys, optionally restricted to app keys', () => {
    const keys = userAccessKeys();
    expect(keys.fromText('ci:s3cret, narrow:x:app1+app2')).toEqual([
      { id: 'ci', secret: 's3cret' },
      { id: 'narrow', secret: 'x', appKeys: ['app1', 'app2'] },
    ]);
    for (const text of ['nocolon', 'a:', 'a:b:', 'a:b:c:d', 'a:b:x++y']) expect(() => keys.fromText(text), text).toThrow(Refusal);
    expect(keys.fromOption([{ id: 'a', secret: 'b' }])).toEqual([{ id: 'a', secret: 'b' }]);
    expect(() => keys.fromOption([{ id: 'a' }])).toThrow(Refusal);
    expect(keys.show([{ id: 'a', secret: 'b', appKeys: ['x', 'y'] }])).toBe('a:b:x+y');
  });

  it('read URLs of the given schemes', () => {
    expect(url(['redis:', 'rediss:']).fromText('rediss://cache:6380/0')).toBe('rediss://cache:6380/0');
    expect(() => url(['redis:']).fromText('http://cache')).toThrow('a URL starting redis://');
    expect(() => url(['redis:']).fromText('cache:6379')).toThrow(Refusal);
  });
});
