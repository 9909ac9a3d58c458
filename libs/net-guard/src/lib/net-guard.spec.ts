import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { forbiddenClass } from './address';
import { ForbiddenDestinationError, checkUrl } from './check-url';
import { guardedLookup, guardedRequest } from './guarded-request';
import { STRICT_POLICY, parseAllowlist } from './policy';

describe('forbiddenClass', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.31.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2002:7f00:1::', 'reserved'],
    ['example.com', 'not-an-ip'],
  ])('%s is %s', (address, cls) => {
    expect(forbiddenClass(address)).toBe(cls);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(forbiddenClass(address)).toBeUndefined();
  });
});

describe('parseAllowlist', () => {
  it('reads addresses, ranges and ports', () => {
    const policy = parseAllowlist('127.0.0.1:4010, [::1]:4010,10.0.0.0/8');
    expect(policy.allow.map((r) => [r.entry, r.port])).toEqual([
      ['127.0.0.1:4010', 4010],
      ['[::1]:4010', 4010],
      ['10.0.0.0/8', undefined],
    ]);
  });

  it.each([
    ['localhost:4010', /not an IP address/],
    ['127.0.0.1:99999', /bad port/],
    ['10.0.0.0/33', /bad prefix/],
  ])('refuses %s', (spec, message) => {
    expect(() => parseAllowlist(spec)).toThrow(message);
  });
});

describe('checkUrl', () => {
  const publicDns = async () => ['93.184.216.34'];

  it.each([
    'http://127.0.0.1:9200/logs/_doc',
    'http://2130706433:9200/',
    'http://0177.0.0.1:9200/',
    'http://0x7f.1/',
    'http://127.1/',
    'http://0.0.0.0/',
    'http://[::1]:9200/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://192.168.0.10/',
    'http://100.100.100.100/',
    'http://localhost:9200/',
    'http://LOCALHOST./',
    'http://anything.localhost/',
    'http://localhost.localdomain/',
    'ftp://93.184.216.34/',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', async (url) => {
    await expect(
      checkUrl(url, STRICT_POLICY, { resolve: publicDns }),
    ).rejects.toBeInstanceOf(ForbiddenDestinationError);
  });

  it('refuses a name when any of its addresses is forbidden', async () => {
    await expect(
      checkUrl('https://hooks.example.com/x', STRICT_POLICY, {
        field: 'delivery.webhookUrl',
        resolve: async () => ['93.184.216.34', '10.0.0.5'],
      }),
    ).rejects.toThrow(
      'delivery.webhookUrl: hooks.example.com resolves to a private address (10.0.0.5)',
    );
  });

  it('refuses a name that does not resolve', async () => {
    await expect(
      checkUrl('https://nowhere.invalid/', STRICT_POLICY, {
        resolve: () => Promise.reject(new Error('ENOTFOUND')),
      }),
    ).rejects.toThrow('does not resolve');
  });

  it('accepts a public name and a public literal', async () => {
    const named = await checkUrl('https://hooks.example.com/x', STRICT_POLICY, {
      resolve: publicDns,
    });
    expect(named).toMatchObject({ addresses: ['93.184.216.34'], port: 443 });
    const literal = await checkUrl('http://93.184.216.34:8080/', STRICT_POLICY);
    expect(literal).toMatchObject({ addresses: ['93.184.216.34'], port: 8080 });
  });

  it('lets the allowlist open one address and port, not others', async () => {
    const policy = parseAllowlist('127.0.0.1:4010');
    await expect(
      checkUrl('http://127.0.0.1:4010/hook', policy),
    ).resolves.toMatchObject({
      port: 4010,
    });
    await expect(checkUrl('http://127.0.0.1:9200/', policy)).rejects.toThrow(
      'loopback',
    );
    await expect(
      checkUrl('http://[::ffff:127.0.0.1]:4010/', policy),
    ).resolves.toMatchObject({ port: 4010 });
  });
});

describe('guardedLookup', () => {
  it('refuses at connect time a name that resolves to loopback', async () => {
    const lookup = guardedLookup(STRICT_POLICY, 80);
    const err = await new Promise<unknown>((resolve) =>
      lookup('localhost', {}, (e) => resolve(e)),
    );
    expect(err).toBeInstanceOf(ForbiddenDestinationError);
    expect((err as Error).message).toMatch(
      /localhost resolves to a loopback address/,
    );
  });

  it('answers in both callback shapes when allowed', async () => {
    const lookup = guardedLookup(parseAllowlist('127.0.0.0/8,::1'), 80);
    const all = await new Promise<unknown>((resolve, reject) =>
      lookup('localhost', { all: true }, (e, a) =>
        e ? reject(e) : resolve(a),
      ),
    );
    expect(Array.isArray(all)).toBe(true);
    const one = await new Promise<unknown>((resolve, reject) =>
      lookup('localhost', {}, (e, a) => (e ? reject(e) : resolve(a))),
    );
    expect(typeof one).toBe('string');
  });
});

describe('guardedRequest against a real local server', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/hang') return; // never answers
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/internal` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a receiver that does not answer within timeoutMs', async () => {
    const policy = parseAllowlist(`127.0.0.1:${port}`);
    await expect(
      guardedRequest(
        `http://127.0.0.1:${port}/hang`,
        { body: '{}', method: 'POST', timeoutMs: 200 },
        policy,
      ),
    ).rejects.toThrow('no complete answer within 200 ms');
  });

  it('refuses loopback without an allowlist and never connects', async () => {
    seen.length = 0;
    await expect(
      guardedRequest(
        `http://127.0.0.1:${port}/x`,
        { timeoutMs: 2000 },
        STRICT_POLICY,
      ),
    ).rejects.toBeInstanceOf(ForbiddenDestinationError);
    expect(seen).toEqual([]);
  });

  it('delivers to an allowlisted receiver and does not follow its redirect', async () => {
    seen.length = 0;
    const policy = parseAllowlist(`127.0.0.1:${port}`);
    const res = await guardedRequest(
      `http://127.0.0.1:${port}/redirect`,
      { body: '{}', method: 'POST', timeoutMs: 2000 },
      policy,
    );
    expect(res.status).toBe(302);
    expect(seen).toEqual(['/redirect']);
    const ok = await guardedRequest(
      `http://127.0.0.1:${port}/hook`,
      { timeoutMs: 2000 },
      policy,
    );
    expect(ok).toMatchObject({ body: 'ok', status: 200 });
  });

  it('checks a URL again under each policy, and refuses a forbidden one every time', async () => {
    seen.length = 0;
    const url = `http://127.0.0.1:${port}/again`;
    const open = parseAllowlist(`127.0.0.1:${port}`);
    for (let i = 0; i < 2; i++) {
      expect(
        (await guardedRequest(url, { timeoutMs: 2000 }, open)).status,
      ).toBe(200);
    }
    // The same URL, allowed (and remembered) under one policy, not under another.
    for (let i = 0; i < 2; i++) {
      await expect(
        guardedRequest(url, { timeoutMs: 2000 }, STRICT_POLICY),
      ).rejects.toBeInstanceOf(ForbiddenDestinationError);
    }
    expect(seen).toEqual(['/again', '/again']);
  });
});
