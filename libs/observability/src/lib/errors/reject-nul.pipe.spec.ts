import { BadRequestException } from '@nestjs/common';

import { RejectNulCharactersPipe, findNulCharacter } from './reject-nul.pipe';

describe('RejectNulCharactersPipe', () => {
  const pipe = new RejectNulCharactersPipe();

  it('names the body field that holds a NUL character', () => {
    expect(() =>
      pipe.transform(
        { delivery: { webhookUrl: 'ok' }, tags: ['a', 'b\u0000'] },
        { type: 'body' },
      ),
    ).toThrow(
      new BadRequestException(
        'tags[1]: must not contain the NUL character (U+0000)',
      ),
    );
    expect(() =>
      pipe.transform('AAPL\u0000', { data: 'symbol', type: 'query' }),
    ).toThrow(/query\.symbol: must not contain/);
  });

  it('passes clean values, buffers and custom parameters through', () => {
    const body = { name: 'ok', nested: { list: [1, 'x'] } };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    expect(findNulCharacter(Buffer.from([0, 1]), '')).toBeUndefined();
    expect(pipe.transform('a\u0000', { type: 'custom' })).toBe('a\u0000');
  });
});
