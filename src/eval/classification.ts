// Scores of predicted labels against gold ones: accuracy, macro-F1 (the mean of each class's F1, so
// rare classes count as much as common ones) and, for tagging, token-level micro-F1 over the labels
// other than "O" (the outside tag of BIO schemes), which the O tokens would otherwise dominate.

export interface ClassificationScores {
  accuracy: number;
  macroF1: number;
}

/** Counts per class: true positives, false positives, false negatives. */
function confusion(gold: ArrayLike<number>, predicted: ArrayLike<number>, classes: number) {
  const tp = new Float64Array(classes);
  const fp = new Float64Array(classes);
  const fn = new Float64Array(classes);
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === predicted[i]) tp[gold[i]]++;
    else {
      fp[predicted[i]]++;
      fn[gold[i]]++;
    }
  }
  return { tp, fp, fn };
}

function f1(tp: number, fp: number, fn: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** Accuracy and macro-F1 over the classes that occur in gold or predictions. */
export function classificationScores(
  gold: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): ClassificationScores {
  if (gold.length === 0) return { accuracy: 0, macroF1: 0 };
  const { tp, fp, fn } = confusion(gold, predicted, classes);
  let correct = 0;
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    correct += tp[c];
    if (tp[c] + fp[c] + fn[c] === 0) continue;
    sum += f1(tp[c], fp[c], fn[c]);
    present++;
  }
  return { accuracy: correct / gold.length, macroF1: present === 0 ? 0 : sum / present };
}

/** Token-level micro-F1 over every class but `outside` (pass -1 when there is no outside class). */
export function tokenF1(
  gold: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
  outside: number,
): number {
  const { tp, fp, fn } = confusion(gold, predicted, classes);
  let [t, p, n] = [0, 0, 0];
  for (let c = 0; c < classes; c++) {
    if (c === outside) continue;
    t += tp[c];
    p += fp[c];
    n += fn[c];
  }
  return f1(t, p, n);
}
