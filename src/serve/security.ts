// What keeps other web sites away from a server on this machine: headers that forbid framing, sniffing
// and foreign scripts on every response, a Host check against DNS rebinding (a page of another site
// whose name is made to resolve to 127.0.0.1 still sends its own name as Host), and folder names shown
// without the machine's absolute paths.

import { isIP } from 'node:net';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';

/** The page loads its scripts, styles and icon from this server only, and nothing may frame it. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Other sites may not load the API's answers or the page's scripts as their own resources.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface HostRuleOptions {
  /** The address the server listens on, as server.address() gives it. */
  address: string;
  port: number;
  /** The host the server was asked to listen on (a name or an address). */
  host: string;
  /** More names to answer to, at any port (a DNS name of this machine, a reverse proxy's name). */
  allowedHosts?: readonly string[];
}

/** "[::1]:8080" → { name: "[::1]", port: 8080 }; null when the value is not a host with an optional port. */
export function parseHost(value: string): { name: string; port: number } | null {
  if (!/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/.test(value)) return null;
  try {
    const url = new URL(`http://${value}/`);
    return { name: url.hostname, port: url.port === '' ? 80 : Number(url.port) };
  } catch {
    return null;
  }
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The Host check: a loopback server answers to localhost, 127.0.0.1 and [::1]; any server to the
 * address it listens on and the host it was given; one listening on every interface also to any IP
 * address (an address in the URL cannot be rebound); each at the server's port. Allowed names match
 * at any port.
 */
export function hostRule(options: HostRuleOptions): (header: string | undefined) => boolean {
  const names = new Set<string>();
  const add = (host: string) => {
    const parsed = parseHost(isIP(host) === 6 ? `[${host}]` : host);
    if (parsed !== null) names.add(parsed.name);
  };
  add(options.address);
  add(options.host);
  if (isLoopback(options.address) || isWildcard(options.address)) ['localhost', '127.0.0.1', '::1'].forEach(add);
  const anyAddress = isWildcard(options.address);
  const anyPort = new Set<string>();
  for (const host of options.allowedHosts ?? []) {
    const parsed = parseHost(host);
    if (parsed !== null) anyPort.add(parsed.name);
  }
  return (header) => {
    const parsed = header === undefined ? null : parseHost(header);
    if (parsed === null) return false;
    if (anyPort.has(parsed.name)) return true;
    if (parsed.port !== options.port) return false;
    return names.has(parsed.name) || (anyAddress && isIP(parsed.name.replace(/^\[|\]$/g, '')) !== 0);
  };
}

/** A folder as the API shows it: relative to the working folder when inside it, else its own name. */
export function shownPath(dir: string): string {
  const full = resolve(dir);
  const inside = relative(process.cwd(), full);
  if (inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside))
    return inside.split(sep).join('/');
  return basename(full) || '.';
}

/** A message with the folder's absolute path replaced by its shown name (a relative one stays as it is). */
export function hidePath(message: string, dir: string, shown: string): string {
  return message.split(resolve(dir)).join(shown);
}
