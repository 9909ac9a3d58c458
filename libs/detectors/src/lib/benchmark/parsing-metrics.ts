/** Accuracy of a log parse against ground truth, see {@link parsingMetrics}. */
export interface ParsingMetrics {
  /** Pairwise F1 of the clustering ("F1_measure" in logparser). */
  readonly f1: number;
  /** Grouping accuracy: share of messages whose cluster equals their GT group. */
  readonly ga: number;
  /** Parsing (message-level) accuracy: share of messages whose template string equals the GT template. */
  readonly pa: number;
}

/** One parsed message with its ground truth. */
export interface ParsedMessage {
  /** Ground-truth group label (EventId). */
  readonly gtGroup: string;
  /** Ground-truth template string. */
  readonly gtTemplate: string;
  /** Predicted cluster label. */
  readonly predictedGroup: string;
  /** Predicted template string. */
  readonly predictedTemplate: string;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/**
 * GA, PA and pairwise F1 of a parse, as defined for Loghub-2k: GA is
 * all-or-nothing per predicted cluster, PA compares raw template strings
 * (no canonicalisation), F1 scores pairs of messages.
 *
 * @param messages - every parsed message with its ground truth
 * @see https://github.com/logpai/logparser/blob/main/logparser/utils/evaluator.py (GA, pairwise F1)
 * @see https://arxiv.org/abs/1811.03509 (Zhu et al., ICSE-SEIP 2019)
 */
export function parsingMetrics(
  messages: readonly ParsedMessage[],
): ParsingMetrics {
  const gtSizes = new Map<string, number>();
  const clusters = new Map<string, Map<string, number>>();
  let exact = 0;
  for (const m of messages) {
    gtSizes.set(m.gtGroup, (gtSizes.get(m.gtGroup) ?? 0) + 1);
    let inner = clusters.get(m.predictedGroup);
    if (inner === undefined) {
      inner = new Map();
      clusters.set(m.predictedGroup, inner);
    }
    inner.set(m.gtGroup, (inner.get(m.gtGroup) ?? 0) + 1);
    if (m.predictedTemplate === m.gtTemplate) {
      exact++;
    }
  }
  let correct = 0;
  let predictedPairs = 0;
  let agreeingPairs = 0;
  for (const inner of clusters.values()) {
    let size = 0;
    for (const [gt, count] of inner) {
      size += count;
      agreeingPairs += pairs(count);
      if (inner.size === 1 && gtSizes.get(gt) === count) {
        correct += count;
      }
    }
    predictedPairs += pairs(size);
  }
  let actualPairs = 0;
  for (const size of gtSizes.values()) {
    actualPairs += pairs(size);
  }
  const precision = predictedPairs === 0 ? 0 : agreeingPairs / predictedPairs;
  const recall = actualPairs === 0 ? 0 : agreeingPairs / actualPairs;
  const n = messages.length;
  return {
    f1:
      precision + recall === 0
        ? 0
        : (2 * precision * recall) / (precision + recall),
    ga: n === 0 ? 0 : correct / n,
    pa: n === 0 ? 0 : exact / n,
  };
}
