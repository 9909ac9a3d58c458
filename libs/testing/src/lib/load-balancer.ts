import { runStackScript } from './elasticsearch';
import { getFreePort } from './free-port';
import { makeTempDir, removeTempDir } from './temp-dir';
import { LOOPBACK } from './testing.constants';

/** Options of {@link startLoadBalancer}. */
export interface StartLoadBalancerOptions {
  /** Path each instance answers 2xx on while it takes traffic. @default '/health/ready' */
  healthPath?: string;
  /** The instances, as `host:port`. */
  servers: string[];
}

/** A load balancer started by {@link startLoadBalancer}. */
export interface LoadBalancer {
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
}

/**
 * HAProxy on a free loopback port in front of `servers`, through `tools/stack/haproxy.sh`
 * (round-robin, health-checked every second, a refused connection goes to another instance).
 */
export async function startLoadBalancer(
  options: StartLoadBalancerOptions,
): Promise<LoadBalancer> {
  const port = await getFreePort();
  const dir = makeTempDir('freeride-haproxy-');
  const env = {
    HAPROXY_HEALTH_PATH: options.healthPath ?? '/health/ready',
    HAPROXY_PORT: String(port),
    HAPROXY_RUN_DIR: dir,
    HAPROXY_SERVERS: options.servers.join(','),
  };
  await runStackScript('haproxy.sh', ['start'], env, 30_000);
  return {
    async dispose() {
      try {
        await runStackScript('haproxy.sh', ['stop'], env, 30_000);
      } finally {
        removeTempDir(dir);
      }
    },
    port,
    url: `http://${LOOPBACK}:${port}`,
  };
}
