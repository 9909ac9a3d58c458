import { z } from 'zod';

/**
 * A comma-separated list of http(s) URLs, e.g. the nodes of an Elasticsearch cluster:
 * `http://es-1:9200,http://es-2:9200`. Parses to the URLs without trailing slashes, in
 * order; an empty entry, another scheme or an entry that is not a URL names the entry.
 */
export const httpUrlList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const urls: string[] = [];
      for (const entry of raw.split(',').map((e) => e.trim())) {
        let ok = false;
        try {
          ok = ['http:', 'https:'].includes(new URL(entry).protocol);
        } catch {
          ok = false;
        }
        if (!ok) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry.slice(0, 80)}" is not an http(s) URL; expected a comma-separated list of http(s) URLs`,
          });
          return z.NEVER;
        }
        urls.push(entry.replace(/\/+$/, ''));
      }
      return urls;
    });
