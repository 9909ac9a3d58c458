// Elastic data stream naming: `<type>-<dataset>-<namespace>`.

/**
 * ECS `data_stream` of a document.
 * @see https://www.elastic.co/docs/reference/ecs/ecs-data_stream
 */
export interface DataStream {
  type: 'logs' | 'traces' | 'metrics';
  dataset: string;
  namespace: string;
}

/**
 * Default dataset when neither record, scope nor resource sets one.
 * @see https://www.elastic.co/docs/reference/ecs/ecs-data_stream#field-data-stream-dataset
 */
export const DEFAULT_DATASET = 'generic';
/**
 * Default namespace when neither attributes nor options set one.
 * @see https://www.elastic.co/docs/reference/ecs/ecs-data_stream#field-data-stream-namespace
 */
export const DEFAULT_NAMESPACE = 'default';

const MAX_BYTES = 100;
// ECS: neither dataset nor namespace may contain `-`, the separator.
const DISALLOWED = /[\\/*?"<>| ,#:-]/g;

const datasetCache = new Map<string, string>();
const namespaceCache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

function truncateBytes(s: string): string {
  if (s.length <= MAX_BYTES / 4 || Buffer.byteLength(s) <= MAX_BYTES) {
    return s.length > MAX_BYTES ? s.slice(0, MAX_BYTES) : s;
  }
  let out = s.slice(0, MAX_BYTES);
  while (Buffer.byteLength(out) > MAX_BYTES) out = out.slice(0, -1);
  return out;
}

function sanitize(
  raw: string,
  disallowed: RegExp,
  fallback: string,
  cache: Map<string, string>,
): string {
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const clean =
    truncateBytes(raw.toLowerCase().replace(disallowed, '_')) || fallback;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(raw, clean);
  return clean;
}

/**
 * Sanitises a dataset as Elastic requires: lower case, `\/*?"<>| ,#:-`
 * replaced with `_`, at most 100 bytes; empty → `generic`.
 *
 * @see https://www.elastic.co/docs/reference/ecs/ecs-data_stream#field-data-stream-dataset
 */
export function sanitizeDataset(raw: string | undefined): string {
  return raw
    ? sanitize(raw, DISALLOWED, DEFAULT_DATASET, datasetCache)
    : DEFAULT_DATASET;
}

/**
 * Sanitises a namespace as Elastic requires: lower case, `\/*?"<>| ,#:-`
 * replaced with `_`, at most 100 bytes; empty → `default`.
 *
 * @see https://www.elastic.co/docs/reference/ecs/ecs-data_stream#field-data-stream-namespace
 */
export function sanitizeNamespace(raw: string | undefined): string {
  return raw
    ? sanitize(raw, DISALLOWED, DEFAULT_NAMESPACE, namespaceCache)
    : DEFAULT_NAMESPACE;
}

/**
 * The data stream (index) name: `<type>-<dataset>-<namespace>`.
 *
 * @see https://www.elastic.co/docs/reference/fleet/data-streams#data-streams-naming-scheme
 */
export function dataStreamName(ds: DataStream): string {
  return `${ds.type}-${ds.dataset}-${ds.namespace}`;
}
