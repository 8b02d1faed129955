/** The error `run` throws, checked to be of `type`; fails the test when it throws nothing. */
export function thrown<E extends Error>(run: () => unknown, type: new (...args: any[]) => E): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}
