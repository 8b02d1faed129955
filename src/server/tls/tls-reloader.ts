import { type FSWatcher, watch } from 'node:fs';
import type { Server } from 'node:https';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { loadTlsPair, type TlsFiles, type TlsPair } from './load-tls-pair.ts';

/** Changes arrive in bursts (a cert and a key written one after the other, a symlink swapped). */
const debounceMs = 200;

/**
 * Keeps an HTTPS server's certificate current: on SIGHUP and whenever a file in the directories holding
 * the certificate or the key changes, reads the pair again and, when it differs and is valid, gives it to
 * the server for new connections. A pair that does not load is logged and the one in use is kept.
 * The directories are watched, not the files: tools (certbot, cert-manager, Kubernetes secrets) replace
 * files by renaming or swapping a symlink, and a watch on the old file would see nothing after that.
 */
export class TlsReloader {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onSighup = () => this.reload('SIGHUP');

  constructor(
    private readonly server: Server,
    private readonly files: TlsFiles,
    private current: TlsPair,
    private readonly logger: Logger,
  ) {}

  start(): void {
    process.on('SIGHUP', this.onSighup);
    const names = new Set([basename(this.files.certFile), basename(this.files.keyFile)]);
    for (const dir of new Set([dirname(this.files.certFile), dirname(this.files.keyFile)])) {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        // Kubernetes swaps a `..data` symlink; other names in the directory are not ours.
        if (name === null || names.has(name) || name.startsWith('..')) this.schedule();
      });
      watcher.on('error', (error) => this.logger.warn({ dir, reason: error.message }, 'tls: cannot watch'));
      this.watchers.push(watcher);
    }
  }

  stop(): void {
    process.off('SIGHUP', this.onSighup);
    clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload('file change'), debounceMs);
    this.timer.unref();
  }

  private reload(trigger: string): void {
    let next: TlsPair;
    try {
      next = loadTlsPair(this.files);
    } catch (error) {
      this.logger.error(
        { trigger, reason: (error as Error).message },
        'tls: new certificate refused; keeping the one in use',
      );
      return;
    }
    if (next.cert.equals(this.current.cert) && next.key.equals(this.current.key)) {
      // A signal deserves an answer; a file event for a file that did not change does not.
      if (trigger === 'SIGHUP') this.logger.info({ trigger }, 'tls: certificate unchanged');
      return;
    }
    this.server.setSecureContext({ cert: next.cert, key: next.key });
    this.current = next;
    this.logger.info({ trigger, certFile: this.files.certFile }, 'tls: certificate reloaded');
  }
}
