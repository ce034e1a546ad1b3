/** Polls `check` until it holds; past `timeout` ms fails with what `explain` says (the consumer's output, its console). */
export async function waitFor(check: () => boolean, explain: () => string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out:\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
