import { spawn } from 'node:child_process';

/**
 * Opens `url` in the user's browser: $BROWSER when set (a command; `%s` stands for the URL, else the
 * URL is its last argument), else the desktop's opener. Failing to start one is not an error: the URL
 * is printed too, to open by hand.
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv): void {
  const configured = env['BROWSER']?.trim();
  let command: string[];
  if (configured) {
    const words = configured.split(/\s+/);
    command = words.some((word) => word.includes('%s'))
      ? words.map((word) => word.replaceAll('%s', url))
      : [...words, url];
  } else {
    command =
      process.platform === 'darwin'
        ? ['open', url]
        : process.platform === 'win32'
          ? ['explorer', url]
          : ['xdg-open', url];
  }
  const [program, ...args] = command as [string, ...string[]];
  const child = spawn(program, args, { stdio: 'ignore', env });
  child.on('error', () => {});
  // The browser outlives envid login if it likes; it is not waited for.
  child.unref();
}
