// The form of an encoder-only model: a text in; out, what its head says (the label distribution of a
// classifier, each word's labels for a tagger, the fillers of each <mask> for a masked-LM), the tokens,
// and the self-attention of every layer and head.

import { api, type ModelInfo, type Ranked } from './api.js';
import type { Shown } from './attention-view.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const HEADINGS = {
  'sequence-classification': ['Classify', 'Type a text to classify'],
  'token-classification': ['Tag', 'Type a sentence: each word gets a label'],
  'masked-lm': ['Fill the mask', 'Type a text with <mask> where a word is missing'],
} as const;

/** A table of classes or fillers, most probable first: name, a bar, the probability. */
function rankedTable(caption: string, rows: readonly Ranked[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'ranked panel';
  table.createCaption().textContent = caption;
  for (const { label, score } of rows) {
    const row = table.insertRow();
    row.insertCell().textContent = label;
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = 1;
    meter.value = score;
    row.insertCell().append(meter);
    row.insertCell().textContent = `${(score * 100).toFixed(1)}%`;
  }
  return table;
}

function setStatus(message: string, error = false): void {
  $('encode-status').textContent = message;
  $('encode-status').classList.toggle('error', error);
}

export function setUpEncoder(info: ModelInfo, show: (shown: Shown) => void): void {
  const head = info.model.config.head;
  const [heading, placeholder] = HEADINGS[head];
  $('encode-heading').textContent = heading;
  $<HTMLTextAreaElement>('encode-text').placeholder = placeholder;
  $('encode-section').hidden = false;
  $('encode-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });

  async function run(): Promise<void> {
    const button = $<HTMLButtonElement>('encode-button');
    button.disabled = true;
    setStatus('running…');
    try {
      const e = await api.encode($<HTMLTextAreaElement>('encode-text').value);
      const tables: HTMLTableElement[] = [];
      if (e.labels) tables.push(rankedTable('label distribution', e.labels));
      for (const tag of e.tags ?? []) tables.push(rankedTable(tag.word, tag.labels));
      (e.masks ?? []).forEach((mask, m) =>
        tables.push(
          rankedTable(
            `<mask> ${m + 1}`,
            mask.candidates.map((c) => ({ label: c.token_str, score: c.score })),
          ),
        ),
      );
      $('encode-tables').replaceChildren(...tables);
      $('encode-caption').textContent =
        head === 'sequence-classification'
          ? 'The probability of every label (the head reads the first position, <s>).'
          : head === 'token-classification'
            ? "Each word's most probable labels (read from its first piece)."
            : 'The most probable fillers of each <mask>.';
      $('encode-tokens').textContent = e.tokens.tokens.join(' ');
      $('encode-result').hidden = false;
      setStatus(`${e.tokens.ids.length} tokens, ${e.milliseconds} ms on the server`);
      show({
        attention: e.attention ?? [],
        axes: () => ({
          rows: e.tokens.tokens,
          cols: e.tokens.tokens,
          rowAxisLabel: 'token (query)',
          colAxisLabel: 'token (key)',
        }),
      });
    } catch (error) {
      setStatus((error as Error).message, true);
    } finally {
      button.disabled = false;
    }
  }
}
