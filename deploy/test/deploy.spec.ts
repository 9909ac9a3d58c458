import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

import { APPS, ROOT, run, runOk, tool } from './deploy-tools';

/** The compose services that run an app image, by app. */
const COMPOSE_APP_SERVICES: Record<string, string> = {
  anomaly: 'anomaly',
  ingest: 'ingest',
  'market-gateway': 'market-gateway',
  trading: 'trading',
};

const SECRETS_MOUNT = '/run/freeride-secrets/';

interface ComposeService {
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | null>;
  healthcheck?: unknown;
  image?: string;
  profiles?: string[];
  secrets?: unknown[];
  volumes?: unknown[];
}

interface Compose {
  secrets: Record<string, { file: string }>;
  services: Record<string, ComposeService>;
}

interface K8sEnv {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface K8sContainer {
  env?: K8sEnv[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  image: string;
  name: string;
}

interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec?: {
    replicas?: number;
    template?: { spec: { containers: K8sContainer[] } };
  };
}

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'freeride-deploy-'));
});

afterAll(() => {
  rmSync(work, { force: true, recursive: true });
});

let composeCache: Compose | undefined;

/** `docker-compose config` of the committed file, all profiles on, as parsed YAML. */
function composeConfig(): Compose {
  if (composeCache) return composeCache;
  const out = runOk(tool('docker-compose'), [
    '-f',
    'docker-compose.yml',
    '--project-directory',
    ROOT,
    '--profile',
    'demo',
    'config',
  ]);
  composeCache = parse(out) as Compose;
  return composeCache;
}

/** The secrets the compose setup service would write with no secret given. */
function generatedSecrets(): string {
  const given = join(work, 'given');
  const out = join(work, 'generated');
  mkdirSync(given, { recursive: true });
  runOk('bash', ['deploy/compose/setup/secrets.sh', given, out]);
  return out;
}

/**
 * An environment as the container sees it: secret file paths moved to `secretsDir`, and
 * every VAR_FROM_FILE turned into VAR by the image's entrypoint (env-from-files).
 */
