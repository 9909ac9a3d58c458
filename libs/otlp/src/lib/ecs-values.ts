// OTLP AnyValue / attributes → plain JSON values for ECS documents.
import type { OtlpAnyValue, OtlpKeyValue } from './otlp-request';
import { doubleToJs, int64ToJs } from './otlp-values';

/** A value allowed in `otel.attributes` / `otel.resource.attributes`. */
export type FlatValue = string | number | boolean | null | FlatPrimitive[];
type FlatPrimitive = string | number | boolean | null;

/**
 * An AnyValue as plain JSON: kvlists become objects, arrays arrays, int64
 * numbers when safe (else decimal strings), non-finite doubles null, bytes
 * base64, an empty value null.
 */
export function plainValue(v: OtlpAnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return int64ToJs(v.intValue);
  if (v.doubleValue !== undefined) return doubleToJs(v.doubleValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(plainValue);
  if (v.kvlistValue !== undefined) return plainObject(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** A kvlist as a plain object (later keys win). */
export function plainObject(kvs: OtlpKeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) out[kv.key] = plainValue(kv.value);
  return out;
}

function primitive(v: OtlpAnyValue): FlatPrimitive {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return int64ToJs(v.intValue);
  if (v.doubleValue !== undefined) return doubleToJs(v.doubleValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined || v.kvlistValue !== undefined) {
    return JSON.stringify(plainValue(v));
  }
  return null;
}

/**
 * An attribute value for a `flattened` field: a primitive, or an array of
 * primitives; kvlists (and arrays nested in arrays) are JSON-stringified.
 */
export function flatValue(v: OtlpAnyValue): FlatValue {
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(primitive);
  return primitive(v);
}

/** Attributes → one flat object of dotted keys (later keys win). */
export function flatAttributes(kvs: OtlpKeyValue[]): Record<string, FlatValue> {
  const out: Record<string, FlatValue> = {};
  for (let i = 0; i < kvs.length; i++)
    out[kvs[i].key] = flatValue(kvs[i].value);
  return out;
}

/**
 * An AnyValue as a string: strings as they are, bytes as base64, anything
 * else JSON-stringified.
 */
export function stringValue(v: OtlpAnyValue): string {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  return JSON.stringify(plainValue(v)) ?? '';
}

/** The string value of attribute `key`, when set to a non-empty scalar. */
export function attributeString(
  kvs: OtlpKeyValue[],
  key: string,
): string | undefined {
  for (let i = kvs.length - 1; i >= 0; i--) {
    if (kvs[i].key !== key) continue;
    const v = kvs[i].value;
    if (v.stringValue !== undefined)
      return v.stringValue === '' ? undefined : v.stringValue;
    if (v.intValue !== undefined) return v.intValue;
    if (v.doubleValue !== undefined) return String(v.doubleValue);
    if (v.boolValue !== undefined) return String(v.boolValue);
    return undefined;
  }
  return undefined;
}
