import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { OTLP_TYPES, enumValues } from './otlp-proto';

describe('OTLP_ROOT', () => {
  it('matches the .proto files it is generated from', () => {
    const script = join(__dirname, '../../../scripts/generate-descriptor.cjs');
    expect(() =>
      execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('resolves the collector request and response messages', () => {
    expect(OTLP_TYPES.logsRequest.fieldsById[1].resolvedType?.fullName).toBe(
      '.opentelemetry.proto.logs.v1.ResourceLogs',
    );
    expect(Object.keys(OTLP_TYPES.metricsResponse.fields)).toEqual([
      'partialSuccess',
    ]);
  });

  it('exposes enum values by name', () => {
    expect(
      enumValues('opentelemetry.proto.logs.v1.SeverityNumber')
        .SEVERITY_NUMBER_WARN,
    ).toBe(13);
  });
});
