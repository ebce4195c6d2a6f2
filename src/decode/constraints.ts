// Rules on the next token that steer decoding away from degenerate repetition: no repeated n-grams
// (Paulus et al., 2017; fairseq's --no-repeat-ngram-size) and the repetition penalty of CTRL
// (Keskar et al., 2019).

/**
 * Sets to -Infinity every token t of `row` such that history followed by t would repeat an n-gram
 * already in history. `exempt` (EOS) is never banned, so a hypothesis can always end.
 */
export function banRepeatedNgrams(row: Float32Array, history: readonly number[], n: number, exempt = -1): void {
  const L = history.length;
  if (n < 1 || L < n - 1) return;
  // The last n-1 tokens; every earlier occurrence of them bans the token that followed it.
  for (let start = 0; start + n - 1 < L; start++) {
    let match = true;
    for (let j = 0; j < n - 1 && match; j++) match = history[start + j] === history[L - n + 1 + j];
    const banned = history[start + n - 1];
    if (match && banned !== exempt) row[banned] = -Infinity;
  }
}

/** CTRL's penalty on logits of tokens already in history: divide positive logits by it, multiply negative ones. */
export function penalizeRepeats(logits: Float32Array, history: readonly number[], penalty: number): void {
  if (penalty === 1) return;
  for (const t of new Set(history)) logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
}
