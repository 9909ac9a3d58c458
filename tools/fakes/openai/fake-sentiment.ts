/** Words the fake model counts as good or bad news. */
const POSITIVE = [
  'beat',
  'beats',
  'record',
  'surge',
  'surges',
  'upgrade',
  'growth',
  'rally',
  'wins',
  'raises',
  'strong',
];
const NEGATIVE = [
  'miss',
  'misses',
  'cut',
  'cuts',
  'probe',
  'recall',
  'recalls',
  'lawsuit',
  'downgrade',
  'falls',
  'weak',
  'resigns',
  'fraud',
];

/**
 * The fake model: a deterministic lexicon score of the text in [-1, 1],
 * so batched and one-by-one requests give the same score for the same text.
 */
export function fakeSentimentScore(text: string): {
  material: boolean;
  score: number;
  sentiment: 'bearish' | 'bullish' | 'neutral';
} {
  const words = text.toLowerCase().split(/[^a-z]+/);
  let pos = 0;
  let neg = 0;
  for (const w of words) {
    if (POSITIVE.includes(w)) pos++;
    if (NEGATIVE.includes(w)) neg++;
  }
  const score = Math.max(-1, Math.min(1, (pos - neg) / 3));
  return {
    material: pos + neg >= 2,
    score: Math.round(score * 1000) / 1000,
    sentiment: score > 0.1 ? 'bullish' : score < -0.1 ? 'bearish' : 'neutral',
  };
}
