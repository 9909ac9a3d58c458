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

const MAX_LENGTH = 100;
// Stricter than Elasticsearch's index-name rules, so that every name is also
// a sane data stream name: ASCII lower case, digits, `_` and (dataset only)
// `.`; never `-`, the separator of `<type>-<dataset>-<namespace>`.
const DATASET_DISALLOWED = /[^a-z0-9_.]+/g;
const NAMESPACE_DISALLOWED = /[^a-z0-9_]+/g;
const DOT_RUNS = /\.{2,}/g;
const EDGES = /^[._]+|[._]+$/g;

const datasetCache = new Map<string, string>();
const namespaceCache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

function sanitize(
  raw: string,
  disallowed: RegExp,
  fallback: string,
  cache: Map<string, string>,
): string {
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const clean =
    raw
      .toLowerCase()
      .replace(disallowed, '_')
      .replace(DOT_RUNS, '.')
      .replace(EDGES, '')
      .slice(0, MAX_LENGTH)
      .replace(EDGES, '') || fallback;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(raw, clean);
  return clean;
}

/**
 * Sanitises a dataset to the data stream naming rules: ASCII lower case,
 * digits, `_` and `.` only (any other run of characters becomes one `_`,
 * `..` becomes `.`), no leading or trailing `.` or `_`, at most 100
 * characters; empty → `generic`.
 *
 * @see https://www.elastic.co/docs/reference/ecs/ecs-data_stream#field-data-stream-dataset
 * @see https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-indices-create#operation-indices-create-path
 */
export function sanitizeDataset(raw: string | undefined): string {
  return raw
    ? sanitize(raw, DATASET_DISALLOWED, DEFAULT_DATASET, datasetCache)
    : DEFAULT_DATASET;
}

/**
 * Sanitises a namespace like a dataset, without `.`; empty → `default`.
 *
 * @see https://www.elastic.co/docs/reference/ecs/ecs-data_stream#field-data-stream-namespace
 */
export function sanitizeNamespace(raw: string | undefined): string {
  return raw
    ? sanitize(raw, NAMESPACE_DISALLOWED, DEFAULT_NAMESPACE, namespaceCache)
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
