// The form of a decoder-only model: a prompt in, its continuation streamed as it is generated (greedy,
// or sampled with temperature, top-k, top-p and a seed), then the tokens and the causal self-attention
// of every layer and head over the prompt and the continuation.

import { api, type GenerateSettings, type ModelInfo } from './api.js';
import type { Shown } from './attention-view.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const number = (id: string) => Number($<HTMLInputElement>(id).value);
const SAMPLING = ['temperature', 'top-k', 'top-p', 'seed'];

function setStatus(message: string, error = false): void {
  $('generate-status').textContent = message;
  $('generate-status').classList.toggle('error', error);
}

const ENDINGS = {
  eos: 'ended by the end-of-sequence token',
  length: 'stopped at the length limit',
  stopped: 'stopped',
};

export function setUpGenerator(info: ModelInfo, show: (shown: Shown) => void): void {
  const sampling = () => $<HTMLSelectElement>('generate-mode').value === 'sample';
  const enable = () => SAMPLING.forEach((id) => ($<HTMLInputElement>(id).disabled = !sampling()));
  $('generate-mode').addEventListener('change', enable);
  enable();
  const length = $<HTMLInputElement>('max-new-tokens');
  length.max = String(info.limits.maxNewTokens);
  length.value = String(Math.min(50, info.limits.maxNewTokens));
  $('generate-section').hidden = false;
  $('generate-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });

  async function run(): Promise<void> {
    const prompt = $<HTMLTextAreaElement>('prompt-text').value;
    const settings: GenerateSettings = { prompt, maxNewTokens: number('max-new-tokens') };
    if (sampling())
      Object.assign(settings, {
        sample: true,
        temperature: number('temperature'),
        topK: number('top-k'),
        topP: number('top-p'),
        seed: number('seed'),
      });
    const button = $<HTMLButtonElement>('generate-button');
    button.disabled = true;
    setStatus('generating…');
    $('generation-prompt').textContent = prompt;
    $('generation-text').textContent = '';
    $('generation-tokens').textContent = '';
    $('generate-result').hidden = false;
    try {
      const g = await api.generate(settings, (text) => ($('generation-text').textContent = text));
      $('generation-text').textContent = g.text;
      $('generation-tokens').textContent = `${g.prompt.tokens.join(' ')} | ${g.continuation.tokens.join(' ')}`;
      setStatus(
        `${sampling() ? 'sampled' : 'greedy'}, ${g.continuation.ids.length} tokens, ${ENDINGS[g.ended]}, ` +
          `${g.milliseconds} ms on the server`,
      );
      show({
        attention: g.attention ?? [],
        axes: () => ({
          rows: g.read.tokens,
          cols: g.read.tokens,
          rowAxisLabel: 'token read (query)',
          colAxisLabel: 'earlier token (key)',
        }),
      });
    } catch (error) {
      setStatus((error as Error).message, true);
    } finally {
      button.disabled = false;
    }
  }
}
