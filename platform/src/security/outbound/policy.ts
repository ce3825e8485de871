import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { canonicalAddress, matchesAddress, matchesHost, parseNetworkList } from './addresses.js';

/**
 * Where the engine's HTTP effects may go. Workflow authors choose URLs, so without a policy a
 * definition could read the cloud metadata service or poke at the internal network.
 *
 * Always refused unless explicitly allowed: link-local ranges (169.254.0.0/16, fe80::/10,
 * which hold the AWS/GCP/Azure metadata endpoints), other known metadata addresses and names,
 * 0.0.0.0/8 and ::, multicast and broadcast. `deny` adds to that (and wins over `allow`);
 * a non-empty `allow` turns the policy into an allowlist.
 */
export interface OutboundPolicyOptions {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Resolves a host name to its addresses (tests pass a fake resolver). */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

export type OutboundVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface OutboundPolicy {
  /** Checks one URL: its host name and every address it resolves to. */
  readonly check: (url: URL) => Promise<OutboundVerdict>;
  /** `fetch` that checks the URL and every redirect hop before connecting (safe to pass around unbound). */
  readonly fetch: (url: URL, init: RequestInit) => Promise<Response>;
}

/** A request the policy refused; the message names the URL without its query. */
export class OutboundDenied extends Error {
  readonly code = 'OUTBOUND_DENIED';
  constructor(url: URL, readonly reason: string) {
    super(`${url.protocol}//${url.host}${url.pathname}: ${reason}`);
    this.name = 'OutboundDenied';
  }
}

const ALWAYS_DENIED = parseNetworkList([
  '169.254.0.0/16',
  'fe80::/10',
  '100.100.100.200',
  'fd00:ec2::254',
  '0.0.0.0/8',
  '::',
  '224.0.0.0/4',
  '255.255.255.255',
  'ff00::/8',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'];

const systemResolve = async (host: string): Promise<readonly string[]> => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export function createOutboundPolicy(options: OutboundPolicyOptions): OutboundPolicy {
  const allow = parseNetworkList(options.allow);
  const deny = parseNetworkList(options.deny);
  const resolve = options.resolve ?? systemResolve;
  const allowlist = options.allow.length > 0;

  const check = async (url: URL): Promise<OutboundVerdict> => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse(`the scheme ${url.protocol} is not allowed`);
    const host = canonicalAddress(url.hostname).replace(/\.$/, '');
    const addresses = (isIP(host) !== 0 ? [host] : await resolve(host)).map(canonicalAddress);
    if (matchesHost(deny, host) || addresses.some((address) => matchesAddress(deny, address))) return refuse('the host is in OUTBOUND_DENYLIST');
    if (matchesHost(ALWAYS_DENIED, host) && !matchesHost(allow, host)) return refuse('metadata hosts are not allowed');
    const reserved = addresses.find((address) => matchesAddress(ALWAYS_DENIED, address) && !matchesAddress(allow, address));
    if (reserved !== undefined) return refuse(`the host resolves to ${reserved}, a link-local, metadata or reserved address`);
    if (allowlist && !matchesHost(allow, host) && !(addresses.length > 0 && addresses.every((address) => matchesAddress(allow, address)))) {
      return refuse('the host is not in OUTBOUND_ALLOWLIST');
    }
    return { ok: true };
  };

  return {
    check,
    fetch: async (url, init) => {
      let target = url;
      let request: RequestInit = { ...init, redirect: 'manual' };
      for (let hop = 0; ; hop += 1) {
        const verdict = await check(target);
        if (!verdict.ok) throw new OutboundDenied(target, verdict.reason);
        const response = await fetch(target, request);
        const location = response.headers.get('location');
        if (!REDIRECTS.has(response.status) || location === null || init.redirect === 'manual') return response;
        if (hop >= MAX_REDIRECTS) throw new OutboundDenied(target, `more than ${MAX_REDIRECTS} redirects`);
        await response.body?.cancel();
        const next = new URL(location, target);
        request = redirected(request, response.status, next.origin !== target.origin);
        target = next;
      }
    },
  };
}

function refuse(reason: string): OutboundVerdict {
  return { ok: false, reason };
}

/** What a browser would send to the next hop: GET after 303 (and after 301/302 of a POST); no credentials to another origin. */
function redirected(request: RequestInit, status: number, crossOrigin: boolean): RequestInit {
  const headers = new Headers(request.headers);
  const method = (request.method ?? 'GET').toUpperCase();
  const toGet = status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  if (crossOrigin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  if (!toGet) return { ...request, headers };
  headers.delete('content-type');
  headers.delete('content-length');
  return { ...request, method: 'GET', body: null, headers };
}
