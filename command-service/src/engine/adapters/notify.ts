import type { ExecutionError, NotifyEffectResult } from '@iwf/contracts';
import type { HttpSettings } from './http.js';
import { callTimeoutMs, sendHttp } from './http.js';
import { sendMail } from './smtp.js';

export interface NotifySettings {
  readonly smtpUrl: string | undefined;
  readonly emailFrom: string;
  readonly emailWebhookUrl: string | undefined;
  readonly slackWebhookUrl: string | undefined;
  readonly pagerDutyUrl: string | undefined;
  readonly pagerDutyRoutingKey: string | undefined;
}

export interface Recipient {
  /** As sent (secrets resolved). */
  readonly address: string;
  /** As recorded (secret references kept as references). */
  readonly shown: string;
}

type Delivery = NotifyEffectResult['deliveries'][number];
type Attempt = { readonly status: 'sent' } | { readonly status: 'skipped'; readonly reason: string } | { readonly status: 'failed'; readonly error: ExecutionError };

const EMAIL = /^[^@\s<>]+@[^@\s<>]+$/;

/**
 * Delivers one message to each recipient by its scheme: an email address or `mailto:` (SMTP,
 * else an email webhook), `slack:<channel>`, `pagerduty:<service>`, `webhook:<url>`. A channel
 * without configuration, and `role:` recipients (no directory to resolve them), are skipped
 * and recorded as such. Each delivery carries an idempotency key of its own, and may take
 * until the step's deadline (the default timeout when the step has none).
 */
export async function deliverAll(
  recipients: readonly Recipient[],
  message: string,
  key: string,
  deadline: Date | null,
  settings: { readonly notify: NotifySettings; readonly http: HttpSettings },
): Promise<{ readonly deliveries: readonly Delivery[]; readonly failure: ExecutionError | undefined }> {
  const attempts = await Promise.all(recipients.map((recipient, index) => deliverOne(recipient.address, message, `${key}#${index}`, deadline, settings)));
  const deliveries = attempts.map((attempt, index): Delivery => {
    const recipient = recipients[index]?.shown ?? '';
    if (attempt.status === 'sent') return { recipient, status: 'sent' };
    return { recipient, status: attempt.status, error: attempt.status === 'skipped' ? attempt.reason : attempt.error.message };
  });
  const failed = attempts.find((attempt) => attempt.status === 'failed');
  return { deliveries, failure: failed?.status === 'failed' ? failed.error : undefined };
}

async function deliverOne(address: string, message: string, key: string, deadline: Date | null, settings: { notify: NotifySettings; http: HttpSettings }): Promise<Attempt> {
  const { notify, http } = settings;
  const post = async (url: string, body: unknown): Promise<Attempt> => {
    const outcome = await sendHttp({ url, method: 'POST', headers: {}, body }, deadline, { 'idempotency-key': key }, http);
    return outcome.ok ? { status: 'sent' } : { status: 'failed', error: outcome.error };
  };
  const [scheme, ...rest] = address.split(':');
  const target = rest.join(':');
  if (address.startsWith('mailto:') || EMAIL.test(address)) {
    const to = address.startsWith('mailto:') ? target : address;
    const subject = (message.split('\n')[0] ?? '').slice(0, 78);
    if (notify.smtpUrl !== undefined) {
      const timeoutMs = callTimeoutMs(deadline, http.timeoutMs);
      if (timeoutMs <= 0) return { status: 'failed', error: { kind: 'timeout', message: "SMTP delivery not attempted: the step's deadline had passed" } };
      try {
        await sendMail(notify.smtpUrl, { from: notify.emailFrom, to, subject, text: message, messageId: `${key.replace(/[^A-Za-z0-9.#_-]/g, '_')}@iwf` }, timeoutMs);
        return { status: 'sent' };
      } catch (error) {
        return { status: 'failed', error: { kind: 'network', message: `SMTP delivery failed: ${error instanceof Error ? error.message : String(error)}` } };
      }
    }
    if (notify.emailWebhookUrl !== undefined) return post(notify.emailWebhookUrl, { to, from: notify.emailFrom, subject, text: message });
    return { status: 'skipped', reason: 'no email channel configured (SMTP_URL or EMAIL_WEBHOOK_URL)' };
  }
  switch (scheme) {
    case 'slack':
      if (notify.slackWebhookUrl === undefined) return { status: 'skipped', reason: 'no Slack channel configured (SLACK_WEBHOOK_URL)' };
      return post(notify.slackWebhookUrl, { channel: target, text: message });
    case 'pagerduty':
      if (notify.pagerDutyUrl === undefined || notify.pagerDutyRoutingKey === undefined) {
        return { status: 'skipped', reason: 'no PagerDuty channel configured (PAGERDUTY_EVENTS_URL, PAGERDUTY_ROUTING_KEY)' };
      }
      return post(notify.pagerDutyUrl, {
        routing_key: notify.pagerDutyRoutingKey,
        event_action: 'trigger',
        dedup_key: key,
        payload: { summary: message.slice(0, 1024), source: target, severity: 'critical' },
      });
    case 'webhook':
      return post(target, { message });
    case 'role':
      return { status: 'skipped', reason: 'role recipients have no delivery channel' };
    case undefined:
    default:
      return { status: 'skipped', reason: 'unknown recipient scheme' };
  }
}
