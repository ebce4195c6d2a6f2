// Connections that send nothing, send their headers a byte at a time (slowloris), or stop reading
// their answer: each is closed within seconds, and while it lasts it cannot keep a real client out.
// At the connection cap a new client takes the place of the oldest connection that is between
// requests, instead of being turned away; connections with a request under way are never cut for it.
// Unreadable requests get a JSON error of the API's shape instead of Node's bare one.

import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';

import { SECURITY_HEADERS } from './security.js';

const TIMEOUTS = {
  /** A connection's request line and headers must arrive within this (a browser sends them at once). */
  headersMs: 5_000,
  /** The whole request, body included (the body limit is 16 KiB by default). */
  requestMs: 10_000,
  /** A connection that says nothing, before its first request or between two. */
  idleMs: 5_000,
  /** An answer the client stops reading (Node waits two such spans while a write is pending). */
  stalledMs: 10_000,
  /** How often Node looks for connections past headersMs or requestMs. */
  checkEveryMs: 1_000,
};

/**
 * Options for createServer: Node checks the header and request time limits every second (not every
 * 30), and leaves a request without Host to the server's Host check, which answers it in the API's shape.
 */
export const serverOptions = { connectionsCheckingInterval: TIMEOUTS.checkEveryMs, requireHostHeader: false };

export interface ConnectionGuardOptions {
  maxConnections: number;
  log?: (line: string) => void;
}

/** Applies the time limits and the connection cap to `server`. */
export function guardConnections(server: Server, options: ConnectionGuardOptions): void {
  server.headersTimeout = TIMEOUTS.headersMs;
  server.requestTimeout = TIMEOUTS.requestMs;
  server.keepAliveTimeout = TIMEOUTS.idleMs;
  // In insertion order: the first connection between requests is the one waiting longest.
  const requestsUnderWay = new Map<Socket, number>();

  server.on('connection', (socket: Socket) => {
    if (requestsUnderWay.size >= options.maxConnections) {
      const idle = oldestIdle(requestsUnderWay);
      if (idle === null) {
        socket.destroy();
        return;
      }
      requestsUnderWay.delete(idle);
      idle.destroy();
    }
    requestsUnderWay.set(socket, 0);
    socket.setTimeout(TIMEOUTS.idleMs);
    socket.once('close', () => requestsUnderWay.delete(socket));
  });

  // Before the server's own handler, which may answer (and arm the stall limit) at once.
  server.prependListener('request', (req, res) => {
    const socket = req.socket;
    if (!requestsUnderWay.has(socket)) return;
    requestsUnderWay.set(socket, requestsUnderWay.get(socket)! + 1);
    socket.setTimeout(0); // the model may take a while; the queue bounds how long
    res.once('close', () => {
      const active = requestsUnderWay.get(socket);
      if (active === undefined) return;
      // Back to the end of the line: the next one to give way is the one idle longest.
      requestsUnderWay.delete(socket);
      requestsUnderWay.set(socket, active - 1);
    });
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A bad chunk arrives with a request under way; an answer is still possible if none has begun.
    const answering = (requestsUnderWay.get(socket) ?? 0) > 0 && socket.bytesWritten > 0;
    // ECONNRESET and HPE_INVALID_EOF_STATE: the client left in the middle of its request.
    const gone = error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE';
    if (gone || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    const [status, message] = clientErrorReply(error.code);
    options.log?.(`${status} ${message} (${error.code ?? 'no code'})`);
    const body = JSON.stringify({ error: { status, message } });
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      Connection: 'close',
      ...SECURITY_HEADERS,
    };
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`, () => socket.destroy());
  });
}

function oldestIdle(requestsUnderWay: Map<Socket, number>): Socket | null {
  for (const [socket, active] of requestsUnderWay) if (active === 0) return socket;
  return null;
}

function clientErrorReply(code: string | undefined): [number, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'the request did not arrive in time'];
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'the request headers are too large'];
  return [400, 'the request is not valid HTTP/1.1'];
}

/** Once an answer is written, a client that stops reading it for a while is cut off. */
export function limitStalledAnswer(socket: Socket): void {
  if (!socket.destroyed) socket.setTimeout(TIMEOUTS.stalledMs);
}
