import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SECURITY_ENV, securityConfig, type SecurityConfig } from '../security/config.js';
import { SCALE_OUT_ENV, scaleOutConfig, type ScaleOutConfig } from './scale-out.js';

/**
 * Process configuration, read from the environment once at boot. Anything invalid stops the
 * process with a message naming each bad variable, before a port is opened.
 */
const Env = Type.Object({
  APP_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('staging'), Type.Literal('production')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '0.0.0.0' }),
  SERVER_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9090 }),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  DB_HOST: Type.String({ default: '127.0.0.1' }),
  DB_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 5432 }),
  DB_USER: Type.String({ default: 'postgres' }),
  DB_PASSWORD: Type.Optional(Type.String()),
  DB_NAME: Type.String({ default: 'workflows', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  DB_SSL_MODE: Type.Union([Type.Literal('disable'), Type.Literal('require'), Type.Literal('verify-full')], { default: 'disable' }),
  DB_SSL_ROOT_CERT: Type.Optional(Type.String({ minLength: 1 })),
  DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
  REDIS_URL: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_HOST: Type.String({ default: '127.0.0.1' }),
  REDIS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 6379 }),
  CACHE_NAMESPACE: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)), {
    default: 'info',
  }),
  LOG_FORMAT: Type.Union([Type.Literal('json'), Type.Literal('pretty')], { default: 'json' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_CLOCK_SKEW_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
  MAX_REQUEST_SIZE_MB: Type.Number({ exclusiveMinimum: 0, maximum: 64, default: 1 }),
  MIN_POSITION_WAIT_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 2_000 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1_000, maximum: 300_000, default: 30_000 }),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  OTEL_TRACES_SAMPLER_ARG: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
  ...SECURITY_ENV,
  ...SCALE_OUT_ENV,
});
type Env = Static<typeof Env>;

export interface Config {
  readonly env: Env['APP_ENV'];
  readonly host: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly databaseUrl: string;
  readonly dbPoolMax: number;
  readonly redisUrl: string;
  /** Prefix of every cache key; defaults to the database name, so two deployments never share entries. */
  readonly cacheNamespace: string;
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty';
  readonly jwt: {
    readonly secret: string | undefined;
    readonly issuer: string | undefined;
    readonly audience: string | undefined;
    readonly clockSkewSeconds: number;
    readonly jwksUrl: string | undefined;
    readonly jwksCacheSeconds: number;
    readonly jwksCooldownSeconds: number;
  };
  /** Rate limits, proxies, CORS, JSON depth, outbound policy (docs/SECURITY.md). */
  readonly security: SecurityConfig;
  readonly bodyLimitBytes: number;
  readonly minPositionWaitMs: number;
  readonly requestTimeoutMs: number;
  /** Event store and projector source (docs/SCALE-OUT.md). */
  readonly scaleOut: ScaleOutConfig;
  /** OpenTelemetry tracing: off while `endpoint` is undefined. */
  readonly otel: {
    readonly endpoint: string | undefined;
    readonly serviceName: string | undefined;
    readonly sampleRatio: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

// The development-only signing key; refused outside development and test.
export const DEV_JWT_SECRET = 'iwf-development-secret-do-not-use-in-production';

/**
 * The variables `schema` names, read from `source` (empty counts as unset), converted and
 * defaulted; with one line per variable that does not fit, for a `ConfigError`.
 */
export function readEnv<S extends TObject>(schema: S, source: NodeJS.ProcessEnv): { env: Static<S>; problems: string[] } {
  const raw = Object.fromEntries(Object.keys(schema.properties).flatMap((key) => (source[key] === undefined || source[key] === '' ? [] : [[key, source[key]]])));
  const env = Value.Default(schema, Value.Convert(schema, raw)) as Static<S>;
  const problems = [...Value.Errors(schema, env)].map((error) => `${error.path.slice(1) || '(root)'}: ${error.message} (got ${JSON.stringify(error.value)})`);
  return { env, problems };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const { env, problems } = readEnv(Env, source);
  const production = env.APP_ENV === 'production' || env.APP_ENV === 'staging';
  if (production && !env.JWT_SECRET && !env.JWT_JWKS_URL) problems.push('JWT_SECRET: required outside development and test (or JWT_JWKS_URL)');
  if (production) problems.push(...placeholderSecrets(env));
  const security = securityConfig(env, production, problems);
  const scaleOut = scaleOutConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    env: env.APP_ENV,
    host: env.HOST,
    port: env.SERVER_PORT,
    metricsPort: env.METRICS_PORT,
    databaseUrl: env.DATABASE_URL ?? databaseUrlFromParts(env),
    dbPoolMax: env.DB_POOL_MAX,
    redisUrl: env.REDIS_URL ?? `redis://${env.REDIS_HOST}:${env.REDIS_PORT}`,
    cacheNamespace: env.CACHE_NAMESPACE ?? databaseName(env),
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    jwt: {
      secret: env.JWT_SECRET ?? (production ? undefined : DEV_JWT_SECRET),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      clockSkewSeconds: env.JWT_CLOCK_SKEW_SECONDS,
      jwksUrl: env.JWT_JWKS_URL,
      jwksCacheSeconds: env.JWT_JWKS_CACHE_SECONDS,
      jwksCooldownSeconds: env.JWT_JWKS_COOLDOWN_SECONDS,
    },
    security,
    bodyLimitBytes: Math.floor(env.MAX_REQUEST_SIZE_MB * 1024 * 1024),
    minPositionWaitMs: env.MIN_POSITION_WAIT_MS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    otel: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME, sampleRatio: env.OTEL_TRACES_SAMPLER_ARG },
    scaleOut,
  };
}

function databaseName(env: Env): string {
  let name = env.DB_NAME;
  try {
    if (env.DATABASE_URL) name = decodeURIComponent(new URL(env.DATABASE_URL).pathname.slice(1));
  } catch {
    // An unparseable URL fails later, when the pool connects, with the driver's message.
  }
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'default';
}

/**
 * Secrets that anyone can read in this repository: the development signing key and the
 * `change-me…` values of the Kubernetes secret template. Staging and production refuse them.
 */
function placeholderSecrets(env: Env): string[] {
  const known = (value: string | undefined): boolean => value !== undefined && (value === DEV_JWT_SECRET || value.toLowerCase().startsWith('change-me'));
  return (['JWT_SECRET', 'DB_PASSWORD'] as const).filter((name) => known(env[name])).map((name) => `${name}: a published placeholder, not a secret; set a value of your own`);
}

function databaseUrlFromParts(env: Env): string {
  const url = new URL('postgres://localhost');
  url.hostname = env.DB_HOST;
  url.port = String(env.DB_PORT);
  url.username = env.DB_USER;
  if (env.DB_PASSWORD) url.password = env.DB_PASSWORD;
  url.pathname = `/${env.DB_NAME}`;
  if (env.DB_SSL_MODE !== 'disable') {
    // libpq's meanings: require encrypts without checking the certificate (with a root
    // certificate: checks it was issued by that CA); verify-full also checks the host name.
    url.searchParams.set('uselibpqcompat', 'true');
    url.searchParams.set('sslmode', env.DB_SSL_MODE);
    if (env.DB_SSL_ROOT_CERT) url.searchParams.set('sslrootcert', env.DB_SSL_ROOT_CERT);
  }
  return url.toString();
}
