// Download progress for the terminal: a redrawn bar on a TTY, plain lines otherwise (logs, CI).

import type { DownloadEvent } from '../data/download.js';

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): (event: DownloadEvent) => void {
  let lastDraw = 0;
  return (event) => {
    const name = event.url.slice(event.url.lastIndexOf('/') + 1);
    if (event.type === 'start') {
      const size = event.total === null ? '' : ` (${mb(event.total)} MB)`;
      if (!stream.isTTY) stream.write(`downloading ${event.url}${size}\n`);
    } else if (event.type === 'progress' && stream.isTTY) {
      const now = performance.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      if (event.total === null) {
        stream.write(`\r${name}  ${mb(event.received)} MB`);
      } else {
        const fraction = Math.min(1, event.received / event.total);
        const width = 30;
        const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '-');
        stream.write(
          `\r${name}  [${bar}] ${(100 * fraction).toFixed(0).padStart(3)}%  ${mb(event.received)}/${mb(event.total)} MB`,
        );
      }
    } else if (event.type === 'done') {
      if (stream.isTTY) stream.write(`\r\x1b[K${name}  ${mb(event.received)} MB downloaded\n`);
      else stream.write(`downloaded ${event.url} (${mb(event.received)} MB)\n`);
    }
  };
}
