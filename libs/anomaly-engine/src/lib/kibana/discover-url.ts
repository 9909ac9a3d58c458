// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- rison-node ships no types; a reference makes them visible to every project that imports this lib
/// <reference path="../../types/rison-node.d.ts" />
import { encode } from 'rison-node';

/** Input of {@link buildDiscoverUrl}. */
export interface DiscoverUrlInput {
  /** Saved data view id, e.g. `freeride-logs` (see observability/kibana). */
  readonly dataViewId: string;
  /** Start of the time window. */
  readonly from: Date;
  /** Base URL of Kibana, e.g. `http://127.0.0.1:5601` (a trailing `/` is ignored). */
  readonly kibanaUrl: string;
  /** Extra KQL clause joined with `and`, e.g. `log.level : "error"`. */
  readonly query?: string;
  /** `service.name` to filter on. */
  readonly service: string;
  /** End of the time window. */
  readonly to: Date;
}

function kqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Builds a Kibana Discover link for one service and one time window, with the
 * app and global state as Rison in the hash, as Kibana 8 writes it itself.
 *
 * @see https://www.elastic.co/guide/en/kibana/8.19/discover.html
 */
export function buildDiscoverUrl(input: DiscoverUrlInput): string {
  const kql = [`service.name : ${kqlString(input.service)}`, input.query]
    .filter((part): part is string => Boolean(part))
    .join(' and ');
  const globalState = encode({
    filters: [],
    time: { from: input.from.toISOString(), to: input.to.toISOString() },
  });
  const appState = encode({
    dataSource: { dataViewId: input.dataViewId, type: 'dataView' },
    query: { language: 'kuery', query: kql },
  });
  const base = input.kibanaUrl.replace(/\/+$/, '');
  return `${base}/app/discover#/?_g=${encodeURIComponent(globalState)}&_a=${encodeURIComponent(appState)}`;
}
