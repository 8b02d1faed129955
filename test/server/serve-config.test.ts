import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveServeConfig } from '../../src/server/config.ts';

describe('envid serve --trust-proxy (ENVID_TRUST_PROXY)', () => {
  it('trusts no proxy unless told', () => {
    expect(resolveServeConfig({}, {}).trustProxy).toBeUndefined();
    expect(resolveServeConfig({}, { ENVID_TRUST_PROXY: '' }).trustProxy).toBeUndefined();
  });

  it('takes addresses, CIDR ranges and named ranges, comma-separated; the flag wins', () => {
    expect(
      resolveServeConfig({ trustProxy: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8 ,loopback' }, {}).trustProxy,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    expect(resolveServeConfig({}, { ENVID_TRUST_PROXY: '192.168.1.2' }).trustProxy).toEqual(['192.168.1.2']);
    expect(
      resolveServeConfig({ trustProxy: '10.1.1.1' }, { ENVID_TRUST_PROXY: '192.168.1.2' }).trustProxy,
    ).toEqual(['10.1.1.1']);
  });

  it('refuses anything else, naming the flag, its variable and the entry', () => {
    for (const [value, entry] of [
      ['proxy.example.com', 'proxy.example.com'],
      ['127.0.0.1,10.0.0.0/33', '10.0.0.0/33'],
      ['::1/129', '::1/129'],
      ['10.0.0.0/8/8', '10.0.0.0/8/8'],
      ['1.2.3', '1.2.3'],
      ['10.0.0.0/x', '10.0.0.0/x'],
      [' , ', ' , '],
    ]) {
      const refusal = () => resolveServeConfig({ trustProxy: value }, {});
      expect(refusal).toThrow(ConfigError);
      expect(refusal).toThrow(`--trust-proxy (ENVID_TRUST_PROXY): "${entry}" is not an IP address`);
    }
  });
});

describe('envid serve --database-connect-timeout and --database-query-timeout', () => {
  it('default to 2 and 5 seconds and take fractions from flags or variables', () => {
    expect(resolveServeConfig({}, {})).toMatchObject({ databaseConnectTimeout: 2, databaseQueryTimeout: 5 });
    expect(
      resolveServeConfig(
        { databaseQueryTimeout: '0.5' },
        { ENVID_DATABASE_CONNECT_TIMEOUT: '1.5', ENVID_DATABASE_QUERY_TIMEOUT: '30' },
      ),
    ).toMatchObject({ databaseConnectTimeout: 1.5, databaseQueryTimeout: 0.5 });
  });

  it('refuses what is not a number of seconds in range, naming the flag and its variable', () => {
    expect(() => resolveServeConfig({ databaseConnectTimeout: 'soon' }, {})).toThrow(
      '--database-connect-timeout (ENVID_DATABASE_CONNECT_TIMEOUT): must be a number of seconds',
    );
    expect(() => resolveServeConfig({}, { ENVID_DATABASE_QUERY_TIMEOUT: '0' })).toThrow(
      '--database-query-timeout (ENVID_DATABASE_QUERY_TIMEOUT): must be between 0.1 and 3600',
    );
    expect(() => resolveServeConfig({ databaseConnectTimeout: '61' }, {})).toThrow(
      'must be between 0.1 and 60',
    );
  });
});

describe('envid serve connection limits', () => {
  it('default to seconds that cut slow clients, and a connection cap', () => {
    const config = resolveServeConfig({}, {});
    expect([config.headersTimeout, config.requestTimeout, config.keepAliveTimeout]).toEqual([10, 30, 72]);
    expect(config.maxConnections).toBe(1000);
  });

  it('take flags or variables, in seconds with fractions; the flag wins', () => {
    const config = resolveServeConfig(
      { headersTimeout: '0.5', maxConnections: '20' },
      { ENVID_HEADERS_TIMEOUT: '7', ENVID_REQUEST_TIMEOUT: '2.5', ENVID_KEEP_ALIVE_TIMEOUT: '65' },
    );
    expect([config.headersTimeout, config.requestTimeout, config.keepAliveTimeout]).toEqual([0.5, 2.5, 65]);
    expect(config.maxConnections).toBe(20);
  });

  it('refuse what would turn a limit off or make no sense, naming the flag and its variable', () => {
    for (const [flags, message] of [
      [{ headersTimeout: '0' }, '--headers-timeout (ENVID_HEADERS_TIMEOUT): must be between 0.1 and 600'],
      [{ requestTimeout: 'soon' }, '--request-timeout (ENVID_REQUEST_TIMEOUT): must be a number of seconds'],
      [
        { keepAliveTimeout: '7200' },
        '--keep-alive-timeout (ENVID_KEEP_ALIVE_TIMEOUT): must be between 0.1 and 3600',
      ],
      [{ maxConnections: '0' }, '--max-connections (ENVID_MAX_CONNECTIONS): must be between 1 and 1000000'],
      [{ maxConnections: '2.5' }, '--max-connections (ENVID_MAX_CONNECTIONS): must be an integer'],
      [
        { headersTimeout: '40' },
        '--headers-timeout (ENVID_HEADERS_TIMEOUT): must be at most the request timeout, 30 s (--request-timeout, ENVID_REQUEST_TIMEOUT)',
      ],
    ] as const) {
      expect(() => resolveServeConfig(flags, {})).toThrow(new ConfigError(message));
    }
  });
});

describe('envid serve rate limits', () => {
  it('default to 100 ID tokens per principal in 10 s and 100 failed authentications per address in 60 s', () => {
    const config = resolveServeConfig({}, {});
    expect(config.tokenRateLimit).toEqual({ count: 100, seconds: 10 });
    expect(config.authFailureLimit).toEqual({ count: 100, seconds: 60 });
    expect(config.ssoStartLimit).toEqual({ count: 60, seconds: 60 });
  });

  it('take <count>/<seconds>s or off from a flag or variable; the flag wins', () => {
    expect(resolveServeConfig({ tokenRateLimit: '5/1s' }, {}).tokenRateLimit).toEqual({
      count: 5,
      seconds: 1,
    });
    expect(resolveServeConfig({}, { ENVID_TOKEN_RATE_LIMIT: 'off' }).tokenRateLimit).toBe('off');
    expect(
      resolveServeConfig({ authFailureLimit: '20/300s' }, { ENVID_AUTH_FAILURE_LIMIT: 'off' })
        .authFailureLimit,
    ).toEqual({ count: 20, seconds: 300 });
    expect(resolveServeConfig({}, { ENVID_SSO_START_LIMIT: '10/30s' }).ssoStartLimit).toEqual({
      count: 10,
      seconds: 30,
    });
    expect(
      resolveServeConfig({ ssoStartLimit: 'off' }, { ENVID_SSO_START_LIMIT: '10/30s' }).ssoStartLimit,
    ).toBe('off');
  });

  it('refuse anything else, naming the flag, its variable, the value and the form', () => {
    for (const value of ['100', '100/10', '0/10s', '10/0s', '10/86401s', '-1/10s', 'none', '1e3/10s']) {
      expect(() => resolveServeConfig({ tokenRateLimit: value }, {})).toThrow(
        new ConfigError(
          `--token-rate-limit (ENVID_TOKEN_RATE_LIMIT): "${value}" is not <count>/<seconds>s (a count of 1 or more in 1-86400 s, e.g. 100/10s) or off`,
        ),
      );
    }
    expect(() => resolveServeConfig({}, { ENVID_AUTH_FAILURE_LIMIT: '5 per minute' })).toThrow(
      '--auth-failure-limit (ENVID_AUTH_FAILURE_LIMIT): "5 per minute" is not <count>/<seconds>s',
    );
  });
});

describe('the audit retention', () => {
  it('keeps everything unless told; takes whole days from a flag or variable, or off', () => {
    expect(resolveServeConfig({}, {}).auditRetentionDays).toBeUndefined();
    expect(resolveServeConfig({}, { ENVID_AUDIT_RETENTION_DAYS: '400' }).auditRetentionDays).toBe(400);
    expect(
      resolveServeConfig({ auditRetentionDays: 'off' }, { ENVID_AUDIT_RETENTION_DAYS: '400' })
        .auditRetentionDays,
    ).toBeUndefined();
  });

  it('refuses anything else, naming the flag, its variable and the form', () => {
    for (const value of ['0', '-1', '1.5', '36501', 'forever', '30d']) {
      expect(() => resolveServeConfig({ auditRetentionDays: value }, {})).toThrow(
        new ConfigError(
          '--audit-retention-days (ENVID_AUDIT_RETENTION_DAYS): must be a whole number of days from 1 to 36500, or off',
        ),
      );
    }
  });
});

describe('envid serve --metrics-listen and --metrics-token-file', () => {
  it('are off unless set', () => {
    const config = resolveServeConfig({}, {});
    expect(config.metricsListen).toBeUndefined();
    expect(config.metricsTokenFile).toBeUndefined();
  });

  it('take host:port (IPv6 in brackets, port 0 for a free one) from the flag or the variable', () => {
    expect(resolveServeConfig({ metricsListen: '127.0.0.1:9464' }, {}).metricsListen).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
    expect(resolveServeConfig({}, { ENVID_METRICS_LISTEN: '[::1]:0' }).metricsListen).toEqual({
      host: '::1',
      port: 0,
    });
    expect(resolveServeConfig({}, { ENVID_METRICS_LISTEN: 'metrics.internal:9464' }).metricsListen).toEqual({
      host: 'metrics.internal',
      port: 9464,
    });
  });

  it('refuses what is not host:port, naming the flag and its variable', () => {
    for (const value of ['9464', '127.0.0.1', '127.0.0.1:65536', '::1:9464', 'host:port', ':9464', 'a b:1']) {
      expect(() => resolveServeConfig({ metricsListen: value }, {}), value).toThrow(
        `--metrics-listen (ENVID_METRICS_LISTEN): "${value}" is not <host>:<port>`,
      );
    }
  });

  it('resolve the token file against the working directory', () => {
    expect(resolveServeConfig({ metricsTokenFile: 'metrics-token' }, {}).metricsTokenFile).toBe(
      `${process.cwd()}/metrics-token`,
    );
  });
});

describe('envid serve --workers (ENVID_WORKERS)', () => {
  const postgres = { ENVID_DATABASE_URL: 'postgres://envid@db/envid' };

  it('defaults to 1, takes 1 to 64, and auto is one per core', () => {
    expect(resolveServeConfig({}, {}).workers).toBe(1);
    expect(resolveServeConfig({ workers: '3' }, postgres).workers).toBe(3);
    expect(resolveServeConfig({}, { ...postgres, ENVID_WORKERS: '64' }).workers).toBe(64);
    expect(resolveServeConfig({ workers: 'auto' }, postgres).workers).toBe(availableParallelism());
  });

  it('refuses more than 1 on the embedded database, and 1 is fine there', () => {
    expect(resolveServeConfig({ workers: '1' }, {}).workers).toBe(1);
    expect(() => resolveServeConfig({ workers: '2' }, {})).toThrow(
      '--workers (ENVID_WORKERS): 2 workers need PostgreSQL (--database-url, ENVID_DATABASE_URL)',
    );
  });
});
