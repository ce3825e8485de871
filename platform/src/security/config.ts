import { Type } from '@sinclair/typebox';
import { parseNetworkList } from './outbound/addresses.js';

/** Security variables, spread into the process configuration schema (config.ts). */
export const SECURITY_ENV = {
  JWT_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  JWT_JWKS_CACHE_SECONDS: Type.Integer({ minimum: 10, maximum: 86_400, default: 600 }),
  JWT_JWKS_COOLDOWN_SECONDS: Type.Integer({ minimum: 0, maximum: 3_600, default: 30 }),
  // Unset: 100 in staging and production, off in development and test (benchmarks, test suites).
  RATE_LIMIT_REQUESTS_PER_SECOND: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
  RATE_LIMIT_BURST: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 200 }),
  RATE_LIMIT_PER_IP_FACTOR: Type.Number({ minimum: 1, maximum: 10_000, default: 10 }),
  TRUST_PROXY: Type.String({ default: 'false', maxLength: 1_000 }),
  ALLOWED_ORIGINS: Type.String({ default: '', maxLength: 10_000 }),
  MAX_JSON_DEPTH: Type.Integer({ minimum: 2, maximum: 1_000, default: 64 }),
  OUTBOUND_ALLOWLIST: Type.String({ default: '', maxLength: 10_000 }),
  OUTBOUND_DENYLIST: Type.String({ default: '', maxLength: 10_000 }),
};

interface SecurityEnv {
  readonly RATE_LIMIT_REQUESTS_PER_SECOND?: number | undefined;
  readonly RATE_LIMIT_BURST: number;
  readonly RATE_LIMIT_PER_IP_FACTOR: number;
  readonly TRUST_PROXY: string;
  readonly ALLOWED_ORIGINS: string;
  readonly MAX_JSON_DEPTH: number;
  readonly OUTBOUND_ALLOWLIST: string;
  readonly OUTBOUND_DENYLIST: string;
}

export interface SecurityConfig {
  /** Per principal; each IP gets `perIpFactor` times as much. 0 requests per second: off. */
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number; readonly perIpFactor: number };
  /** Fastify's `trustProxy`: whose X-Forwarded-For names the client (for per-IP limits). */
  readonly trustProxy: boolean | string[] | ((address: string, hop: number) => boolean);
  readonly allowedOrigins: readonly string[];
  readonly maxJsonDepth: number;
  /** Engine HTTP effects: hosts/CIDRs allowed (empty: any not denied) and denied beyond the defaults. */
  readonly outbound: { readonly allow: readonly string[]; readonly deny: readonly string[] };
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

export const DEFAULT_RATE_LIMIT_PER_SECOND = 100;

export function securityConfig(env: SecurityEnv, production: boolean, problems: string[]): SecurityConfig {
  const origins = list(env.ALLOWED_ORIGINS);
  for (const origin of origins) {
    if (origin !== '*' && !isOrigin(origin)) problems.push(`ALLOWED_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
  }
  const outbound = { allow: list(env.OUTBOUND_ALLOWLIST), deny: list(env.OUTBOUND_DENYLIST) };
  for (const [name, entries] of [['OUTBOUND_ALLOWLIST', outbound.allow], ['OUTBOUND_DENYLIST', outbound.deny]] as const) {
    for (const bad of parseNetworkList(entries).invalid) problems.push(`${name}: "${bad}" is not a host name, IP address or CIDR range`);
  }
  return {
    rateLimit: { requestsPerSecond: env.RATE_LIMIT_REQUESTS_PER_SECOND ?? (production ? DEFAULT_RATE_LIMIT_PER_SECOND : 0), burst: env.RATE_LIMIT_BURST, perIpFactor: env.RATE_LIMIT_PER_IP_FACTOR },
    trustProxy: trustProxyOf(env.TRUST_PROXY, problems),
    allowedOrigins: origins,
    maxJsonDepth: env.MAX_JSON_DEPTH,
    outbound,
  };
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === text;
  } catch {
    return false;
  }
}

/** `false`, `true`, a hop count, or a comma list of proxy addresses/CIDRs. */
function trustProxyOf(text: string, problems: string[]): SecurityConfig['trustProxy'] {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  const entries = list(text);
  const parsed = parseNetworkList(entries);
  if (parsed.invalid.length > 0 || parsed.hosts.length > 0) problems.push(`TRUST_PROXY: "${text}" is not true, false, a hop count or a list of addresses/CIDRs`);
  return entries;
}
