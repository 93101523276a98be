// End-to-end: the real Debian Chromium (--headless=new) with the unpacked extension from dist/, the real gateway on
// loopback, and a test site with an <input type=file> upload form. Playwright picks a photo and submits the form.
//
// 1. The upload target stores a protected image: same name and type, decoded difference at most the gateway's epsilon
//    (the shipped model's claimed one, from /readyz), protected with the client user's key as owner, and not
//    identical; the popup shows the job reach "done" with stages from the hub; a screenshot of the popup is saved.
// 2. A file input added later inside an open shadow root, a drop and a paste are protected the same way.
// 3. "Protect and download image" (the context menu's handler) downloads a protected copy.
// 4. With the gateway stopped, the upload is blocked (nothing reaches the target) and the page says why.
// 5. With fail-open chosen in the options, the original goes up and the page warns.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startGateway } from './gateway.mjs';
import { comparePngs, makePhoto } from './photo.mjs';
import { startSite } from './site.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, '../dist');
const artifacts = resolve(here, '../artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'e2e-' + Math.random().toString(36).slice(2);

describe('extension end to end', { timeout: 150_000 }, () => {
  let work;
  let gateway;
  let site;
  let context;
  let extensionId;
  let worker;
  let photoPath;
  let original;
  let epsilon;

  before(async () => {
    assert.ok(existsSync(join(dist, 'manifest.json')), 'dist/ is missing: run npm run build first');
    assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
    work = await mkdtemp(join(tmpdir(), 'uploadguard-e2e-'));
    await mkdir(artifacts, { recursive: true });
    original = makePhoto();
    photoPath = join(work, 'holiday.png');
    await writeFile(photoPath, original);

    [gateway, site] = await Promise.all([startGateway({ token: TOKEN }), startSite(join(work, 'stored'), original)]);
    epsilon = gateway.ready.defaultEpsilon;
    assert.ok(Number.isInteger(epsilon) && epsilon >= 1, `readiness names the default epsilon: ${JSON.stringify(gateway.ready)}`);

    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: chromiumPath,
      headless: false, // --headless=new below: the headless mode that runs extensions
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        '--headless=new',
        `--disable-extensions-except=${dist}`,
        `--load-extension=${dist}`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
      viewport: { width: 900, height: 700 },
    });
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    extensionId = new URL(worker.url()).host;

    // Configure the extension the way a person does: through its options page.
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    await options.locator('#gateway-url').fill(gateway.url);
    await options.locator('#token').fill(TOKEN);
    await options.locator('#save').click();
    await options.locator('#status', { hasText: 'Saved.' }).waitFor({ timeout: 10_000 });
    await options.locator('#test').click();
    await options.locator('#status', { hasText: 'Live progress: connected' }).waitFor({ timeout: 15_000 });
    await options.close();
  });

  after(async () => {
    await context?.close().catch(() => {});
    await gateway?.stop().catch(() => {});
    await site?.close().catch(() => {});
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('protects a photo picked in a file input before the page uploads it', async () => {
    const page = await context.newPage();
    await page.goto(site.url + '/');
    await page.locator('#photo').setInputFiles(photoPath);
    // Submitted at once, as a quick person would: the form is held until the photo is protected, then sent.
    await page.locator('#send').click();
    await page.locator('#stored').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#fields').textContent(), 'title=e2e holiday');

    assert.equal(site.uploads.length, 1, 'exactly one file reached the upload target');
    const [upload] = site.uploads;
    assert.equal(upload.field, 'photo');
    assert.equal(upload.fileName, 'holiday.png');
    assert.equal(upload.contentType, 'image/png');
    const stored = await readFile(upload.path);
    const cmp = comparePngs(original, stored);
    assert.ok(cmp.sameSize, 'same dimensions');
    assert.ok(cmp.maxDiff <= epsilon, `decoded difference ${cmp.maxDiff} is within epsilon ${epsilon}`);
    assert.ok(cmp.changed > 0, 'the stored image is not the original');
    assert.ok(cmp.alphaEqual, 'alpha untouched');
    console.log(`e2e: stored ${upload.size} bytes; max |diff| ${cmp.maxDiff}; ${cmp.changed} of ${cmp.values} values changed`);

    // The popup lists the job with the stages the hub pushed, ending in "done".
    const popup = await context.newPage();
    await popup.setViewportSize({ width: 400, height: 320 });
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    const job = popup.locator('.job[data-stage="done"]', { hasText: 'holiday.png' });
    await job.waitFor({ timeout: 15_000 });
    assert.equal(await job.getAttribute('data-live'), 'true', 'stages came over SignalR');
    const stages = await job.locator('.stages').textContent();
    for (const stage of ['received', 'queued', 'protecting', 'encoded', 'done']) assert.match(stages, new RegExp(stage));
    // The gateway's own words: perturbed within the budget, the decoded change named with its decoder, and what the
    // active model's card claims at that budget (the shipped owner-keyed model claims measured protection at its default).
    const detail = await job.locator('.detail').textContent();
    assert.match(detail, new RegExp(`perturbed within ε ${epsilon}: L∞ \\d+ after decoding \\(imagesharp\\)`));
    assert.equal(gateway.ready.model.ownerKeyed, true, 'the shipped active model is owner-keyed');
    assert.match(detail, /the model claims measured protection/);
    const screenshot = join(artifacts, 'popup.png');
    await popup.screenshot({ path: screenshot, fullPage: true });
    console.log(`e2e: popup screenshot at ${screenshot}`);
    await popup.close();
    await page.close();
  });

  it('protects photos in a file input added later inside a shadow root, dropped photos and pasted photos', async () => {
    const before = site.uploads.length;
    const page = await context.newPage();
    await page.goto(site.url + '/scripted');
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('#shadow-photo').setInputFiles({ name: 'avatar.png', mimeType: 'image/png', buffer: original });
    const b64 = original.toString('base64');
    await page.evaluate(({ b64 }) => {
      // Synthetic drop and paste events carrying a real File, as the browser hands them to the page.
      const photo = (name) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'image/png' });
      const drop = new DataTransfer();
      drop.items.add(photo('dropped.png'));
      drop.setData('text/plain', 'a dropped photo');
      document.getElementById('zone').dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true, composed: true }));
      const paste = new DataTransfer();
      paste.items.add(photo('pasted.png'));
      document.getElementById('paste').dispatchEvent(new ClipboardEvent('paste', { clipboardData: paste, bubbles: true, cancelable: true, composed: true }));
    }, { b64 });
    await page.waitForFunction(() => document.querySelectorAll('#log li').length >= 3, null, { timeout: 30_000 });
    const log = await page.locator('#log').textContent();
    assert.doesNotMatch(log, /no file/, 'the page never saw an empty selection');

    const got = Object.fromEntries(site.uploads.slice(before).map((u) => [u.fields.via, u]));
    assert.deepEqual(Object.keys(got).sort(), ['drop', 'paste', 'shadow']);
    for (const [via, name] of [['shadow', 'avatar.png'], ['drop', 'dropped.png'], ['paste', 'pasted.png']]) {
      const upload = got[via];
      assert.equal(upload.fileName, name, via);
      assert.equal(upload.contentType, 'image/png', via);
      const cmp = comparePngs(original, await readFile(upload.path));
      assert.ok(cmp.sameSize && cmp.maxDiff <= epsilon && cmp.changed > 0, `${via}: ${JSON.stringify(cmp)}`);
    }
    await page.close();
  });

  it('"Protect and download image" downloads a protected copy of an image on the page', async () => {
    const page = await context.newPage();
    await page.goto(site.url + '/');
    // The context menu's click handler, called with what Chrome passes it for an image of this page.
    await worker.evaluate(async ({ srcUrl, pageUrl }) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      await globalThis.uploadGuardDebug.protectAndDownload({ srcUrl, frameId: 0, menuItemId: 'x' }, tab);
    }, { srcUrl: site.url + '/photo.png', pageUrl: site.url + '/' });
    const item = await waitFor(async () => {
      // Playwright saves downloads under its own names, so find ours by its origin rather than by file name.
      const [found] = await worker.evaluate(() => chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 }));
      return found?.state === 'complete' && found.byExtensionName === 'UploadGuard' ? found : null;
    }, 20_000);
    const cmp = comparePngs(original, await readFile(item.filename));
    assert.ok(cmp.sameSize && cmp.maxDiff <= epsilon && cmp.changed > 0, JSON.stringify(cmp));
    await page.close();
  });

  it('blocks the upload and says why when the gateway is down (fail closed)', async () => {
    await gateway.stop();
    const before = site.uploads.length;
    const page = await context.newPage();
    await page.goto(site.url + '/');
    await page.locator('#photo').setInputFiles(photoPath);
    const alert = page.getByRole('alert').filter({ hasText: 'Upload blocked' });
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.textContent(), /holiday\.png could not be protected.*unreachable/s);

    // The original left the input, and submitting is refused.
    assert.equal(await page.locator('#photo').evaluate((input) => input.files.length), 0);
    await page.locator('#send').click();
    await page.waitForTimeout(500);
    assert.equal(page.url(), site.url + '/', 'the page did not navigate to the upload target');
    assert.equal(site.uploads.length, before, 'nothing reached the upload target');
    await page.screenshot({ path: join(artifacts, 'blocked.png') });

    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    await popup.locator('.job[data-stage="failed"]', { hasText: 'gateway_unreachable' }).waitFor({ timeout: 10_000 });
    await popup.close();
    await page.close();
  });

  it('lets the original through with a warning when fail-open is chosen', async () => {
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    await options.locator('#fail-open').check();
    await options.locator('#save').click();
    await options.locator('#status', { hasText: 'Saved.' }).waitFor();
    await options.close();

    const before = site.uploads.length;
    const page = await context.newPage();
    await page.goto(site.url + '/');
    await page.locator('#photo').setInputFiles(photoPath);
    await page.getByRole('alert').filter({ hasText: 'Uploaded unprotected' }).waitFor({ timeout: 30_000 });
    // The page's own change handler ran again, on the file handed back under the original name and type.
    await page.locator('#selected', { hasText: `selected holiday.png (image/png, ${original.length} bytes)` }).waitFor();
    await page.locator('#send').click();
    await page.locator('#stored').waitFor({ timeout: 30_000 });
    assert.equal(site.uploads.length, before + 1);
    assert.deepEqual(await readFile(site.uploads.at(-1).path), original, 'the original, byte for byte');
    await page.close();
  });
});

async function waitFor(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
