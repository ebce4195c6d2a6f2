// HTTP plumbing for the JSON API: errors with a status and a readable message, JSON replies, and a
// request body read with a size limit (checked against Content-Length before a byte is read, so an
// oversized upload is refused at once).

import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request field at fault, when there is one. */
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** { error: { status, message, field? } }; the connection closes after a refused upload. */
export function sendError(res: ServerResponse, error: HttpError, close = false): void {
  const body = {
    error: { status: error.status, message: error.message, ...(error.field ? { field: error.field } : {}) },
  };
  sendJson(res, error.status, body, close ? { ...error.headers, Connection: 'close' } : error.headers);
}

/** The JSON body of a request, at most maxBytes long. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new HttpError(415, `the body must be JSON (Content-Type: application/json), got "${type || 'none'}"`);
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw new HttpError(413, `the body has ${declared} bytes; the limit is ${maxBytes}`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) throw new HttpError(413, `the body is longer than the limit of ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}
