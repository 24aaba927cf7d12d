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

/** Runs `fn` and returns what it threw, asserting its class (the test fails if it returns). */
export function thrown<T>(fn: () => unknown, type: new (...args: never[]) => T): T {
  let outcome: unknown;
  try {
    fn();
  } catch (error) {
    outcome = error;
  }
  expect(outcome).toBeInstanceOf(type);
  return outcome as T;
}
