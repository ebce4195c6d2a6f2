// A text streamer in transformers.js's shape: give it to a pipeline call as `streamer` and it calls back
// with the text as whole words are formed (the same rule as decode/async.ts's streamText).

import type { Streamer } from './run.js';
import type { TextCodec } from './source.js';

/** Where a TextStreamer sends its text. */
export interface TextStreamerOptions {
  /** Gets each piece of text; the pieces joined are the decoded output. Standard output by default. */
  callback_function?: (text: string) => void;
}

/** Decodes the tokens a pipeline streams and hands on the text up to the last whitespace, then the rest at the end. */
export class TextStreamer implements Streamer {
  private tokens: number[] = [];
  private given = '';
  private readonly callback: (text: string) => void;

  constructor(
    readonly tokenizer: Pick<TextCodec, 'decode'>,
    options: TextStreamerOptions = {},
  ) {
    // Like transformers.js: the text goes to standard output as it comes (the console in a browser).
    const stdout = (globalThis as { process?: { stdout?: { write(text: string): unknown } } }).process?.stdout;
    this.callback =
      options.callback_function ?? (stdout ? (text) => void stdout.write(text) : (text) => console.log(text));
  }

  /** Takes the new tokens and hands on the text completed up to the last whitespace. */
  put(ids: number[][]): void {
    this.tokens.push(...ids.flat());
    const text = this.tokenizer.decode(this.tokens);
    const end = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\n')) + 1;
    if (end > this.given.length && text.startsWith(this.given) && !text.slice(0, end).includes('\uFFFD'))
      this.emit(text.slice(this.given.length, end));
  }

  /** Hands on the rest of the text and starts afresh. */
  end(): void {
    const text = this.tokenizer.decode(this.tokens);
    if (text.length > this.given.length) this.emit(text.slice(this.given.length));
    this.tokens = [];
    this.given = '';
  }

  private emit(piece: string): void {
    this.given += piece;
    this.callback(piece);
  }
}
