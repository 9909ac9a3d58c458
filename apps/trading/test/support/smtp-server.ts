import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import {
  type ManagedProcess,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startProcess,
  waitFor,
} from './testing';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** One email as the server stored it. */
export interface ReceivedEmail {
  /** Headers, lower-cased names (first value of each). */
  headers: Record<string, string>;
  raw: string;
  /** The body, quoted-printable decoded. */
  text: string;
}

/** RFC 2045 §6.7 quoted-printable decoding (soft line breaks, `=XX` bytes). */
function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * A real SMTP server on loopback: aiosmtpd (from PyPI, in the venv
 * tools/smtp/ensure-venv.sh keeps) storing every message in a Maildir.
 */
export class SmtpServer {
  url = '';
  private dir = '';
  private proc?: ManagedProcess;

  async start(): Promise<void> {
    const venv = execFileSync(
      'bash',
      [join(ROOT, 'tools/smtp/ensure-venv.sh')],
      {
        encoding: 'utf8',
      },
    ).trim();
    const port = await getFreePort();
    this.dir = makeTempDir('smtp-e2e-');
    this.proc = await startProcess(
      join(venv, 'bin/python'),
      [
        '-m',
        'aiosmtpd',
        '--nosetuid',
        '--listen',
        `127.0.0.1:${port}`,
        '--class',
        'aiosmtpd.handlers.Mailbox',
        join(this.dir, 'Maildir'),
      ],
      {
        cwd: this.dir,
        env: {},
        logFile: join(this.dir, 'smtp.log'),
        name: 'aiosmtpd',
      },
    );
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('data', () => (s.destroy(), resolve(true)));
          s.once('error', () => resolve(false));
        }),
      { description: 'aiosmtpd greeting', intervalMs: 100, timeoutMs: 20_000 },
    );
    this.url = `smtp://127.0.0.1:${port}`;
  }

  /** Messages delivered so far. */
  messages(): ReceivedEmail[] {
    const box = join(this.dir, 'Maildir', 'new');
    let names: string[];
    try {
      names = readdirSync(box);
    } catch {
      return [];
    }
    return names.map((name) => {
      const raw = readFileSync(join(box, name), 'utf8');
      const [rawHead, ...rest] = raw.split(/\r?\n\r?\n/);
      const head = rawHead.replace(/\r?\n[ \t]+/g, ' ');
      const headers: Record<string, string> = {};
      for (const line of head.split(/\r?\n/)) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).toLowerCase();
        if (i > 0 && !(key in headers)) headers[key] = line.slice(i + 1).trim();
      }
      const body = rest.join('\n\n');
      const text =
        headers['content-transfer-encoding'] === 'quoted-printable'
          ? decodeQuotedPrintable(body)
          : body;
      return { headers, raw, text };
    });
  }

  async stop(): Promise<void> {
    await this.proc?.stop({ timeoutMs: 3000 });
    if (this.dir) removeTempDir(this.dir);
  }
}
