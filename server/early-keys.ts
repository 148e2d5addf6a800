/**
 * RSA key generation started the moment the emulator's command starts, before its modules
 * (express, multer, ...) load: the first call otherwise waits for a key pair that costs
 * ~100-400 ms to make, most of its time. The command imports this module first; one key pair
 * (the first appKey's credit-card key, the one `OcrEngine.prepareKeys` asks for first) is
 * generated on a libuv thread meanwhile, and the key store takes it before making its own.
 * One, not two: on a 2-core machine two early generations (with the rest made before listening)
 * slowed the start-up itself, launch to ready 437 -> 819 ms in one measure; one costs 366 ->
 * 409 ms and brings the first credit-card answer after the ready line from ~210 to ~70 ms. Not when key pairs come from a keys
 * dir or Redis (they are loaded then), and never for in-process use (`startEmulator` does not
 * import this).
 */
import { rsa2048Factory, type KeyFactory, type KeyMaterial } from './core/key-store.js';

const kept = process.env['EMULATOR_KEYS_DIR'] || process.env['EMULATOR_REDIS_URL'];
const early: Promise<KeyMaterial>[] = kept ? [] : [rsa2048Factory()];
// Not awaited until asked for: a failure surfaces where the key is asked for.
for (const made of early) made.catch(() => {});

/**
 * The key factory that hands out the early key pair first, then makes new ones.
 * @example startEmulator({ ...config, keyFactory: earlyKeyFactory() })
 */
export function earlyKeyFactory(fallback: KeyFactory = rsa2048Factory): KeyFactory {
  return () => early.shift() ?? fallback();
}
