import { Type } from '@sinclair/typebox';
import { ConfigError, readEnv } from '@iwf/platform/config/config';
import type { NotifySettings } from '../adapters/notify.js';

/**
 * The engine's settings, read from the environment at boot and validated like the platform
 * configuration: anything invalid stops the process with a message naming each variable.
 * Secrets are not here: `IWF_SECRET_<NAME>` and `SECRETS_FILE` are read by the secret store
 * only when a request is sent, so no settings object ever holds them.
 */
const Ms = (fallback: number, minimum = 1, maximum = 86_400_000) => Type.Integer({ minimum, maximum, default: fallback });
const Url = Type.Optional(Type.String({ pattern: '^https?://' }));

const EngineEnv = Type.Object({
  ENGINE_WORKERS: Type.Boolean({ default: true }),
  ENGINE_TIMER_POLL_MS: Ms(1_000),
  ENGINE_LEASE_MS: Ms(15_000, 50),
  ENGINE_REPAIR_GRACE_MS: Ms(2_000, 0),
  ENGINE_HTTP_TIMEOUT_MS: Ms(30_000, 10),
  ENGINE_RESPONSE_LIMIT_BYTES: Type.Integer({ minimum: 1_024, maximum: 16 * 1_048_576, default: 65_536 }),
  ENGINE_MAX_CHAIN_DEPTH: Type.Integer({ minimum: 0, maximum: 100, default: 8 }),
  ENGINE_WAIT_POLL_MS: Ms(200, 5),
  INGEST_WAIT_DEFAULT_MS: Ms(5_000, 0, 60_000),
  OUTBOUND_HOST_MAP: Type.Optional(Type.String()),
  ENRICHMENT_URL: Url,
  ENRICHMENT_TIMEOUT_MS: Ms(5_000, 10),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtp://' })),
  EMAIL_FROM: Type.String({ default: 'workflows@localhost', minLength: 3 }),
  EMAIL_WEBHOOK_URL: Url,
  SLACK_WEBHOOK_URL: Url,
  PAGERDUTY_EVENTS_URL: Url,
  PAGERDUTY_ROUTING_KEY: Type.Optional(Type.String({ minLength: 1 })),
});

export interface EngineConfig {
  /** Run the background workers (timers, effect sweeper, repair subscription) in this process. */
  readonly workers: boolean;
  readonly timerPollMs: number;
  /** How long a claimed effect or timer stays with its claimer before another may take it. */
  readonly leaseMs: number;
  /** The repair subscription leaves events this recent to the process that appended them. */
  readonly repairGraceMs: number;
  readonly httpTimeoutMs: number;
  readonly responseLimitBytes: number;
  readonly maxChainDepth: number;
  readonly waitPollMs: number;
  readonly ingestWaitDefaultMs: number;
  /** Outbound host → base URL the request goes to instead (`fraud-api.example.com` → `http://127.0.0.1:4010`). */
  readonly hostMap: ReadonlyMap<string, string>;
  readonly enrichment: { readonly url: string | undefined; readonly timeoutMs: number };
  readonly notify: NotifySettings;
}

export function loadEngineConfig(source: NodeJS.ProcessEnv = process.env): EngineConfig {
  const { env, problems } = readEnv(EngineEnv, source);
  const hostMap = parseHostMap(env.OUTBOUND_HOST_MAP ?? '', problems);
  if (env.PAGERDUTY_EVENTS_URL !== undefined && env.PAGERDUTY_ROUTING_KEY === undefined) {
    problems.push('PAGERDUTY_ROUTING_KEY: required when PAGERDUTY_EVENTS_URL is set');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    workers: env.ENGINE_WORKERS,
    timerPollMs: env.ENGINE_TIMER_POLL_MS,
    leaseMs: env.ENGINE_LEASE_MS,
    repairGraceMs: env.ENGINE_REPAIR_GRACE_MS,
    httpTimeoutMs: env.ENGINE_HTTP_TIMEOUT_MS,
    responseLimitBytes: env.ENGINE_RESPONSE_LIMIT_BYTES,
    maxChainDepth: env.ENGINE_MAX_CHAIN_DEPTH,
    waitPollMs: env.ENGINE_WAIT_POLL_MS,
    ingestWaitDefaultMs: env.INGEST_WAIT_DEFAULT_MS,
    hostMap,
    enrichment: { url: env.ENRICHMENT_URL, timeoutMs: env.ENRICHMENT_TIMEOUT_MS },
    notify: {
      smtpUrl: env.SMTP_URL,
      emailFrom: env.EMAIL_FROM,
      emailWebhookUrl: env.EMAIL_WEBHOOK_URL,
      slackWebhookUrl: env.SLACK_WEBHOOK_URL,
      pagerDutyUrl: env.PAGERDUTY_EVENTS_URL,
      pagerDutyRoutingKey: env.PAGERDUTY_ROUTING_KEY,
    },
  };
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** `host=http://target[:port][/prefix]` pairs, comma separated. */
function parseHostMap(text: string, problems: string[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const entry of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [host, target, ...rest] = entry.split('=');
    let valid = host !== undefined && HOST.test(host) && target !== undefined && rest.length === 0;
    if (valid && target !== undefined) {
      try {
        valid = ['http:', 'https:'].includes(new URL(target).protocol);
      } catch {
        valid = false;
      }
    }
    if (!valid || host === undefined || target === undefined) problems.push(`OUTBOUND_HOST_MAP: "${entry}" is not host=http(s)://target`);
    else map.set(host.toLowerCase(), target.replace(/\/+$/, ''));
  }
  return map;
}
