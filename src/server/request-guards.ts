import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

/*
 * Checks against requests that a web page makes the user's browser send to ccmon. Each returns why
 * the request is refused, or undefined to let it through.
 */

/**
 * DNS rebinding: a page on evil.example re-points its own name at 127.0.0.1 and then reads ccmon as
 * if it were its own origin, token-less. Such a request arrives on a loopback address with the
 * attacker's name in Host. Without a token, a loopback connection is therefore answered only under
 * names no web page can re-point: IP addresses, localhost and this machine's own name. With a token
 * the page cannot read anything anyway, so any name (a reverse proxy's, say) is served.
 */
export function rebindingRefusal(req: IncomingMessage, tokenRequired: boolean): string | undefined {
  const host = req.headers.host;
  if (tokenRequired || host === undefined || !isLoopback(req.socket.localAddress ?? '')) return undefined;
  const name = hostnameOf(host);
  if (name !== undefined && isFixedName(name)) return undefined;
  return (
    `without a token, ccmon answers a loopback connection only under an IP address, localhost or this ` +
    `machine's name, not "${host.slice(0, 100)}" (a web page may have pointed that name here): use ` +
    `127.0.0.1 or localhost, or start ccmon with --token`
  );
}

/**
 * Cross-site requests that would change something: the browser says where the request comes from
 * (Sec-Fetch-Site, Origin); only this server's own pages are let through. For methods other than
 * GET and HEAD.
 */
export function crossSiteRefusal(req: IncomingMessage): string | undefined {
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    return 'cross-site requests cannot change anything here (Sec-Fetch-Site: cross-site)';
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
    return `a page from ${origin.slice(0, 100)} cannot change anything here: Origin is not this server`;
  }
  return undefined;
}

function isLoopback(address: string): boolean {
  // A dual-stack listener sees IPv4 clients as ::ffff:127.0.0.1.
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

function isFixedName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return isIP(n) !== 0 || n === 'localhost' || n.endsWith('.localhost') || n === hostname().toLowerCase();
}

/** The name in a Host header ("name:port", "[::1]:port"), or undefined when it is not one. */
function hostnameOf(header: string): string | undefined {
  try {
    const host = new URL(`http://${header}`).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}