function containerEnv(
  env: Record<string, string>,
  secretsDir: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(env)) {
    const value = raw.startsWith(SECRETS_MOUNT)
      ? join(secretsDir, raw.slice(SECRETS_MOUNT.length))
      : raw;
    if (key.endsWith('_FROM_FILE')) {
      out[key.slice(0, -'_FROM_FILE'.length)] = readFileSync(value, 'utf8');
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Runs each app's own configuration loader over the environments. */
function checkEnvs(
  entries: { app: string; env: Record<string, string>; name: string }[],
): { lines: string[]; status: number | null } {
  const result = run(
    join(ROOT, 'node_modules/.bin/node'),
    ['-r', '@swc-node/register', 'tools/deploy/check-app-env.ts'],
    { input: JSON.stringify(entries) },
  );
  if (result.stdout.trim() === '') throw new Error(result.stderr);
  return { lines: result.stdout.trim().split('\n'), status: result.status };
}

function helmTemplate(extra: string[] = []): K8sObject[] {
  const out = runOk(tool('helm'), [
    'template',
    'freeride',
    'deploy/helm/freeride',
    '--kube-version',
    '1.33.0',
    ...extra,
  ]);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

describe('docker-compose.yml', () => {
  it('is valid for a real compose implementation (docker-compose config), every profile on', () => {
    const compose = composeConfig();
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'alertmanager',
        'anomaly',
        'elasticsearch',
        'grafana',
        'ingest',
        'kibana',
        'mariadb',
        'market-fakes',
        'market-gateway',
        'openai-fake',
        'postgres',
        'prometheus',
        'python-source',
        'redis',
        'setup',
        'trading',
        'wordpress',
      ].sort(),
    );
    expect(compose.services['market-fakes']?.profiles).toEqual(['demo']);
  });

  it('is rejected by the same implementation when a start condition is unknown', () => {
    const broken = join(work, 'broken-compose.yml');
    writeFileSync(
      broken,
      readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').replace(
        'condition: service_completed_successfully',
        'condition: service_finished',
      ),
    );
    const result = run(tool('docker-compose'), [
      '-f',
      broken,
      '--project-directory',
      ROOT,
      'config',
      '-q',
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('service_finished');
  });

  it('starts every app after the setup service completed and its servers are healthy', () => {
    const { services } = composeConfig();
    for (const name of Object.values(COMPOSE_APP_SERVICES)) {
      const deps = services[name]?.depends_on ?? {};
      expect(deps['setup']?.condition).toBe('service_completed_successfully');
      expect(deps['redis']?.condition).toBe('service_healthy');
      expect(deps['elasticsearch']?.condition).toBe('service_healthy');
    }
    expect(services['trading']?.depends_on?.['postgres']?.condition).toBe(
      'service_healthy',
    );
    expect(services['setup']?.depends_on?.['kibana']?.condition).toBe(
      'service_healthy',
    );
  });

  it('keeps every secret in a file: no app service environment carries a secret value', () => {
    const { secrets, services } = composeConfig();
    expect(Object.keys(secrets).length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!/TOKEN|PASSWORD|API_KEY|SECRET|HEADERS|DATABASE_URL/.test(key))
          continue;
        expect({ name, key, file: /_FILE$/.test(key) }).toEqual({
          name,
          key,
          file: true,
        });
        expect(value).toMatch(/^\/run\/freeride-secrets\/[a-z_]+$/);
      }
    }
  });

  it("gives every app service an environment that passes the app's own configuration schema", () => {
    const { services } = composeConfig();
    const secretsDir = generatedSecrets();
    const entries = Object.entries(COMPOSE_APP_SERVICES).map(
      ([app, service]) => ({
        app,
        env: containerEnv(
          services[service]?.environment as Record<string, string>,
          secretsDir,
        ),
        name: `compose ${service}`,
      }),
    );
    const { lines, status } = checkEnvs(entries);
    expect(lines).toEqual(entries.map((e) => `ok ${e.name}`));
    expect(status).toBe(0);
    // The same check rejects a bad value, naming the key.
    const bad = checkEnvs([
      {
        app: 'anomaly',
        env: { ...entries[0]?.env, ANOMALY_PORT: 'not-a-port' },
        name: 'bad',
      },
    ]);
    expect(bad.status).toBe(1);
    expect(bad.lines[0]).toMatch(/^invalid bad: .*ANOMALY_PORT/);
  });
});

describe('compose setup: secrets.sh', () => {
  it('uses a given secret as is, generates the others once and keeps them on a rerun', () => {
    const given = join(work, 'given-some');
    const out = join(work, 'generated-some');
    mkdirSync(given, { recursive: true });
    writeFileSync(
      join(given, 'trading_admin_token'),
      'given-admin-token-0123456789\n',
    );
    writeFileSync(join(given, 'postgres_password'), '');
    runOk('bash', ['deploy/compose/setup/secrets.sh', given, out]);
    const read = (name: string) => readFileSync(join(out, name), 'utf8');
    expect(read('trading_admin_token')).toBe('given-admin-token-0123456789');
    const password = read('postgres_password');
    expect(password).toMatch(/^[0-9a-f]{32}$/);
    expect(read('trading_database_url')).toBe(
      `postgres://freeride:${password}@postgres:5432/freeride`,
    );
    const tokens = read('ingest_tokens');
    const python = /(?:^|,)python=([0-9a-f]{48})(?:,|$)/.exec(tokens)?.[1];
    expect(python).toBeDefined();
    expect(read('python_otlp_headers')).toBe(
      `Authorization=Bearer%20${python}`,
    );
    runOk('bash', ['deploy/compose/setup/secrets.sh', given, out]);
    expect(read('postgres_password')).toBe(password);
    expect(read('ingest_tokens')).toBe(tokens);
  });
});

