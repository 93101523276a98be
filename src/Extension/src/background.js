// Service worker: holds the SignalR connection to the gateway's /hubs/progress, makes every /api/protect call (its host
// permissions exempt it from CORS), keeps the job list the popup shows and the badge counts, and runs the context menu.
//
// Order for every job: pick the id, Subscribe(id) on the hub, then POST /api/protect with X-UploadGuard-Job: id, so no
// stage is missed. When the hub is down the upload is still protected; the job then shows only what HTTP said.

import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { base64ToBytes, bytesToBase64 } from './lib/files.js';
import { protectImage } from './lib/gateway.js';
import { ProgressHubClient, retryPolicy } from './lib/hub.js';
import { newJobId } from './lib/ids.js';
import { downloadName, protectedName } from './lib/names.js';
import { badgeText, emptyJobs, isTerminal, jobsReducer } from './lib/jobs.js';
import { MSG } from './lib/messages.js';
import { DEFAULT_SETTINGS, SETTINGS_KEY, normalizeSettings } from './lib/settings.js';

const JOBS_KEY = 'jobs';
const MENU_ID = 'uploadguard-protect-download';
const log = (...args) => console.warn('[UploadGuard]', ...args);

// ---- the hub ----
const hub = new ProgressHubClient({
  createConnection: ({ url, token }) => new HubConnectionBuilder()
    .withUrl(url, { transport: HttpTransportType.WebSockets, skipNegotiation: true, accessTokenFactory: () => token })
    .withAutomaticReconnect(retryPolicy)
    .configureLogging(LogLevel.Error)
    .build(),
  // Stages arrive before jobs are loaded only for jobs of an earlier worker, which the reducer ignores.
  onStage: (event) => void dispatch({ type: 'stage', event, source: 'hub' }),
  log,
});

// ---- settings ----
let settings = normalizeSettings(null);
const settingsReady = chrome.storage.local.get(SETTINGS_KEY).then((r) => applySettings(r[SETTINGS_KEY]));
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes[SETTINGS_KEY]) applySettings(changes[SETTINGS_KEY].newValue);
});

function applySettings(raw) {
  settings = normalizeSettings(raw);
  hub.configure({ gatewayUrl: settings.gatewayUrl, token: settings.token });
}

// ---- jobs: the reducer's state, kept in storage.session so the popup can read it and a restarted worker keeps it ----
let jobs = emptyJobs();
const jobsReady = chrome.storage.session.get(JOBS_KEY).then((r) => {
  jobs = r[JOBS_KEY]?.jobs ? r[JOBS_KEY] : emptyJobs();
  // Jobs that were running when the worker stopped have lost their request: close them.
  for (const job of jobs.jobs) {
    if (!isTerminal(job.stage)) {
      jobs = jobsReducer(jobs, { type: 'finished', id: job.id, ok: false, reason: 'interrupted', detail: 'The extension restarted during this job.' });
    }
  }
  return publish();
});

let writing = Promise.resolve();
function dispatch(action) {
  const next = jobsReducer(jobs, action);
  if (next === jobs) return writing;
  jobs = next;
  return publish();
}

function publish() {
  const snapshot = jobs;
  writing = writing
    .then(() => Promise.all([
      chrome.storage.session.set({ [JOBS_KEY]: snapshot }),
      chrome.action.setBadgeText({ text: badgeText(snapshot) }),
    ]))
    .catch((e) => log('could not store jobs', e));
  return writing;
}

chrome.action.setBadgeBackgroundColor({ color: '#3367d6' }).catch(() => {});

// ---- one protection job ----
async function runJob({ fileName, site, kind, bytes, mime }) {
  await Promise.all([settingsReady, jobsReady]);
  const s = settings;
  const id = newJobId();
  await dispatch({ type: 'created', id, fileName, site, kind, at: new Date().toISOString() });
  try {
    await hub.subscribe(id);
  } catch (e) {
    log(`live progress unavailable for ${id}: ${e.message}`);
  }
  const result = await protectImage({ gatewayUrl: s.gatewayUrl, token: s.token, jobId: id, bytes, mime });
  await dispatch({
    type: 'finished',
    id,
    ok: result.ok,
    at: new Date().toISOString(),
    outcome: result.ok ? 'perturbed' : 'blocked',
    report: result.ok ? result.report : null,
    reason: result.ok ? null : result.reason,
    detail: result.ok ? null : result.message,
  });
  // Late hub messages for this job still land in its history; stop listening a little later.
  setTimeout(() => hub.unsubscribe(id), 2000);
  return { ...result, jobId: id };
}

