import type { Script } from 'node:vm';

export const BUNDLE_PREFIX: string;
export const BUNDLE_SUFFIX: string;
export function cachePath(bundlePath: string): string;
export function cacheFile(bundleBytes: Uint8Array, v8Data: Uint8Array): Buffer;
export function runBundle(
  bundlePath: string,
  options?: { useCache?: boolean },
): { exports: Record<string, unknown>; script: Script };
