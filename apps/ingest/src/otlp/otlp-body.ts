import type { OtlpEncoding } from '@freeride/otlp';

import type { Request } from 'express';
import { type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import getRawBody from 'raw-body';

import { OtlpRequestError } from './otlp.errors';

/**
 * The OTLP/HTTP encoding of a request from its Content-Type.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp-request
 */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new OtlpRequestError(
    'unsupported_media_type',
    415,
    `unsupported Content-Type "${type || '(none)'}": use application/x-protobuf or application/json`,
  );
}

/**
 * Reads the whole body, gunzipping `Content-Encoding: gzip`, and refuses
 * more than `limit` bytes after decompression (a small gzip bomb is still
 * too large).
 */
export async function readOtlpBody(
  req: Request,
  limit: number,
): Promise<Buffer> {
  const contentEncoding = (
    req.headers['content-encoding'] ?? 'identity'
  ).toLowerCase();
  let source: Readable = req;
  if (contentEncoding === 'gzip') {
    source = req.pipe(createGunzip());
  } else if (contentEncoding !== 'identity') {
    throw new OtlpRequestError(
      'unsupported_media_type',
      415,
      `unsupported Content-Encoding "${contentEncoding}": use gzip or none`,
    );
  }
  try {
    return await getRawBody(source, {
      length:
        contentEncoding === 'identity'
          ? req.headers['content-length']
          : undefined,
      limit,
    });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw new OtlpRequestError(
        'too_large',
        413,
        `request body exceeds the ${limit} byte limit`,
        err,
      );
    }
    if ((err as { code?: string }).code?.startsWith('Z_')) {
      throw new OtlpRequestError(
        'bad_request',
        400,
        'body is not valid gzip',
        err,
      );
    }
    throw new OtlpRequestError(
      'bad_request',
      400,
      `could not read the request body: ${(err as Error).message}`,
      err,
    );
  }
}
