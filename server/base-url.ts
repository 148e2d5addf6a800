/**
 * The base URL of an emulator listening on `host:port` (an IPv6 address in brackets).
 * @example baseUrl('::1', 8080) // 'http://[::1]:8080'
 */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Whether a host name or address is loopback: the address the emulator binds to (where the admin
 * API opens without a token) and the `Host` a request names (where it answers without one).
 * @example isLoopbackName('127.0.0.1') // true
 * @example isLoopbackName('[::1]') // true, as a Host header writes it
 */
export function isLoopbackName(name: string): boolean {
  return /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i.test(name);
}
