/**
 * The URL without its password, for messages and logs (a Redis URL may carry one).
 * @example redactUrl('redis://:hunter2@cache:6379/0') // 'redis://:***@cache:6379/0'
 */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
