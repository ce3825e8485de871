import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundPolicy } from '@iwf/platform/security/outbound/policy';
import { startReceiver, type Receiver } from '../runtime/testing/receiver.js';
import type { HttpSettings } from './http.js';
import { appendArguments } from '../../event-store/postgres/append.js';
import { ANSWER_DEPTH_LIMIT, sendHttp } from './http.js';
import type { NotifySettings } from './notify.js';
import { deliverAll } from './notify.js';
import { startSmtpServer } from './testing/smtp-server.js';

let receiver: Receiver;
let http: HttpSettings;
const none: NotifySettings = { smtpUrl: undefined, emailFrom: 'flows@acme.test', emailWebhookUrl: undefined, slackWebhookUrl: undefined, pagerDutyUrl: undefined, pagerDutyRoutingKey: undefined };
const to = (...addresses: string[]) => addresses.map((address) => ({ address, shown: address }));

beforeAll(async () => {
  receiver = await startReceiver((request) => (request.path.startsWith('/missing') ? { status: 404 } : { status: 200, body: { path: request.path } }));
  http = { hostMap: new Map([['api.example.com', `${receiver.url}/prefix`]]), timeoutMs: 2_000, responseLimitBytes: 65_536 };
});

afterAll(async () => {
  await receiver?.close();
});

describe('sendHttp', () => {
  it('sends a mapped host to its target, keeping path and query, with the extra headers', async () => {
    const outcome = await sendHttp({ url: 'https://api.example.com/a/b?c=1', method: 'PUT', headers: { 'x-one': '1' }, body: { k: 'v' } }, null, { 'idempotency-key': 'key-1' }, http);
    expect(outcome).toEqual({ ok: true, status: 200, body: { path: '/prefix/a/b?c=1' }, truncated: false });
    expect(receiver.requests.at(-1)).toMatchObject({ method: 'PUT', body: { k: 'v' }, headers: { 'x-one': '1', 'idempotency-key': 'key-1', 'content-type': 'application/json' } });
  });

  it('classifies answers and failures for retry policies', async () => {
    expect(await sendHttp({ url: `${receiver.url}/missing`, method: 'GET', headers: {}, body: null }, null, {}, http)).toMatchObject({ ok: false, error: { kind: 'http_4xx', status: 404 } });
    expect(await sendHttp({ url: 'not a url', method: 'GET', headers: {}, body: null }, null, {}, http)).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    const gone = await startReceiver();
    await gone.close();
    expect(await sendHttp({ url: `${gone.url}/x`, method: 'GET', headers: {}, body: null }, null, {}, http)).toMatchObject({ ok: false, error: { kind: 'network', message: expect.stringContaining('ECONNREFUSED') } });
    expect(await sendHttp({ url: `${receiver.url}/x`, method: 'GET', headers: {}, body: null }, new Date(Date.now() - 1), {}, http)).toMatchObject({ ok: false, error: { kind: 'timeout' } });
  });

  it("waits until the step's deadline, even past the default timeout, which only bounds calls without one", async () => {
    const slow = await startReceiver(() => ({ status: 200, body: { slow: true }, delayMs: 600 }));
    try {
      const short = { ...http, timeoutMs: 200 };
      const request = { url: `${slow.url}/slow`, method: 'GET', headers: {}, body: null };
      expect(await sendHttp(request, new Date(Date.now() + 5_000), {}, short)).toMatchObject({ ok: true, status: 200, body: { slow: true } });
      expect(await sendHttp(request, null, {}, short)).toMatchObject({ ok: false, error: { kind: 'timeout', message: expect.stringContaining('200 ms') } });
      expect(await sendHttp(request, new Date(Date.now() + 150), {}, { ...http, timeoutMs: 5_000 })).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    } finally {
      await slow.close();
    }
  });
});

