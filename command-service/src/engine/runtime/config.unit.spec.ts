import { describe, expect, it } from 'vitest';
import { ConfigError } from '@iwf/platform/config/config';
import { loadEngineConfig } from './config.js';

describe('engine configuration', () => {
  it('has working defaults', () => {
    const config = loadEngineConfig({});
    expect(config).toMatchObject({
      workers: true,
      timerPollMs: 1_000,
      leaseMs: 15_000,
      httpTimeoutMs: 30_000,
      responseLimitBytes: 65_536,
      maxChainDepth: 8,
      ingestWaitDefaultMs: 5_000,
      enrichment: { url: undefined },
      notify: { smtpUrl: undefined, emailFrom: 'workflows@localhost', slackWebhookUrl: undefined },
    });
    expect(config.hostMap.size).toBe(0);
  });

  it('reads the outbound host map, lower-casing hosts and dropping trailing slashes', () => {
    const config = loadEngineConfig({ OUTBOUND_HOST_MAP: 'Fraud-API.example.com=http://127.0.0.1:4010/, api.example.com:8443=https://gw.internal/api' });
    expect([...config.hostMap]).toEqual([
      ['fraud-api.example.com', 'http://127.0.0.1:4010'],
      ['api.example.com:8443', 'https://gw.internal/api'],
    ]);
  });

  it('converts numbers and booleans from text', () => {
    expect(loadEngineConfig({ ENGINE_WORKERS: 'false', ENGINE_LEASE_MS: '250' })).toMatchObject({ workers: false, leaseMs: 250 });
  });

  it('refuses invalid values, naming every bad variable', () => {
    const attempt = () =>
      loadEngineConfig({ ENGINE_LEASE_MS: '10', OUTBOUND_HOST_MAP: 'nohost', SLACK_WEBHOOK_URL: 'ftp://x', PAGERDUTY_EVENTS_URL: 'http://pd.local/v2' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/ENGINE_LEASE_MS/);
      expect(problems).toMatch(/OUTBOUND_HOST_MAP: "nohost"/);
      expect(problems).toMatch(/SLACK_WEBHOOK_URL/);
      expect(problems).toMatch(/PAGERDUTY_ROUTING_KEY: required/);
    }
  });
});
