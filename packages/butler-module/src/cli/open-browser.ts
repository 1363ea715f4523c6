import { spawn } from 'node:child_process';

/**
 * Opens `url` in the person's browser with the desktop's opener (`open` on macOS, `xdg-open`
 * elsewhere), detached; any failure (no opener, no display) is ignored: the URL is printed too.
 *
 * @example
 * ```ts
 * openBrowser('https://accounts.google.com/o/oauth2/v2/auth?...');
 * ```
 */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const opener = platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // The printed URL is the way in; a browser is a convenience.
  }
}
