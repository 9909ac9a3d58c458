import type { NewsStory } from './news-story';
import {
  dedupStories,
  needsScoring,
  normalizeHeadline,
  storyKey,
  storyText,
} from './news-story';

function story(
  headline: string,
  source: string,
  summary = '',
  id = headline,
): NewsStory {
  return {
    datetime: 1_711_652_795,
    headline,
    id,
    source,
    summary,
    url: 'https://example.test',
  };
}

describe('normalizeHeadline', () => {
  it('drops the source suffix, case and punctuation', () => {
    expect(
      normalizeHeadline('Apple Beats Q3 Estimates; Shares Up 5% - Reuters'),
    ).toBe('apple beats q3 estimates shares up 5%');
  });
});

describe('storyText', () => {
  it('keeps a short summary after a headline with a source suffix', () => {
    expect(
      storyText({
        headline: 'Apple beats - Reuters',
        summary: 'Shares up 5%.',
      }),
    ).toBe('apple beats shares up 5%');
  });
});

describe('dedupStories', () => {
  it('collapses the same story from several feeds into one with all sources', () => {
    const out = dedupStories('AAPL', [
      story('Apple beats Q3 estimates - Reuters', 'Reuters', 'short'),
      story('Apple Beats Q3 Estimates | Yahoo', 'Yahoo', 'a longer summary'),
      story('Apple recalls chargers', 'Yahoo'),
    ]);
    expect(out).toHaveLength(2);
    expect(out[0].sources).toEqual(['Reuters', 'Yahoo']);
    expect(out[0].story.summary).toBe('a longer summary');
    expect(out[0].key).toBe(storyKey('AAPL', 'apple beats q3 estimates'));
  });

  it('keeps the same headline of two symbols apart', () => {
    expect(storyKey('AAPL', 'Chip tariffs')).not.toBe(
      storyKey('NVDA', 'Chip tariffs'),
    );
  });
});

describe('needsScoring', () => {
  const [base] = dedupStories('AAPL', [
    story(
      'Apple beats estimates',
      'Reuters',
      'Revenue rose 8% on iPhone sales in China',
    ),
  ]);

  it('scores a story never seen', () => {
    expect(needsScoring(base, undefined)).toBe('new');
  });

  it('skips a story whose text barely changed', () => {
    const [same] = dedupStories('AAPL', [
      story(
        'Apple beats estimates',
        'Yahoo',
        'Revenue rose 8% on iPhone sales in China.',
      ),
    ]);
    expect(needsScoring(same, { text: base.text })).toBe(false);
  });

  it('rescores a story whose update changes the picture', () => {
    const [update] = dedupStories('AAPL', [
      story(
        'Apple beats estimates',
        'Reuters',
        'But guidance cut sharply; CFO resigns amid probe of accounting',
      ),
    ]);
    expect(needsScoring(update, { text: base.text })).toBe('material_delta');
  });
});
