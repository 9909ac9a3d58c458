import { startAlertmanager } from './alertmanager';
import { startPrometheus } from './prometheus';

describe('startAlertmanager', () => {
  it('starts with the default config, accepts an alert and stops', async () => {
    const am = await startAlertmanager();
    try {
      const post = await fetch(`${am.url}/api/v2/alerts`, {
        body: JSON.stringify([{ labels: { alertname: 'SpecAlert' } }]),
        headers: { 'content-type': 'application/json' },
        method: 'POST',
      });
      expect(post.status).toBe(200);
      const alerts = (await (
        await fetch(`${am.url}/api/v2/alerts`)
      ).json()) as { labels: Record<string, string> }[];
      expect(alerts.map((a) => a.labels['alertname'])).toContain('SpecAlert');
    } finally {
      await am.stop();
    }
    await expect(fetch(`${am.url}/-/ready`)).rejects.toThrow();
  });
});

describe('startPrometheus', () => {
  it('starts with a given config that scrapes itself and stops', async () => {
    const prom = await startPrometheus({
      config:
        'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: []\n',
    });
    try {
      const res = await fetch(`${prom.url}/api/v1/status/config`);
      const body = (await res.json()) as { data: { yaml: string } };
      expect(body.data.yaml).toContain('job_name: self');
    } finally {
      await prom.stop();
    }
  });
});
