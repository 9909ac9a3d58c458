import {
  type ArgumentMetadata,
  BadRequestException,
  Injectable,
  type PipeTransform,
} from '@nestjs/common';

/** The path of the first string holding U+0000 in `value`, or undefined. */
export function findNulCharacter(
  value: unknown,
  path: string,
  depth = 0,
): string | undefined {
  if (typeof value === 'string')
    return value.includes('\u0000') ? path : undefined;
  if (depth > 32 || value === null || typeof value !== 'object')
    return undefined;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return path ? `${path}.<key>` : '<key>';
    const found = findNulCharacter(
      child,
      Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      depth + 1,
    );
    if (found) return found;
  }
  return undefined;
}

/**
 * Global pipe: a NUL character (U+0000) in any body field, query parameter or
 * path parameter is a 400 naming the field. PostgreSQL rejects it in text
 * (which answered 500), and it has no business in names, symbols or URLs.
 */
@Injectable()
export class RejectNulCharactersPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const where =
      metadata.type === 'body'
        ? ''
        : metadata.type === 'query'
          ? 'query'
          : 'params';
    const prefix = metadata.data
      ? where
        ? `${where}.${metadata.data}`
        : metadata.data
      : where;
    const found = findNulCharacter(value, prefix);
    if (found !== undefined) {
      throw new BadRequestException(
        `${found || 'body'}: must not contain the NUL character (U+0000)`,
      );
    }
    return value;
  }
}
