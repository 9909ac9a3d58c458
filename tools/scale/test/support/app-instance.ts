import {
  type BuiltApp,
  type ManagedProcess,
  builtAppCommand,
  getFreePort,
  makeTempDir,
  startProcess,
} from '@freeride/testing';

import { join } from 'node:path';

/**
 * One instance of a built app (dist/apps/<app>/main.js under plain node) on its own loopback
 * port, started again on the same port and with the same environment after a kill.
 */
export class AppInstance {
  proc?: ManagedProcess;
  private readonly logDir: string;
  private starts = 0;

  private constructor(
    readonly app: BuiltApp,
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.logDir = makeTempDir(`scale-${name}-`);
  }

  /**
   * @param portVar the app's port variable (e.g. `INGEST_PORT`), set to a free port
   * @param env the rest of the environment
   */
  static async create(
    app: BuiltApp,
    name: string,
    portVar: string,
    env: Record<string, string>,
  ): Promise<AppInstance> {
    const port = await getFreePort();
    return new AppInstance(app, name, port, {
      ...env,
      [portVar]: String(port),
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `host:port`, as a load balancer lists it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const { args, command, cwd } = builtAppCommand(this.app);
    this.starts += 1;
    this.proc = await startProcess(command, args, {
      cwd,
      env: {
        LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
        ...this.env,
      },
      logFile: join(this.logDir, `${this.name}-${this.starts}.log`),
      name: this.name,
    });
    await this.proc.waitUntilReady(
      async () => {
        try {
          return (await fetch(`${this.url}/health/live`)).ok;
        } catch {
          return false;
        }
      },
      `${this.name} GET /health/live answers`,
      120_000,
    );
  }

  /** SIGKILL, as a crash. */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  async stop(): Promise<void> {
    await this.proc?.stop({ timeoutMs: 20_000 });
  }
}
