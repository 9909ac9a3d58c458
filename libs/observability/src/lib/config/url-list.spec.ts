import { z } from 'zod';

import { ConfigValidationError, parseConfig } from './parse-config';
import { httpUrlList } from './url-list';

const schema = z.object({ NODES: httpUrlList('http://127.0.0.1:9200') });

describe('httpUrlList', () => {
  it('defaults to the one fallback URL', () => {
    expect(parseConfig(schema, {}).NODES).toEqual(['http://127.0.0.1:9200']);
  });

  it('splits a comma-separated list, trims entries and trailing slashes', () => {
    expect(
      parseConfig(schema, {
        NODES: 'http://es-1:9200/, https://es-2:9200 ,http://es-3:9200',
      }).NODES,
    ).toEqual(['http://es-1:9200', 'https://es-2:9200', 'http://es-3:9200']);
  });

  it.each(['', 'http://es-1:9200,', 'es-1:9200', 'ftp://es-1', 'not a url'])(
    'rejects %p, naming the key',
    (value) => {
      expect(() => parseConfig(schema, { NODES: value })).toThrow(
        ConfigValidationError,
      );
      expect(() => parseConfig(schema, { NODES: value })).toThrow(
        /^NODES: .*comma-separated list of http\(s\) URLs/m,
      );
    },
  );
});
