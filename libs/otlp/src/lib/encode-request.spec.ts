import { decodeOtlpRequest } from './decode';
import { encodeOtlpRequest } from './encode-request';

describe('encodeOtlpRequest', () => {
  it('produces protobuf that decodes back to the same records', () => {
    const json = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  body: { stringValue: 'hello' },
                  severityNumber: 9,
                  spanId: 'b7ad6b7169203331',
                  timeUnixNano: '1732480000000000000',
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                },
              ],
            },
          ],
        },
      ],
    };
    const fromProto = decodeOtlpRequest('logs', 'protobuf', encodeOtlpRequest('logs', json));
    const fromJson = decodeOtlpRequest('logs', 'json', Buffer.from(JSON.stringify(json)));
    expect({ ...fromProto, receivedAt: '' }).toEqual({ ...fromJson, receivedAt: '' });
  });
});
