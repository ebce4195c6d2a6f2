// The help of the commands that have sub-commands (bench, tokenizer, data, plot), and the shapes and
// helpers every help entry uses; help-commands.ts has the rest.

export interface FlagHelp {
  name: string;
  short?: string;
  /** The value's placeholder ("DIR", "N"); none for a switch. */
  value?: string;
  about: string;
  default?: string;
}

export interface CommandHelp {
  /** Usage lines after "transformer <command>". */
  usage: string[];
  about: string;
  flags?: FlagHelp[];
  notes?: string[];
  sub?: Record<string, CommandHelp>;
}

export const flag = (name: string, value: string | undefined, about: string, byDefault?: string): FlagHelp => ({
  name,
  value,
  about,
  default: byDefault,
});

export const JSON_FLAG = flag('json', undefined, 'also print the result as one JSON object, on the last line');
export const THREADS = flag('threads', 'T', 'native threads', 'all cores, or TRANSFORMER_THREADS');
const BENCH_THREADS = flag('threads', 'T', 'threads of the native or wasm kernels', 'all cores');
const backendFlag = (byDefault: string) =>
  flag('backend', 'B', 'kernels to measure: js, native or wasm (npm run build:wasm)', byDefault);
export const MODEL = flag('model', 'DIR', 'a model folder (config.json, model.safetensors, tokenizer.json)');
export const PRECISION = flag(
  'precision',
  'P',
  'float32, or bf16: matrix products on bfloat16 operands with float32 sums',
  'float32',
);
export const QUANTIZE = flag(
  'quantize',
  'Q',
  'none, or int8: linear layers and embeddings quantized per row to int8 at load (docs/int8.md)',
  'none',
);

export const bench: Record<string, CommandHelp> = {
  gemm: {
    usage: ['[--size N] [--threads T] [--backend B] [--precision float32|bf16] [--json]'],
    about: "GFLOP/s of a backend's matrix product on an N x N x N problem (median of repeats).",
    flags: [flag('size', 'N', 'matrix size', '1024'), BENCH_THREADS, backendFlag('native'), PRECISION, JSON_FLAG],
  },
  train: {
    usage: [
      '[--preset P] [--batch-size B] [--src-len S] [--tgt-len T] [--steps N] [--warmup W] [--backend B] [--precision float32|bf16] [--json]',
    ],
    about: "Training throughput of the paper's encoder-decoder on random tokens (target tokens per second).",
    flags: [
      flag('preset', 'P', 'model size: small, base, big or tiny', 'small'),
      flag('batch-size', 'B', 'sentences per batch', '64'),
      flag('src-len', 'S', 'source tokens per sentence', '24'),
      flag('tgt-len', 'T', 'target tokens per sentence', '24'),
      flag('steps', 'N', 'timed updates', '5'),
      flag('warmup', 'W', 'untimed updates first', '2'),
      flag('vocab-size', 'V', 'vocabulary', '37000 for base and big, 8000 for small, 13 for tiny'),
      BENCH_THREADS,
      backendFlag('the active backend'),
      PRECISION,
      JSON_FLAG,
    ],
  },
  decode: {
    usage: [
      '[--preset P] [--batch-size B] [--src-len S] [--tokens T] [--repeats N] [--quantize none|int8] [--json]',
      '--vs onnxruntime [--folder DIR] [--source FILE] [--sentences N] [--batch-size 1,16] [--threads 1,2] [--rounds R] [--json]',
    ],
    about:
      'Greedy decoding throughput on the key/value cache, random weights, the encoder included; with --vs onnxruntime, ' +
      'translation of newstest2014 by a Marian folder here and in onnxruntime-node (its ONNX export), side by side.',
    flags: [
      flag('preset', 'P', 'model size: small, base, big or tiny', 'small'),
      flag('batch-size', 'B', 'sentences decoded together (with --vs: a list)', '1'),
      flag('src-len', 'S', 'source tokens per sentence', '24'),
      flag('tokens', 'T', 'target tokens generated per sentence (no stop at EOS)', '24'),
      flag('vocab-size', 'V', 'vocabulary', '8000'),
      flag('repeats', 'N', 'timed runs (the median is reported)', '5'),
      THREADS,
      QUANTIZE,
      JSON_FLAG,
      flag('vs', 'onnxruntime', 'compare with onnxruntime-node (a development dependency)'),
      flag(
        'folder',
        'DIR',
        'with --vs: the Marian folder, its export in DIR/onnx (scripts/export_marian_onnx.py)',
        'TMP/marian-base',
      ),
      flag('source', 'FILE', 'with --vs: the source sentences', 'newstest2014-full.en of ../shared/data'),
      flag('sentences', 'N', 'with --vs: how many of the first sentences', '100'),
      flag('rounds', 'R', 'with --vs: alternating rounds (medians are reported)', '3'),
      flag('side', 'NAME', 'with --vs: run one side only (ours, onnxruntime, parity), as the rounds do'),
      flag('ids', 'FILE', 'with --side: the source ids'),
      flag('out', 'FILE', 'with --side: where its outputs go'),
    ],
  },
  attention: {
    usage: ['[--kind K[,K...]] [--seq N[,N...]] [--set KEY=VALUE]... [--json] [--out FILE.svg|FILE.png]'],
    about: 'Time and peak memory of attention mechanisms, forward and backward, as the length N grows.',
    flags: [
      flag('kind', 'K[,K...]', 'mechanisms to measure (repeatable): full, local, strided, linformer, ...', 'full'),
      flag('seq', 'N[,N...]', 'sequence lengths', '256,1024,4096,16384'),
      flag('heads', 'H', 'heads', '4'),
      flag('head-dim', 'D', 'dimension per head', '64'),
      flag('batch', 'B', 'batch size', '1'),
      flag('causal', undefined, 'causal (decoder) masking'),
      flag('set', 'KEY=VALUE', "a mechanism's setting, e.g. window=64 (repeatable)"),
      flag(
        'reference',
        undefined,
        'also measure the dense computation a kind replaces (adaptive-span, routing, linear)',
      ),
      flag('decode', undefined, 'time N one-token decoding steps over the cache (forward only) instead'),
      THREADS,
      flag('repeats', 'R', 'timed steps per length', '5'),
      flag('warmup', 'W', 'untimed steps first', '1'),
      flag('max-memory', 'SIZE', 'skip lengths that would need more (8GiB, 512MiB, bytes)', '8GiB'),
      flag('json', undefined, 'one JSON line per measurement on stdout (the table goes to stderr)'),
      flag('out', 'FILE', 'also draw the results as .svg or .png'),
      flag('from', 'RUN.jsonl', 'draw the table and picture of earlier --json output instead of measuring'),
    ],
  },
};

