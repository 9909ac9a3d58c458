import pino from 'pino';
import pinoElastic from 'pino-elasticsearch';

/** Counts of the ingest's own log shipping, exposed on /metrics. */
export interface SelfLogStats {
  dropped: number;
}

/**
 * The ingest's own log lines: to stdout and, through pino-elasticsearch,
 * straight to Elasticsearch (`logs-freeride.ingest-default`), never through
 * its own OTLP path, so a failing ingest can still be diagnosed. Drops are
 * counted and reported on stderr, out of band, at most every 10 s.
 * @see https://github.com/pinojs/pino-elasticsearch#usage-as-a-module
 */
export function createSelfLogStream(options: {
  enabled: boolean;
  nodes: string[];
}): {
  stats: SelfLogStats;
  stream: pino.DestinationStream;
} {
  const stats: SelfLogStats = { dropped: 0 };
  if (!options.enabled) return { stats, stream: pino.destination(1) };
  const es = pinoElastic({
    esVersion: 8,
    flushBytes: 256 * 1024,
    flushInterval: 1_000,
    index: 'logs-freeride.ingest-default',
    node: options.nodes,
    opType: 'create',
  });
  let lastReport = 0;
  const report = (reason: string) => {
    const now = Date.now();
    if (now - lastReport < 10_000) return;
    lastReport = now;
    process.stderr.write(
      `${JSON.stringify({ '@timestamp': new Date().toISOString(), 'log.level': 'warn', message: 'ingest self-logs to elasticsearch dropped', dropped: stats.dropped, reason })}\n`,
    );
  };
  es.on('insertError', (err: { document?: unknown }) => {
    stats.dropped += 1;
    report(
      `insert error: ${String((err as Error).message ?? 'document rejected')}`,
    );
  });
  es.on('error', (err: Error) => {
    stats.dropped += 1;
    report(err.message);
  });
  return {
    stats,
    stream: pino.multistream([{ stream: pino.destination(1) }, { stream: es }]),
  };
}
