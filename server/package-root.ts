/**
 * Where the package's own files are. Modules run from `server/` under tsx and from
 * `dist/server/` when compiled, so paths relative to a module differ; the root does not.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder above this module that holds a package.json.
 * @example join(packageRoot(), 'scenarios')
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
