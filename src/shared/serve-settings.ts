// Pure data, without zod: the CLI's entry point imports it to register `serve`'s flags.
/** Every server setting: its flag, its environment variable and its default. */
export const serveSettings = [
  {
    key: 'port',
    flag: '--port',
    value: 'port',
    env: 'ENVID_PORT',
    description: 'TCP port; 0 picks a free one [8080]',
  },
  {
    key: 'host',
    flag: '--host',
    value: 'address',
    env: 'ENVID_LISTEN_HOST',
    description: 'address to listen on [127.0.0.1]',
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    value: 'path',
    env: 'ENVID_DATA_DIR',
    description: 'data directory (embedded database, key file, bootstrap token) [./.envid]',
  },
  {
    key: 'databaseUrl',
    flag: '--database-url',
    value: 'url',
    env: 'ENVID_DATABASE_URL',
    description: 'PostgreSQL URL; the embedded database is used when absent',
  },
  {
    key: 'databaseConnectTimeout',
    flag: '--database-connect-timeout',
    value: 'seconds',
    env: 'ENVID_DATABASE_CONNECT_TIMEOUT',
    description: 'PostgreSQL: how long opening (or waiting for) a connection may take [2]',
  },
  {
    key: 'databaseQueryTimeout',
    flag: '--database-query-timeout',
    value: 'seconds',
    env: 'ENVID_DATABASE_QUERY_TIMEOUT',
    description: 'PostgreSQL: how long one statement may take before it is cancelled [5]',
  },
  {
    key: 'issuer',
    flag: '--issuer',
    value: 'url',
    env: 'ENVID_ISSUER',
    description: 'issuer URL, exactly as relying parties see it (https in production) [http://<host>:<port>]',
  },
  {
    key: 'keyBits',
    flag: '--key-bits',
    value: 'bits',
    env: 'ENVID_KEY_BITS',
    description: 'RSA modulus size of new signing keys, 2048 or more [2048]',
  },
  {
    key: 'keyRotationDays',
    flag: '--key-rotation-days',
    value: 'days',
    env: 'ENVID_KEY_ROTATION_DAYS',
    description: 'how long a signing key signs before the next takes over [30]',
  },
  {
    key: 'auditRetentionDays',
    flag: '--audit-retention-days',
    value: 'days',
    env: 'ENVID_AUDIT_RETENTION_DAYS',
    description: 'keep each month of the audit log until this many days after it ends, or off [off]',
  },
  {
    key: 'workers',
    flag: '--workers',
    value: 'count',
    env: 'ENVID_WORKERS',
    description:
      'server processes sharing the port (1-64, or auto: one per core); more than 1 needs PostgreSQL [1]',
  },
  {
    key: 'trustProxy',
    flag: '--trust-proxy',
    value: 'addresses',
    env: 'ENVID_TRUST_PROXY',
    description:
      'reverse proxies whose X-Forwarded-For names the client: IP addresses or CIDR ranges, comma-separated, or loopback [none]',
  },
  // TLS (docs/decisions/0197): both or neither; reloaded on SIGHUP and when either file changes.
  {
    key: 'tlsCert',
    flag: '--tls-cert',
    value: 'file',
    env: 'ENVID_TLS_CERT',
    description: 'PEM certificate chain: serve HTTPS (with --tls-key); reloaded on SIGHUP or change [none]',
  },
  {
    key: 'tlsKey',
    flag: '--tls-key',
    value: 'file',
    env: 'ENVID_TLS_KEY',
    description: 'PEM private key of --tls-cert; reloaded with it [none]',
  },
  // Connection and request limits (docs/decisions/0040, 0041).
  {
    key: 'headersTimeout',
    flag: '--headers-timeout',
    value: 'seconds',
    env: 'ENVID_HEADERS_TIMEOUT',
    description: 'a request head must arrive within this after the connection opens; 408 after [10]',
  },
  {
    key: 'requestTimeout',
    flag: '--request-timeout',
    value: 'seconds',
    env: 'ENVID_REQUEST_TIMEOUT',
    description: 'a whole request, body included, must arrive within this; 408 after [30]',
  },
  {
    key: 'keepAliveTimeout',
    flag: '--keep-alive-timeout',
    value: 'seconds',
    env: 'ENVID_KEEP_ALIVE_TIMEOUT',
    description: "an idle connection is closed after this; keep it above a load balancer's idle timeout [72]",
  },
  {
    key: 'maxConnections',
    flag: '--max-connections',
    value: 'count',
    env: 'ENVID_MAX_CONNECTIONS',
    description: 'connections held at once; more are closed as they arrive [1000]',
  },
  {
    key: 'tokenRateLimit',
    flag: '--token-rate-limit',
    value: 'count/seconds',
    env: 'ENVID_TOKEN_RATE_LIMIT',
    description: 'ID token requests per principal, e.g. 100/10s, or off; more get 429 [100/10s]',
  },
  {
    key: 'authFailureLimit',
    flag: '--auth-failure-limit',
    value: 'count/seconds',
    env: 'ENVID_AUTH_FAILURE_LIMIT',
    description: 'failed authentications per client address (IPv6: per /64), or off; then 429 [100/60s]',
  },
  // Metrics (docs/observability.md): neither set, no /metrics anywhere.
  {
    key: 'metricsListen',
    flag: '--metrics-listen',
    value: 'host:port',
    env: 'ENVID_METRICS_LISTEN',
    description: 'serve Prometheus metrics at /metrics on a listener of their own, e.g. 127.0.0.1:9464 [off]',
  },
  {
    key: 'metricsTokenFile',
    flag: '--metrics-token-file',
    value: 'path',
    env: 'ENVID_METRICS_TOKEN_FILE',
    description:
      'serve /metrics on the main port too, to a scraper sending "Authorization: Bearer <the file\'s contents>" [off]',
  },
  {
    key: 'ssoStartLimit',
    flag: '--sso-start-limit',
    value: 'count/seconds',
    env: 'ENVID_SSO_START_LIMIT',
    description:
      'browser sign-ins started (/sso/start) per client address (IPv6: per /64), or off; then 429 [60/60s]',
  },
  {
    key: 'ssoCliRateLimit',
    flag: '--sso-cli-rate-limit',
    value: 'count/seconds',
    env: 'ENVID_SSO_CLI_RATE_LIMIT',
    description:
      'POST /sso/device and /sso/cli/token requests per client address (IPv6: per /64), or off [60/60s]',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    value: 'level',
    env: 'ENVID_LOG_LEVEL',
    description: 'fatal, error, warn, info, debug or trace [info]',
  },
] as const;

export type ServeFlags = Partial<Record<(typeof serveSettings)[number]['key'], string>>;