describe('sendHttp with answers the log cannot hold as they are', () => {
  /** A server answering every request with these bytes and this content type. */
  async function answering(contentType: string, bytes: Buffer): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': contentType });
      res.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/odd`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }
  const get = (url: string) => sendHttp({ url, method: 'GET', headers: {}, body: null }, null, {}, http);

  it('turns NUL characters and lone surrogates, escaped in JSON or raw in text, into U+FFFD at any depth, and keeps the rest', async () => {
    const fields = JSON.stringify({ note: 'a\u0000b', ['key\ud800']: 'x\udc00', pair: '\ud83d\ude00', spelled: '\\u0000' });
    const deep = `${'['.repeat(ANSWER_DEPTH_LIMIT - 1)}"z\\u0000"${']'.repeat(ANSWER_DEPTH_LIMIT - 1)}`;
    const json = await answering('application/json', Buffer.from(`${fields.slice(0, -1)},"__proto__":"p\\u0000","deep":${deep}}`));
    const text = await answering('text/plain', Buffer.concat([Buffer.from('before'), Buffer.from([0]), Buffer.from('after')]));
    try {
      const outcome = await get(json.url);
      expect(outcome).toMatchObject({ ok: true, status: 200 });
      const body = (outcome as { body: Record<string, unknown> }).body;
      expect(body).toMatchObject({ note: 'a\ufffdb', ['key\ufffd']: 'x\ufffd', pair: '\ud83d\ude00', spelled: '\\u0000' });
      expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(body, '__proto__')?.value).toBe('p\ufffd');
      let leaf: unknown = body['deep'];
      while (Array.isArray(leaf)) leaf = leaf[0];
      expect(leaf).toBe('z\ufffd');
      expect(() => appendArguments('s', [{ event_id: randomUUID(), type: 'answer.recorded', data: body, metadata: { tenant: 't', actor: 'a', correlation_id: 'c' } }], 'any')).not.toThrow();
      expect(await get(text.url)).toMatchObject({ ok: true, body: 'before\ufffdafter' });
    } finally {
      await json.close();
      await text.close();
    }
  });

  it('keeps a JSON null as null, and an answer whose repaired key would replace another key as its text', async () => {
    const nothing = await answering('application/json', Buffer.from('null'));
    const clash = await answering('application/json', Buffer.from('{"a\\u0000":1,"a\\ufffd":2}'));
    try {
      expect(await get(nothing.url)).toEqual({ ok: true, status: 200, body: null, truncated: false });
      expect(await get(clash.url)).toMatchObject({ ok: true, body: '{"a\\u0000":1,"a\\ufffd":2}' });
    } finally {
      await nothing.close();
      await clash.close();
    }
  });

  it('keeps a JSON answer nested deeper than the limit as its text, which the log can take', async () => {
    const deep = `${'['.repeat(30_000)}"z\\u0000"${']'.repeat(30_000)}`;
    const server = await answering('application/json', Buffer.from(deep));
    try {
      const outcome = await get(server.url);
      expect(outcome).toMatchObject({ ok: true, status: 200 });
      const body = (outcome as { body: unknown }).body;
      expect(body).toBe(deep);
      expect(() => appendArguments('s', [{ event_id: randomUUID(), type: 'answer.recorded', data: { body }, metadata: { tenant: 't', actor: 'a', correlation_id: 'c' } }], 'any')).not.toThrow();
    } finally {
      await server.close();
    }
  });
});

describe('sendHttp under the outbound policy', () => {
  it('sends where the policy allows, and refuses (not retryably) where it does not', async () => {
    const policy = (deny: string[]) => {
      const created = createOutboundPolicy({ allow: [], deny });
      return { ...http, fetch: (url: URL, init: RequestInit) => created.fetch(url, init) };
    };
    const open = policy([]);
    expect(await sendHttp({ url: `${receiver.url}/ok`, method: 'GET', headers: {}, body: null }, null, {}, open)).toMatchObject({ ok: true, status: 200 });
    const closed = policy(['127.0.0.0/8']);
    const before = receiver.requests.length;
    const refused = await sendHttp({ url: 'https://api.example.com/x', method: 'POST', headers: {}, body: {} }, null, {}, closed);
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringContaining('OUTBOUND_DENYLIST') } });
    expect(receiver.requests.length).toBe(before);
    const metadata = await sendHttp({ url: 'http://169.254.169.254/latest/meta-data', method: 'GET', headers: {}, body: null }, null, {}, open);
    expect(metadata).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });
});

describe('notify', () => {
  it('records unconfigured channels, roles and unknown schemes as skipped', async () => {
    const { deliveries, failure } = await deliverAll(to('a@b.test', 'slack:#x', 'pagerduty:svc', 'role:boss', 'fax:123'), 'hi', 'k', null, { notify: none, http });
    expect(failure).toBeUndefined();
    expect(deliveries.map((delivery) => delivery.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
  });

  it('posts webhook: recipients with an idempotency key per recipient', async () => {
    const { deliveries } = await deliverAll(to(`webhook:${receiver.url}/hook`), 'hello', 'k2', null, { notify: none, http });
    expect(deliveries).toEqual([{ recipient: `webhook:${receiver.url}/hook`, status: 'sent' }]);
    expect(receiver.requests.at(-1)).toMatchObject({ path: '/hook', body: { message: 'hello' }, headers: { 'idempotency-key': 'k2#0' } });
  });

  it("gives each delivery until the step's deadline, past the default timeout", async () => {
    const slow = await startReceiver(() => ({ status: 200, delayMs: 600 }));
    try {
      const short = { ...http, timeoutMs: 200 };
      const within = await deliverAll(to(`webhook:${slow.url}/hook`), 'slow', 'k3', new Date(Date.now() + 5_000), { notify: none, http: short });
      expect(within).toEqual({ deliveries: [{ recipient: `webhook:${slow.url}/hook`, status: 'sent' }], failure: undefined });
      const unbounded = await deliverAll(to(`webhook:${slow.url}/hook`), 'slow', 'k4', null, { notify: none, http: short });
      expect(unbounded.failure).toMatchObject({ kind: 'timeout' });
    } finally {
      await slow.close();
    }
  });

  it('sends email over SMTP, authenticating with the URL credentials', async () => {
    const smtp = await startSmtpServer({ refuseRecipient: 'ghost@acme.test' });
    try {
      const url = smtp.url.replace('smtp://', 'smtp://mailer:s3cret@');
      const { deliveries, failure } = await deliverAll(to('mailto:ops@acme.test', 'ghost@acme.test'), 'Disk full\n.hidden line', 'exec:step:0', null, { notify: { ...none, smtpUrl: url }, http });
      expect(deliveries.map((delivery) => delivery.status)).toEqual(['sent', 'failed']);
      expect(failure).toMatchObject({ kind: 'network', message: expect.stringContaining('550') });
      const [mail] = smtp.mails;
      expect(mail).toMatchObject({ auth: '\u0000mailer\u0000s3cret', from: 'flows@acme.test', to: ['ops@acme.test'] });
      expect(mail?.data).toMatch(/^Subject: Disk full\r$/m);
      expect(mail?.data).toMatch(/^Message-ID: <exec_step_0#0@iwf>\r$/m);
      expect(mail?.data).toContain('\r\n\r\nDisk full\r\n..hidden line\r\n');
    } finally {
      await smtp.close();
    }
  });
});