export const tokenizer: Record<string, CommandHelp> = {
  learn: {
    usage: ['--input FILE [--input FILE ...] --vocab-size N --output tokenizer.json [flags]'],
    about: 'Learns a BPE tokenizer (with byte fallback) from text files.',
    flags: [
      flag('input', 'FILE', 'UTF-8 text, one sentence per line (repeatable)'),
      flag('vocab-size', 'N', 'pieces in the vocabulary, special tokens and the 256 bytes included'),
      flag('output', 'FILE', 'where to write the tokenizer (atomically)'),
      flag('min-frequency', 'N', 'merge a pair only when seen this often', '2'),
      flag('character-coverage', 'F', 'share of characters that get their own piece; the rest are bytes', '0.9995'),
      flag('special', 'TOKEN', 'a user-defined special token (repeatable)'),
    ],
  },
  encode: {
    usage: ['--tokenizer FILE [--pieces] [--bos] [--eos] [--allow-special]  < text'],
    about: 'Standard input, line by line, to space-separated token ids (or pieces).',
    flags: [
      flag('tokenizer', 'FILE', 'a tokenizer.json'),
      flag('pieces', undefined, 'print pieces instead of ids'),
      flag('bos', undefined, 'start each line with <s>'),
      flag('eos', undefined, 'end each line with </s>'),
      flag('allow-special', undefined, 'read user-defined special tokens in the text as such'),
    ],
  },
  decode: {
    usage: ['--tokenizer FILE  < ids'],
    about: 'Standard input, lines of space-separated ids, back to text.',
    flags: [flag('tokenizer', 'FILE', 'a tokenizer.json')],
  },
};

