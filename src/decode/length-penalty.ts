// The length penalty of Wu et al. (2016), section 7, which the paper uses for beam search
// (section 6.1, alpha = 0.6): hypotheses are ranked by log P(Y | X) / lp(Y).

/** lp(Y) = ((5 + |Y|) / 6)^alpha; alpha 0 ranks by log-probability alone. */
export function lengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

/** The ranking score of a hypothesis of `length` scored tokens (EOS included) and total log-probability. */
export function normalizedScore(logprob: number, length: number, alpha: number): number {
  return logprob / lengthPenalty(length, alpha);
}
