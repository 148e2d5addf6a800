import { describe, expect, it } from 'vitest';
import { readyLineCredentials } from './cli.js';

describe('readyLineCredentials', () => {
  it('reads the v2.0 ready line, without a User Access Key', () => {
    expect(readyLineCredentials('nhn-ocr-emulator ready at http://127.0.0.1:8080 (appKey=emulator-appkey secretKey=emulator-secretkey)')).toEqual({
      credentials: { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' },
      access: undefined,
    });
  });

  it('reads the User Access Key of the v2.1 ready line', () => {
    const line =
      'nhn-ocr-emulator ready at http://127.0.0.1:8080 (appKey=emulator-appkey secretKey=emulator-secretkey userAccessKeyId=emulator-user-access-key secretAccessKey=emulator-secret-access-key)';
    expect(readyLineCredentials(line)).toEqual({
      credentials: { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' },
      access: { userAccessKeyId: 'emulator-user-access-key', secretAccessKey: 'emulator-secret-access-key' },
    });
  });

  it('reads nothing from another line', () => {
    expect(readyLineCredentials('listening on 8080')).toBeUndefined();
  });
});
