// The page's calls to the server's JSON API; an error reply becomes an Error with the server's message.

export interface AttentionMap {
  name: string;
  kind: 'encoder' | 'decoder' | 'cross';
  layer: number;
  shape: [number, number, number];
  weights: number[];
}

export interface Translation {
  translation: string;
  source: { ids: number[]; tokens: string[] };
  target: { ids: number[]; tokens: string[] };
  score: number;
  beam: number;
  milliseconds: number;
  attention?: AttentionMap[];
}

export interface ModelInfo {
  model: {
    folder: string;
    parameters: number;
    config: {
      kind: 'encoder-decoder' | 'encoder-only' | 'decoder-only';
      head: 'masked-lm' | 'sequence-classification' | 'token-classification';
      numLabels: number;
      encoderLayers: number;
      decoderLayers: number;
      dModel: number;
      h: number;
      dFF: number;
      maxLength: number;
      positionalEncoding: string;
    };
  };
  backend: { name: string; threads: number | null };
  run: { folder: string } | null;
  limits: { maxTokens: number; maxBeam: number; maxNewTokens: number };
}

export interface PositionalEncoding {
  kind: string;
  length: number;
  dModel: number;
  values: number[];
}

export interface RunMetrics {
  folder: string;
  steps: { step: number; loss: number; lr: number }[];
  validations: { step: number; loss: number; bleu: number | null }[];
}

export interface Ranked {
  label: string;
  score: number;
}

/** /api/encode's reply: one of labels, tags or masks, as the model's head gives. */
export interface Encoded {
  head: ModelInfo['model']['config']['head'];
  tokens: { ids: number[]; tokens: string[] };
  labels?: Ranked[];
  tags?: { word: string; position: number; labels: Ranked[] }[];
  masks?: { position: number; candidates: { token_str: string; score: number; sequence: string }[] }[];
  milliseconds: number;
  attention?: AttentionMap[];
}

export interface GenerateSettings {
  prompt: string;
  maxNewTokens: number;
  sample?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

/** /api/generate's reply (the `done` event of a stream). */
export interface Generated {
  text: string;
  prompt: { ids: number[]; tokens: string[] };
  continuation: { ids: number[]; tokens: string[] };
  read: { ids: number[]; tokens: string[] };
  ended: 'eos' | 'length' | 'stopped';
  logprob: number | null;
  milliseconds: number;
  attention?: AttentionMap[];
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body?.error?.message ?? `${response.status} ${response.statusText}`;
    throw new Error(message);
  }
  return body as T;
}

export const api = {
  info: () => call<ModelInfo>('/api/info'),
  translate: (text: string, beam: number) =>
    call<Translation>('/api/translate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text, beam, attention: true }),
    }),
  positionalEncoding: (length: number) => call<PositionalEncoding>(`/api/positional-encoding?length=${length}`),
  metrics: () => call<RunMetrics>('/api/metrics'),
  encode: (text: string) =>
    call<Encoded>('/api/encode', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text, attention: true }),
    }),
  generate: streamGeneration,
};

/** POST /api/generate as server-sent events: onText gets the continuation so far after every step. */
async function streamGeneration(settings: GenerateSettings, onText: (text: string) => void): Promise<Generated> {
  const response = await fetch('/api/generate', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...settings, attention: true, stream: true }),
  });
  if (!response.ok || response.body === null) {
    const body = await response.json().catch(() => null);
    throw new Error(body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error('the server ended the stream before the generation was done');
    buffered += value;
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      if (event === 'token') onText(data.text);
      else if (event === 'error') throw new Error(data.error.message);
      else if (event === 'done') {
        await reader.cancel();
        return data as Generated;
      }
    }
  }
}
