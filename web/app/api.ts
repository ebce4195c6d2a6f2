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
  limits: { maxTokens: number; maxBeam: number };
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
};
