// Requests written byte by byte on a socket, for what fetch and http.request will not send: wrong Host
// headers, broken request lines and chunks, uploads cut short, clients that never finish.

import { connect, type Socket } from 'node:net';

export interface RawReply {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

export function parseReply(text: string): RawReply {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 80))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/** Connects to 127.0.0.1:port and resolves once connected. */
export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `text`, and resolves with everything the server sent once it closes the connection. */
export async function exchange(port: number, text: string): Promise<RawReply> {
  const socket = await open(port);
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseReply(received));
      } catch (error) {
        reject(error);
      }
    });
    socket.write(text);
  });
}

/** A complete request that asks the server to close the connection after answering. */
export function request(method: string, path: string, host: string | null, extra = ''): string {
  return `${method} ${path} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n${extra}\r\n`;
}
