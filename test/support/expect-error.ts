import { expect } from 'vitest';

/** Runs the promise and returns what it threw, asserting its class (the test fails if it resolves). */
export async function rejection<T>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(type);
  return outcome as T;
}
