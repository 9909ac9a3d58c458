import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startProcess } from './managed-process';
import { makeTempDir } from './temp-dir';
import { waitFor } from './wait-for';

/** Running and not a zombie (PID 1 here may not reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('startProcess', () => {
  const dir = makeTempDir('freeride-proc-spec-');

  it('captures output in the log file', async () => {
    const logFile = join(dir, 'echo.log');
    const proc = await startProcess('sh', ['-c', 'echo hello; echo oops >&2'], {
      logFile,
    });
    await expect(proc.exited).resolves.toEqual({ code: 0, signal: null });
    expect(readFileSync(logFile, 'utf8')).toBe('hello\noops\n');
  });

  it('kills the whole process group on stop', async () => {
    const pidFile = join(dir, 'child.pid');
    const proc = await startProcess(
      'sh',
      ['-c', `sleep 60 & echo $! > ${pidFile}; wait`],
      { logFile: join(dir, 'group.log') },
    );
    const childPid = await new Promise<number>((resolve) => {
      const poll = setInterval(() => {
        try {
          const pid = Number(readFileSync(pidFile, 'utf8'));
          if (pid) {
            clearInterval(poll);
            resolve(pid);
          }
        } catch {
          // not written yet
        }
      }, 20);
    });
    expect(alive(childPid)).toBe(true);
    await proc.stop({ timeoutMs: 2000 });
    expect(proc.running).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(childPid)).toBe(false);
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'kills what it started when the test process is ended by %s',
    async (signal) => {
      const pidFile = join(dir, `orphan-${signal}.pid`);
      const script = join(dir, `starter-${signal}.ts`);
      writeFileSync(
        script,
        `import { startProcess } from ${JSON.stringify(join(__dirname, 'managed-process'))};
void startProcess('sleep', ['60'], { logFile: ${JSON.stringify(join(dir, 'orphan.log'))} }).then((p) => {
  require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(p.pid));
  setInterval(() => undefined, 1000);
});
`,
      );
      // Plain Node with tsx's loader only: no wrapper process that handles signals itself.
      const starter = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: join(__dirname, '../../../..'),
        stdio: 'ignore',
      });
      const ended = new Promise<NodeJS.Signals | null>((resolve) =>
        starter.once('exit', (_code, signal) => resolve(signal)),
      );
      await waitFor(() => existsSync(pidFile), {
        description: 'the starter started its server',
        timeoutMs: 20_000,
      });
      const serverPid = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(serverPid)).toBe(true);
      starter.kill(signal);
      expect(await ended).toBe(signal);
      await waitFor(() => !alive(serverPid), {
        description: 'the server killed with its starter',
        timeoutMs: 5_000,
      });
    },
    30_000,
  );

  it('fails readiness early with the log tail when the process exits', async () => {
    const proc = await startProcess('sh', ['-c', 'echo cannot bind; exit 3'], {
      logFile: join(dir, 'fail.log'),
      name: 'failing-server',
    });
    await expect(
      proc.waitUntilReady(() => false, 'never', 5000),
    ).rejects.toThrow(/failing-server exited .*cannot bind/s);
  });
});
