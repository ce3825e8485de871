import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/config.js';
import { startTracing } from './tracing.js';

describe('tracing settings', () => {
  it('are off unless an OTLP endpoint is set', async () => {
    const config = loadConfig({});
    expect(config.otel).toEqual({ endpoint: undefined, serviceName: undefined, sampleRatio: 1 });
    const tracing = startTracing({ endpoint: config.otel.endpoint, serviceName: 'x' });
    expect(tracing.enabled).toBe(false);
    await tracing.shutdown();
  });

  it('read the standard OTEL variables and reject bad values', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'cmd-eu', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(config.otel).toEqual({ endpoint: 'http://collector:4318', serviceName: 'cmd-eu', sampleRatio: 0.25 });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});
