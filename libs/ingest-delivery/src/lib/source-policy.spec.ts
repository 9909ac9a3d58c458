import { SourcePolicy, wildcardMatcher } from './source-policy';

describe('wildcardMatcher', () => {
  it('matches exact names and * wildcards only', () => {
    const m = wildcardMatcher(['web', 'checkout*', '*.access']);
    expect(['web', 'checkout', 'checkout.api', 'nginx.access'].map(m)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['webx', 'xcheckout', 'nginx.accessx', 'nginxaaccess'].map(m),
    ).toEqual([false, false, false, false]);
  });
});

describe('SourcePolicy', () => {
  const ds = (dataset: string, namespace = 'default') => ({
    dataset,
    namespace,
  });

  it('allows any unreserved data stream and service when nothing is configured', () => {
    const p = new SourcePolicy('node');
    expect(p.refusal(ds('generic'), 'svc')).toBeUndefined();
    expect(p.refusal(ds('nginx.access', 'prod'), 'anything')).toBeUndefined();
  });

  it('refuses the platform datasets to every source, whatever its policy', () => {
    const p = new SourcePolicy('node', { datasets: ['*'] });
    expect(p.refusal(ds('freeride.ingest'), 'svc')).toBe(
      'dataset "freeride.ingest" is reserved for the platform',
    );
    expect(p.refusal(ds('freeride'), 'svc')).toMatch(/reserved/);
    expect(p.refusal(ds('freerider'), 'svc')).toBeUndefined();
  });

  it('restricts datasets, namespaces and service names, naming what is allowed', () => {
    const p = new SourcePolicy('python', {
      datasets: ['generic', 'market.*'],
      namespaces: ['default'],
      services: ['freeride-fetch*'],
    });
    expect(p.refusal(ds('market.quotes'), 'freeride-fetch')).toBeUndefined();
    expect(p.refusal(ds('nginx'), 'freeride-fetch')).toBe(
      'source "python" may not write dataset "nginx" (allowed: generic, market.*)',
    );
    expect(p.refusal(ds('generic', 'prod'), 'freeride-fetch')).toBe(
      'source "python" may not write namespace "prod" (allowed: default)',
    );
    expect(p.refusal(ds('generic'), 'trading')).toBe(
      'source "python" may not send for service "trading" (allowed: freeride-fetch*)',
    );
  });
});
