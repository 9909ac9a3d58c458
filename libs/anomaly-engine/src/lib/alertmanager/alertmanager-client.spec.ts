import { AlertmanagerClient } from './alertmanager-client';
import { AlertmanagerRequestError } from './alertmanager.errors';

const ALERT = { annotations: {}, labels: { alertname: 'X' } };

describe('AlertmanagerClient', () => {
  describe('#post', () => {
    it('posts JSON to /api/v2/alerts of every peer', async () => {
      const fetchFn = jest.fn(() =>
        Promise.resolve(new Response('', { status: 200 })),
      );
      const client = new AlertmanagerClient({
        baseUrls: ['http://a:9093/', 'http://b:9093'],
        fetch: fetchFn,
      });
      await client.post([ALERT]);
      expect(fetchFn.mock.calls.map((call: unknown[]) => call[0])).toEqual([
        'http://a:9093/api/v2/alerts',
        'http://b:9093/api/v2/alerts',
      ]);
    });

    it('succeeds when one peer of two accepts', async () => {
      const fetchFn = jest
        .fn()
        .mockRejectedValueOnce(new Error('ECONNREFUSED'))
        .mockResolvedValueOnce(new Response('', { status: 200 }));
      const client = new AlertmanagerClient({
        baseUrls: ['http://a', 'http://b'],
        fetch: fetchFn,
      });
      await expect(client.post([ALERT])).resolves.toBeUndefined();
    });

    it('throws AlertmanagerRequestError with the status when every peer refuses', async () => {
      const fetchFn = jest.fn(() =>
        Promise.resolve(new Response('bad alert', { status: 400 })),
      );
      const client = new AlertmanagerClient({
        baseUrls: ['http://a'],
        fetch: fetchFn,
      });
      await expect(client.post([ALERT])).rejects.toMatchObject({
        name: 'AlertmanagerRequestError',
        status: 400,
      });
      await expect(client.post([ALERT])).rejects.toBeInstanceOf(
        AlertmanagerRequestError,
      );
    });

    it('sends nothing for an empty batch', async () => {
      const fetchFn = jest.fn();
      await new AlertmanagerClient({
        baseUrls: ['http://a'],
        fetch: fetchFn,
      }).post([]);
      expect(fetchFn).not.toHaveBeenCalled();
    });
  });
});