describe('Prometheus configs of both stacks', () => {
  interface PromConfig {
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: {
      job_name: string;
      static_configs: { targets: string[] }[];
    }[];
  }
  const load = (file: string) =>
    parse(readFileSync(join(ROOT, file), 'utf8')) as PromConfig;

  it('are both generated from observability/prometheus/scrape-jobs.json', () => {
    const result = run(join(ROOT, 'node_modules/.bin/node'), [
      'tools/deploy/prometheus-config.mjs',
      '--check',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('list the same jobs; the package stack scrapes loopback, compose scrapes its services', () => {
    const pkg = load('observability/prometheus/prometheus.yml');
    const compose = load('deploy/compose/prometheus/prometheus.yml');
    const jobs = (c: PromConfig) => c.scrape_configs.map((j) => j.job_name);
    expect(jobs(compose)).toEqual(jobs(pkg));
    expect(jobs(pkg)).toEqual(
      expect.arrayContaining([
        'ingest',
        'market-gateway',
        'trading',
        'anomaly',
      ]),
    );
    const hosts = (c: PromConfig) =>
      c.scrape_configs.flatMap((j) =>
        j.static_configs.flatMap((s) => s.targets.map((t) => t.split(':')[0])),
      );
    expect(new Set(hosts(pkg))).toEqual(new Set(['127.0.0.1']));
    const { services } = composeConfig();
    for (const host of hosts(compose))
      expect(Object.keys(services)).toContain(host);
  });
});

describe('Helm chart deploy/helm/freeride', () => {
  it('passes helm lint', () => {
    const out = runOk(tool('helm'), [
      'lint',
      '--strict',
      'deploy/helm/freeride',
    ]);
    expect(out).toContain('0 chart(s) failed');
  });

  it('renders manifests that the Kubernetes 1.33 schemas accept (strict)', () => {
    const file = join(work, 'rendered.yaml');
    const objects = helmTemplate();
    writeFileSync(
      file,
      runOk(tool('helm'), [
        'template',
        'freeride',
        'deploy/helm/freeride',
        '--kube-version',
        '1.33.0',
      ]),
    );
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      expect.arrayContaining([
        'Deployment/freeride-ingest',
        'HorizontalPodAutoscaler/freeride-ingest',
        'PodDisruptionBudget/freeride-ingest',
        'StatefulSet/freeride-anomaly',
        'Deployment/freeride-market-gateway',
        'Deployment/freeride-trading-api',
        'Deployment/freeride-trading-evaluator',
      ]),
    );
    const result = run(tool('kubernetes-validate'), [
      '--strict',
      '-k',
      '1.33.0',
      file,
    ]);
    expect(result.stdout + result.stderr).not.toMatch(/ERROR|failed/);
    expect(result.status).toBe(0);
    // The validator rejects what the schemas do not allow.
    const broken = join(work, 'broken.yaml');
    writeFileSync(
      broken,
      readFileSync(file, 'utf8').replace(
        'minAvailable:',
        'minAvailable: 1\n  notAField:',
      ),
    );
    expect(
      run(tool('kubernetes-validate'), ['--strict', '-k', '1.33.0', broken])
        .status,
    ).not.toBe(0);
  });

  it('probes every app on its health endpoints and mounts every secret as a file', () => {
    const workloads = helmTemplate().filter((o) => o.spec?.template);
    expect(workloads).toHaveLength(5);
    for (const w of workloads) {
      for (const c of w.spec!.template!.spec.containers) {
        expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
        expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
        for (const e of c.env ?? []) {
          if (
            !/TOKEN|PASSWORD|API_KEY|SECRET|HEADERS|DATABASE_URL/.test(e.name)
          )
            continue;
          expect(e.name).toMatch(/_FILE$/);
          expect(e.value).toMatch(/^\/run\/freeride-secrets\/[a-z_]+$/);
        }
      }
    }
  });

  /** Every app container of a render, its environment as the container sees it. */
  function appEnvironments(
    objects: K8sObject[],
  ): { app: string; env: Record<string, string>; name: string }[] {
    const secretsDir = generatedSecrets();
    const fieldValues: Record<string, string> = {
      "metadata.labels['apps.kubernetes.io/pod-index']": '1',
      'metadata.name': 'freeride-pod-0',
    };
    return objects
      .filter((o) => o.spec?.template)
      .flatMap((w) =>
        w.spec!.template!.spec.containers.map((c) => {
          const app = APPS.find((a) => c.image.endsWith(`/${a}:0.1.0`));
          const env: Record<string, string> = {};
          for (const e of c.env ?? []) {
            const value =
              e.value ?? fieldValues[e.valueFrom?.fieldRef?.fieldPath ?? ''];
            if (value === undefined)
              throw new Error(`${w.metadata.name}: no value for ${e.name}`);
            env[e.name] = value;
          }
          return {
            app: app ?? `unknown image ${c.image}`,
            env: containerEnv(env, secretsDir),
            name: `helm ${w.metadata.name}`,
          };
        }),
      );
  }

  it("gives every app container an environment that passes the app's own configuration schema", () => {
    const entries = appEnvironments(helmTemplate());
    const { lines, status } = checkEnvs(entries);
    expect(lines).toEqual(entries.map((e) => `ok ${e.name}`));
    expect(status).toBe(0);
  });

  it('shares the symbol partitions among several evaluator pods, and refuses more pods than partitions', () => {
    const evaluator = (objects: K8sObject[]) =>
      objects.find(
        (o) =>
          o.kind === 'Deployment' &&
          o.metadata.name === 'freeride-trading-evaluator',
      )!;
    const envOf = (w: K8sObject) =>
      Object.fromEntries(
        w.spec!.template!.spec.containers[0].env!.map((e) => [
          e.name,
          e.value ?? `fieldRef:${e.valueFrom?.fieldRef?.fieldPath}`,
        ]),
      );
    const one = evaluator(helmTemplate());
    expect(one.spec!.replicas).toBe(1);
    expect(envOf(one)).toMatchObject({
      TRADING_EVAL_ENABLED: 'true',
      TRADING_EVAL_PARTITION_COUNT: '1',
    });
    const scaledRender = helmTemplate([
      '--set',
      'trading.evaluator.replicas=3',
      '--set',
      'trading.evaluator.partitions=8',
    ]);
    const three = evaluator(scaledRender);
    expect(three.spec!.replicas).toBe(3);
    expect(envOf(three)).toMatchObject({
      // Leases: each pod, named by its pod name, takes a share of the 8.
      TRADING_EVAL_CONSUMER_NAME: 'fieldRef:metadata.name',
      TRADING_EVAL_PARTITION_COUNT: '8',
    });
    const scaled = appEnvironments(scaledRender).filter((e) =>
      e.name.endsWith('trading-evaluator'),
    );
    expect(checkEnvs(scaled)).toEqual({
      lines: ['ok helm freeride-trading-evaluator'],
      status: 0,
    });
    const refused = run(tool('helm'), [
      'template',
      'freeride',
      'deploy/helm/freeride',
      '--kube-version',
      '1.33.0',
      '--set',
      'trading.evaluator.replicas=2',
    ]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      'trading.evaluator.replicas is 2 but trading.evaluator.partitions is 1',
    );
  });
});

describe('Dockerfiles', () => {
  const dockerfiles = (): string[] => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), {
        withFileTypes: true,
      })) {
        if (['node_modules', 'dist', 'tmp', '.git', '.nx'].includes(entry.name))
          continue;
        const rel = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(rel);
        else if (entry.name === 'Dockerfile') found.push(rel);
      }
    };
    walk('');
    return found;
  };

  it('pass hadolint', () => {
    const files = dockerfiles();
    expect(files).toEqual(
      expect.arrayContaining(['Dockerfile', 'sources/python/Dockerfile']),
    );
    const result = run(tool('hadolint'), ['--no-color', ...files]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('run the apps as a non-root user with a HEALTHCHECK on the health endpoint', () => {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^FROM node:24|^ARG NODE_IMAGE=node:24/m);
    expect(text).toMatch(/^USER 1000:1000$/m);
    expect(text).toMatch(/^HEALTHCHECK [^\n]*\\\n[^\n]*\/health\/live/m);
    expect(text).toMatch(/npm ci --omit=dev/);
  });
});
