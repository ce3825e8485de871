import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalAddress } from './addresses.js';
import { OutboundDenied, createOutboundPolicy } from './policy.js';

// Host names resolve through this table: no DNS, and rebinding-style answers on demand.
const DNS: Record<string, string[]> = {
  'api.example.com': ['93.184.216.34'],
  'sneaky.example.com': ['93.184.216.34', '169.254.169.254'],
  'internal.example.com': ['10.1.2.3'],
  'mapped.example.com': ['::ffff:169.254.169.254'],
};
const resolve = async (host: string): Promise<string[]> => DNS[host] ?? [];
const policy = (allow: string[] = [], deny: string[] = []) => createOutboundPolicy({ allow, deny, resolve });
const verdict = async (url: string, allow?: string[], deny?: string[]) => (await policy(allow, deny).check(new URL(url))).ok;

describe('outbound policy', () => {
  it('refuses the metadata service in every spelling of its address', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://100.100.100.200/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://0.0.0.0:8080/',
      'http://mapped.example.com/',
    ]) {
      expect(await verdict(url), url).toBe(false);
    }
  });

  it('refuses a host when any of its addresses is forbidden', async () => {
    expect(await verdict('https://sneaky.example.com/')).toBe(false);
  });

  it('allows ordinary hosts, private and loopback ones too, unless the denylist names them', async () => {
    expect(await verdict('https://api.example.com/v1')).toBe(true);
    expect(await verdict('http://127.0.0.1:4010/')).toBe(true);
    expect(await verdict('http://internal.example.com/')).toBe(true);
    expect(await verdict('http://internal.example.com/', [], ['10.0.0.0/8'])).toBe(false);
    expect(await verdict('https://api.example.com/', [], ['*.example.com'])).toBe(false);
  });

  it('with an allowlist, allows only what it names; it may name a metadata address on purpose', async () => {
    expect(await verdict('https://api.example.com/', ['api.example.com'])).toBe(true);
    expect(await verdict('http://127.0.0.1/', ['api.example.com'])).toBe(false);
    expect(await verdict('http://10.1.2.3/', ['10.0.0.0/8'])).toBe(true);
    expect(await verdict('http://169.254.169.254/', ['169.254.169.254'])).toBe(true);
    expect(await verdict('http://169.254.169.254/', ['169.254.169.254'], ['169.254.0.0/16'])).toBe(false);
  });

  it('refuses schemes other than http and https', async () => {
    expect(await verdict('file:///etc/passwd')).toBe(false);
    expect(await verdict('gopher://127.0.0.1:6379/')).toBe(false);
  });

  it('reads IPv4 inside IPv6 forms', () => {
    expect(canonicalAddress('::ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(canonicalAddress('[::ffff:10.0.0.1]')).toBe('10.0.0.1');
    expect(canonicalAddress('::1')).toBe('::1');
    expect(canonicalAddress('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('guarded fetch', () => {
  let server: Server;
  let base: string;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits += 1;
      if (request.url === '/to-metadata') response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (request.url === '/to-ok') response.writeHead(303, { location: '/ok' }).end();
      else if (request.url === '/loop') response.writeHead(302, { location: '/loop' }).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: request.method, auth: request.headers.authorization ?? null }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('refuses a redirect to the metadata service without connecting to it', async () => {
    await expect(policy().fetch(new URL(`${base}/to-metadata`), { method: 'GET' })).rejects.toBeInstanceOf(OutboundDenied);
  });

  it('follows allowed redirects the way a browser does (303 turns a POST into a GET)', async () => {
    const response = await policy().fetch(new URL(`${base}/to-ok`), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(await response.json()).toEqual({ method: 'GET', auth: null });
  });

  it('stops a redirect loop', async () => {
    hits = 0;
    await expect(policy().fetch(new URL(`${base}/loop`), { method: 'GET' })).rejects.toThrow(/redirects/);
    expect(hits).toBe(6);
  });

  it('refuses a URL before any connection is made', async () => {
    hits = 0;
    await expect(policy(['api.example.com']).fetch(new URL(`${base}/ok`), { method: 'GET' })).rejects.toThrow(/OUTBOUND_ALLOWLIST/);
    expect(hits).toBe(0);
  });
});
