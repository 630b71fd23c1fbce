// Waiting for something that happens over a real socket or device: poll a condition until it holds,
// and fail with a clear message (not a silent pass) when it does not within the time.
export async function waitFor(cond: () => Promise<boolean> | boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
