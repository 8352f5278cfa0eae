// Waiting on the app's model card, and answering a link's download prompt (shared by the specs that
// open the app on a model link).

import assert from 'node:assert/strict';

/** Waits until the model card has finished loading `spec`: { status: 'ready' | 'error', error }. */
export async function settled(page, spec, timeout = 120_000) {
  await page.waitForFunction(
    (expected) => {
      const card = document.querySelector('[data-testid=model-card]');
      return card?.dataset.spec === expected && ['ready', 'error'].includes(card.dataset.status);
    },
    spec,
    { timeout },
  );
  const status = await page.getAttribute('[data-testid=model-card]', 'data-status');
  const error = status === 'error' ? await page.textContent('[data-testid=error-banner-text]') : null;
  return { status, error };
}

/** Waits for the prompt a link to another host gets, checks that it names `host`, and returns it. */
export async function downloadPrompt(page, host) {
  const prompt = await page.waitForSelector('[data-testid=download-consent]', { timeout: 60_000 });
  assert.equal(await prompt.getAttribute('data-host'), host);
  assert.equal((await page.textContent('[data-testid=consent-host]'))?.trim(), host);
  assert.equal(await page.getAttribute('[data-testid=model-card]', 'data-status'), 'consent');
  return prompt;
}

/** Approves the download a link asked for (its host must be `host`). */
export async function approveDownload(page, host) {
  await downloadPrompt(page, host);
  await page.click('[data-testid=consent-load]');
}
