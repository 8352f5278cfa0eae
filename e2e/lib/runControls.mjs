// Waiting for a run in the app: a run estimated to take longer than ~20 s asks first ("Run anyway"); the
// suite's runs are sized by their own m and prompt, so a test that does not look at that question answers it.

/** Waits until the run is done or failed, going ahead when the app asks about a long run; returns whether it asked. */
export async function settleRun(page, timeout = 300_000) {
  const deadline = Date.now() + timeout;
  let asked = false;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the run did not finish within ${timeout} ms`);
    const el = await page.waitForSelector('[data-testid=run-status][data-state=done], [data-testid=run-error], [data-testid=long-run-confirm]', { timeout: left });
    if ((await el.getAttribute('data-testid')) !== 'long-run-confirm') return asked;
    asked = true;
    await page.click('[data-testid=long-run-go]');
    await page.waitForSelector('[data-testid=long-run-confirm]', { state: 'detached', timeout: 10_000 });
  }
}
