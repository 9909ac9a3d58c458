// Public entry of @freeride/testing: real servers for e2e tests (ARCHITECTURE.md, "Real parts").
export {
  DEFAULT_ALERTMANAGER_CONFIG,
  startAlertmanager,
} from './lib/alertmanager';
export type {
  MonitoringServer,
  MonitoringServerOptions,
} from './lib/alertmanager';
export { findBinary } from './lib/binaries';
export {
  BUILT_APPS,
  MissingBuildError,
  builtAppCommand,
} from './lib/built-app';
export type { BuiltApp, BuiltAppCommand } from './lib/built-app';
export {
  elasticsearchAnswers,
  ensureElasticsearch,
  esGlobalSetup,
  esGlobalTeardown,
  startElasticsearch,
  stopElasticsearch,
} from './lib/elasticsearch';
export type {
  ElasticsearchHandle,
  EnsureElasticsearchOptions,
} from './lib/elasticsearch';
export { startElasticsearchCluster } from './lib/elasticsearch-cluster';
export type {
  ElasticsearchCluster,
  ElasticsearchClusterNode,
  StartElasticsearchClusterOptions,
} from './lib/elasticsearch-cluster';
export { getFreePort } from './lib/free-port';
export { ManagedProcess, startProcess } from './lib/managed-process';
export type {
  ProcessExit,
  StartProcessOptions,
  StopProcessOptions,
} from './lib/managed-process';
export { startLoadBalancer } from './lib/load-balancer';
export type {
  LoadBalancer,
  StartLoadBalancerOptions,
} from './lib/load-balancer';
export { MissingBinaryError } from './lib/missing-binary.error';
export { startPostgres } from './lib/postgres';
export { promtool } from './lib/promtool';
export type { PromtoolResult } from './lib/promtool';
export type { PostgresServer, StartPostgresOptions } from './lib/postgres';
export { OtlpCollector } from './lib/otlp-collector';
export type { CollectedSpan } from './lib/otlp-collector';
export { DEFAULT_PROMETHEUS_CONFIG, startPrometheus } from './lib/prometheus';
export { pingRedis, startRedis } from './lib/redis';
export type { RedisServer, StartRedisOptions } from './lib/redis';
export { SteadyLogSender, auditDelivery } from './lib/steady-log-sender';
export type {
  DeliveryAudit,
  SteadyLogSenderOptions,
} from './lib/steady-log-sender';
export { makeTempDir, removeTempDir } from './lib/temp-dir';
export { AUDIT_DIR_ENV, secretValues } from './lib/secret-audit';
export { waitFor, WaitForTimeoutError } from './lib/wait-for';
export type { WaitForOptions } from './lib/wait-for';
export { startRedisCluster } from './lib/redis-cluster';
export type {
  RedisClusterServer,
  StartRedisClusterOptions,
} from './lib/redis-cluster';
export { renderAlertmanagerConfig } from './lib/alertmanager-config';
export type { RenderAlertmanagerConfigOptions } from './lib/alertmanager-config';
export { startPagingPath } from './lib/paging-path';
export type { PagingPath } from './lib/paging-path';
export { startWebhookReceiver } from './lib/webhook-receiver';
export type {
  AlertmanagerAlert,
  AlertmanagerPayload,
  ReceivedRequest,
  WebhookReceiver,
} from './lib/webhook-receiver';
