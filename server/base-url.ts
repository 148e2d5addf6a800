/**
 * The base URL of an emulator listening on `host:port` (an IPv6 address in brackets).
 * @example baseUrl('::1', 8080) // 'http://[::1]:8080'
 */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
