import { buildDiscoverUrl } from './discover-url';

describe('buildDiscoverUrl', () => {
  const url = buildDiscoverUrl({
    dataViewId: 'freeride-logs',
    from: new Date('2026-01-01T00:00:00Z'),
    kibanaUrl: 'http://kibana:5601/',
    query: 'log.level : "error"',
    service: 'o\'brien "svc"',
    to: new Date('2026-01-01T00:10:00Z'),
  });
  const hash = new URL(url).hash;
  const params = new URLSearchParams(hash.slice(hash.indexOf('?') + 1));

  it('points at Discover on the Kibana base URL without a double slash', () => {
    expect(url.startsWith('http://kibana:5601/app/discover#/?_g=')).toBe(true);
  });

  it('encodes the time window as Rison global state', () => {
    expect(params.get('_g')).toBe(
      "(filters:!(),time:(from:'2026-01-01T00:00:00.000Z',to:'2026-01-01T00:10:00.000Z'))",
    );
  });

  it('filters on the service with KQL quoting and Rison escaping', () => {
    expect(params.get('_a')).toBe(
      '(dataSource:(dataViewId:freeride-logs,type:dataView),query:(language:kuery,query:\'service.name : "o!\'brien \\"svc\\"" and log.level : "error"\'))',
    );
  });
});
