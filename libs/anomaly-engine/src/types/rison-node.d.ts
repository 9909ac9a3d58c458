// rison-node ships no type declarations; only `encode` is used.
declare module 'rison-node' {
  /** Encodes a JSON-like value as Rison. */
  export function encode(value: unknown): string;
}
