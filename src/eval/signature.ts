// sacreBLEU's reproducibility signatures: "key:value" pairs joined by "|", the version last.

/** The sacreBLEU release whose behaviour this module reproduces, as signatures report it. */
export const SACREBLEU_VERSION = '2.6.0';

export function formatSignature(nrefs: number | 'var', info: Record<string, string | number>): string {
  const pairs = [['nrefs', nrefs], ...Object.entries(info), ['version', SACREBLEU_VERSION]];
  return pairs.map(([k, v]) => `${k}:${v}`).join('|');
}