export const data: Record<string, CommandHelp> = {
  get: {
    usage: ['multi30k|newstest2014 [--dir D] [--base-url U]'],
    about: 'Downloads a public data set into the cache, checking its checksums.',
    flags: [
      flag('dir', 'D', 'the cache folder', 'TRANSFORMER_DATA_DIR, else ~/.cache/transformer-ts/data'),
      flag('base-url', 'U', 'a mirror to download from', 'TRANSFORMER_DATA_URL, else the upstream sites'),
    ],
  },
  'make-task': {
    usage: ['[--dir D] [--seed S] [--train N] [--valid N] [--test N]'],
    about: 'Writes the built-in translation task (docs/builtin-task.md), each file atomically.',
    flags: [
      flag('dir', 'D', 'the folder to write', '<cache>/builtin-task'),
      flag('seed', 'S', 'random seed', '1'),
      flag('train', 'N', 'training pairs', '20000'),
      flag('valid', 'N', 'validation pairs', '500'),
      flag('test', 'N', 'test pairs', '500'),
    ],
  },
  'make-listops': {
    usage: ['--dir D [--train N] [--valid N] [--test N] [--min-length N] [--max-length N] [--seed S]'],
    about:
      "Writes Long Range Arena's ListOps task as LRA's TSV files (train.tsv, valid.tsv, test.tsv; docs/encoder-only.md).",
    flags: [
      flag('dir', 'D', 'the folder to write'),
      flag('train', 'N', 'training examples (LRA: 96000)', '20000'),
      flag('valid', 'N', 'validation examples (LRA: 2000)', '1000'),
      flag('test', 'N', 'test examples (LRA: 2000)', '2000'),
      flag('min-length', 'N', 'tokens, exclusive (LRA: 500)', '100'),
      flag('max-length', 'N', 'tokens, exclusive (LRA: 2000)', '500'),
      flag('max-depth', 'N', 'nesting depth', '10'),
      flag('max-args', 'N', 'arguments per operator', '10'),
      flag('seed', 'S', 'random seed', '1'),
    ],
  },
  'make-text': {
    usage: ['--out FILE [--chars N] [--seed S]'],
    about: 'Writes a generated long text for character language models (atomically).',
    flags: [
      flag('out', 'FILE', 'where to write the text'),
      flag('chars', 'N', 'characters', '5000000'),
      flag('seed', 'S', 'random seed', '1'),
    ],
  },
};

export const plot: Record<string, CommandHelp> = {
  attention: {
    usage: ['--model DIR --text "SENTENCE" [--beam K] [--kind cross|encoder|decoder] [--layer L] --out FILE'],
    about: "Translates one sentence and draws one layer's attention: every head and their average.",
    flags: [
      MODEL,
      flag('text', 'SENTENCE', 'the source sentence'),
      flag('beam', 'K', 'beam size of the translation', '1'),
      flag('kind', 'KIND', 'cross, encoder or decoder attention', 'cross'),
      flag('layer', 'L', 'the layer, from 0', 'the last'),
      flag('out', 'FILE', 'the picture, .svg or .png'),
    ],
  },
  pe: {
    usage: ['(--model DIR | --dim D [--halves]) [--length N] --out FILE'],
    about: 'The sinusoid positional encodings of positions 0..N-1.',
    flags: [
      flag('model', 'DIR', "take d_model and the layout from a model folder's config.json"),
      flag('dim', 'D', 'd_model (even)'),
      flag('halves', undefined, 'sines, then cosines (with --dim); default interleaved'),
      flag('length', 'N', 'positions', '100'),
      flag('out', 'FILE', 'the picture, .svg or .png'),
    ],
  },
  lr: {
    usage: ['--run DIR --out FILE', '--d-model D --warmup W[,W2...] --steps S [--schedule S] [--lr F] --out FILE'],
    about: 'The learning rate per step: of a run, or of a schedule (one curve per warm-up).',
    flags: [
      flag('run', 'DIR', 'a run folder (its metrics.jsonl)'),
      flag('d-model', 'D', 'd_model of the schedule'),
      flag('warmup', 'W[,W...]', 'warm-up steps'),
      flag('steps', 'S', 'steps to draw'),
      flag('schedule', 'S', 'paper, inverse-sqrt, cosine or constant', 'paper'),
      flag('lr', 'F', "the paper's factor, or the peak rate of the others", '1'),
      flag('out', 'FILE', 'the picture, .svg or .png'),
    ],
  },
  metrics: {
    usage: ['--run DIR --out FILE'],
    about: 'Training and validation loss, and validation BLEU, per step.',
    flags: [flag('run', 'DIR', 'a run folder (its metrics.jsonl)'), flag('out', 'FILE', 'the picture, .svg or .png')],
  },
};
