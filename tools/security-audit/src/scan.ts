import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets generated at run time, recognisable by their prefix (trading). */
export const SECRET_PATTERNS: ReadonlyArray<{ name: string; re: RegExp }> = [
  { name: 'trader API key', re: /frk_[A-Za-z0-9_-]{20,}/ },
  { name: 'webhook secret', re: /whsec_[A-Za-z0-9_-]{20,}/ },
];

/** Values too short or too common to mean anything when found. */
const MIN_SECRET_LENGTH = 6;
const NOT_SECRETS = new Set(['not-set', 'freeride', 'changeme']);

/** One place a secret was found; `secret` is masked (first 3 characters and length). */
export interface Finding {
  secret: string;
  where: string;
}

export function mask(secret: string): string {
  return `${secret.slice(0, 3)}…(${secret.length} chars)`;
}

/** The literal secrets recorded by `@freeride/testing` in `<auditDir>/secrets.txt`. */
export function readSecrets(auditDir: string): string[] {
  const file = join(auditDir, 'secrets.txt');
  if (!existsSync(file)) return [];
  return [
    ...new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s.length >= MIN_SECRET_LENGTH && !NOT_SECRETS.has(s)),
    ),
  ];
}

/** Every secret (literal or by pattern) in `text`. */
export function findSecrets(
  text: string,
  secrets: readonly string[],
): string[] {
  const found: string[] = [];
  for (const s of secrets) if (text.includes(s)) found.push(s);
  for (const { re } of SECRET_PATTERNS) {
    const m = re.exec(text);
    if (m) found.push(m[0]);
  }
  return found;
}

/** Scans every file of `<auditDir>/logs` (app logs copied by `@freeride/testing`). */
export function scanLogs(
  auditDir: string,
  secrets: readonly string[],
): Finding[] {
  const dir = join(auditDir, 'logs');
  if (!existsSync(dir)) return [];
  const findings: Finding[] = [];
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const s of findSecrets(text, secrets)) {
      findings.push({ secret: mask(s), where: `log ${file}` });
    }
  }
  return findings;
}

async function es<T>(esUrl: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${esUrl}${path}`, {
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    method: body === undefined ? 'GET' : 'POST',
  });
  if (!res.ok)
    throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Reads every document of every index (data streams' hidden backing indices
 * included, Elasticsearch's own system indices excluded) and reports each
 * secret found in a document or an index name.
 */
export async function scanElasticsearch(
  esUrl: string,
  secrets: readonly string[],
  indexPattern = '*',
): Promise<{ documents: number; findings: Finding[]; indices: number }> {
  const indices = (
    await es<Array<{ index: string }>>(
      esUrl,
      `/_cat/indices/${encodeURIComponent(indexPattern)}?format=json&h=index&expand_wildcards=all`,
    )
  )
    .map((i) => i.index)
    .filter((name) => !name.startsWith('.') || name.startsWith('.ds-'));
  const findings: Finding[] = [];
  let documents = 0;
  for (const index of indices) {
    for (const s of findSecrets(index, secrets)) {
      findings.push({ secret: mask(s), where: `index name ${index}` });
    }
    let after: unknown[] | undefined;
    for (;;) {
      const page = await es<{
        hits: {
          hits: Array<{ _id: string; _source: unknown; sort: unknown[] }>;
        };
      }>(
        esUrl,
        `/${encodeURIComponent(index)}/_search?expand_wildcards=all&ignore_unavailable=true`,
        {
          query: { match_all: {} },
          size: 2000,
          sort: ['_doc'],
          ...(after ? { search_after: after } : {}),
        },
      );
      const hits = page.hits.hits;
      if (hits.length === 0) break;
      documents += hits.length;
      for (const hit of hits) {
        for (const s of findSecrets(JSON.stringify(hit._source), secrets)) {
          findings.push({ secret: mask(s), where: `${index}/${hit._id}` });
        }
      }
      after = hits[hits.length - 1].sort;
    }
  }
  return { documents, findings, indices: indices.length };
}