// ---- messages from the content script and the extension's pages ----
chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  switch (message?.type) {
    case MSG.protect:
      handleProtect(message, sender).then(sendResponse, (e) => sendResponse({ ok: false, reason: 'extension_error', message: String(e?.message ?? e) }));
      return true;
    case MSG.testGateway:
      testGateway().then(sendResponse);
      return true;
    case MSG.clearJobs:
      dispatch({ type: 'cleared' }).then(() => sendResponse({ ok: true }));
      return true;
    default:
      return false;
  }
});

async function handleProtect(message, sender) {
  const site = sender.tab?.url ? new URL(sender.tab.url).host : message.site ?? '';
  const result = await runJob({
    fileName: message.name || 'image',
    site,
    kind: 'upload',
    bytes: base64ToBytes(message.data),
    mime: message.mime,
  });
  if (!result.ok) return { ok: false, jobId: result.jobId, reason: result.reason, message: result.message };
  return { ok: true, jobId: result.jobId, mime: result.mime, report: result.report, data: bytesToBase64(result.bytes) };
}

async function testGateway() {
  await settingsReady;
  const s = settings;
  try {
    const r = await fetch(s.gatewayUrl + '/readyz', { cache: 'no-store', signal: AbortSignal.timeout(5000) });
    const body = (await r.text()).trim();
    let hubNote = '';
    try {
      await hub.connect();
      hubNote = ' Live progress: connected.';
    } catch (e) {
      hubNote = ` Live progress: ${e.message}`;
    }
    return { ok: r.ok, message: `Gateway ${r.ok ? 'ready' : 'not ready'} (${r.status} ${body}).${hubNote}` };
  } catch (e) {
    return { ok: false, message: `The gateway at ${s.gatewayUrl} is unreachable (${e.message}).` };
  }
}

// ---- context menu: protect an image of the page and download the protected copy ----
chrome.runtime.onInstalled.addListener(async (details) => {
  chrome.contextMenus.create({ id: MENU_ID, title: 'Protect and download image', contexts: ['image'] }, () => void chrome.runtime.lastError);
  if (details.reason === 'install') {
    const stored = await chrome.storage.local.get(SETTINGS_KEY);
    if (!stored[SETTINGS_KEY]) await chrome.storage.local.set({ [SETTINGS_KEY]: { ...DEFAULT_SETTINGS } });
  }
});

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId !== MENU_ID || !info.srcUrl) return;
  protectAndDownload(info, tab).catch((e) => log('protect and download failed', e));
});

async function protectAndDownload(info, tab) {
  const image = await fetchImage(info.srcUrl, tab, info.frameId);
  const fileName = downloadName(info.srcUrl, image.mime);
  const site = tab?.url ? new URL(tab.url).host : '';
  if (!image.ok) {
    const id = newJobId();
    await dispatch({ type: 'created', id, fileName, site, kind: 'download' });
    await dispatch({ type: 'finished', id, ok: false, outcome: 'failed', reason: 'image_unreadable', detail: image.message });
    return;
  }
  const result = await runJob({ fileName, site, kind: 'download', bytes: image.bytes, mime: image.mime });
  if (!result.ok) return;
  const url = `data:${result.mime};base64,${bytesToBase64(result.bytes)}`;
  await chrome.downloads.download({ url, filename: protectedName(fileName), saveAs: false, conflictAction: 'uniquify' });
}

// For the end-to-end test and for debugging from the worker's console (a page cannot reach the worker's scope).
globalThis.uploadGuardDebug = { protectAndDownload };

/** The image's bytes: from the worker when it may read the URL, else through the page's content script. */
async function fetchImage(url, tab, frameId) {
  try {
    const r = await fetch(url, { credentials: 'include' });
    if (r.ok) return { ok: true, bytes: await r.arrayBuffer(), mime: (r.headers.get('Content-Type') ?? '').split(';')[0] };
  } catch {
    // no host permission for that origin, or no CORS: ask the page
  }
  if (tab?.id === undefined) return { ok: false, message: 'The image could not be read.' };
  try {
    const answer = await chrome.tabs.sendMessage(tab.id, { type: MSG.fetchImage, url }, { frameId: frameId ?? 0 });
    if (answer?.ok) return { ok: true, bytes: base64ToBytes(answer.data), mime: answer.mime };
    return { ok: false, message: `The image could not be read (${answer?.message ?? 'no answer'}).` };
  } catch (e) {
    return { ok: false, message: `The image could not be read (${e.message}).` };
  }
}
