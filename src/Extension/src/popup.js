// The popup: the global switch, this site's switch, and the job list with live stages. It reads the jobs the service
// worker keeps in storage.session and redraws on every change, so progress shows as the hub reports it.

import { isTerminal, progressOf } from './lib/jobs.js';
import { MSG, claimText } from './lib/messages.js';
import { FAIL_OPEN, SETTINGS_KEY, isActiveFor, normalizeSettings, setSiteEnabled, siteKey } from './lib/settings.js';

const $ = (id) => document.getElementById(id);
let settings = normalizeSettings(null);
let site = null;

async function init() {
  const [stored, session, tab] = await Promise.all([
    chrome.storage.local.get(SETTINGS_KEY),
    chrome.storage.session.get('jobs'),
    activeTab(),
  ]);
  settings = normalizeSettings(stored[SETTINGS_KEY]);
  site = tab?.url && /^https?:/.test(tab.url) ? siteKey(tab.url) : null;
  renderSwitches();
  renderJobs(session.jobs);

  $('global-switch').addEventListener('change', (e) => save({ ...settings, enabled: e.target.checked }));
  $('site-switch').addEventListener('change', (e) => save(setSiteEnabled(settings, site, e.target.checked)));
  $('clear-jobs').addEventListener('click', () => chrome.runtime.sendMessage({ type: MSG.clearJobs }));
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'session' && changes.jobs) renderJobs(changes.jobs.newValue);
    if (area === 'local' && changes[SETTINGS_KEY]) {
      settings = normalizeSettings(changes[SETTINGS_KEY].newValue);
      renderSwitches();
    }
  });
}

async function activeTab() {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return tab ?? null;
  } catch {
    return null;
  }
}

async function save(next) {
  settings = normalizeSettings(next);
  await chrome.storage.local.set({ [SETTINGS_KEY]: settings });
  renderSwitches();
}

function renderSwitches() {
  $('global-switch').checked = settings.enabled;
  $('site-row').hidden = !site;
  if (site) {
    $('site-name').textContent = site;
    $('site-switch').checked = !settings.disabledSites.includes(site);
    $('site-switch').disabled = !settings.enabled;
  }
  const active = site ? isActiveFor(settings, site) : settings.enabled;
  $('fail-mode').textContent = !active
    ? 'Uploads here go up unprotected.'
    : settings.failMode === FAIL_OPEN
      ? 'Fail open: if protection fails, the original is uploaded.'
      : 'Fail closed: if protection fails, the upload is blocked.';
}

const STAGE_LABEL = { pending: 'starting', received: 'received', queued: 'queued', protecting: 'protecting', encoded: 'encoded', forwarded: 'forwarded', done: 'done', failed: 'failed' };

function renderJobs(state) {
  const jobs = state?.jobs ?? [];
  const active = jobs.filter((j) => !isTerminal(j.stage)).length;
  $('active-count').textContent = active ? `(${active} running)` : '';
  $('no-jobs').hidden = jobs.length > 0;
  $('clear-jobs').hidden = !jobs.some((j) => isTerminal(j.stage));
  $('jobs').replaceChildren(...jobs.map(renderJob));
}

function renderJob(job) {
  const li = document.createElement('li');
  li.className = 'job';
  li.dataset.jobId = job.id;
  li.dataset.stage = job.stage;
  li.dataset.live = String(job.live);

  const top = document.createElement('div');
  top.className = 'top';
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = job.fileName;
  name.title = `${job.fileName}${job.site ? ' on ' + job.site : ''} (job ${job.id})`;
  const stage = document.createElement('span');
  stage.className = 'stage';
  stage.textContent = STAGE_LABEL[job.stage] ?? job.stage;
  top.append(name, stage);

  const bar = document.createElement('div');
  bar.className = 'bar';
  const fill = document.createElement('div');
  fill.style.width = `${Math.round(progressOf(job.stage) * 100)}%`;
  bar.append(fill);

  const stages = document.createElement('div');
  stages.className = 'stages';
  stages.textContent = (job.kind === 'download' ? 'download · ' : job.site ? `${job.site} · ` : '') +
    (job.stages.map((s) => s.stage).join(' → ') || 'waiting for the gateway') +
    (job.live ? '' : ' (no live progress)');

  li.append(top, bar, stages);
  const detailText = job.stage === 'failed'
    ? `${job.reason ?? 'failed'}: ${job.detail ?? ''}`
    : job.report
      ? `perturbed within ε ${job.report.epsilon ?? '?'}: L∞ ${job.report.linfDecoded ?? '?'} after decoding (${job.report.linfDecoder ?? '?'}), ` +
        `PSNR ${job.report.psnr ?? '?'} dB · ${claimText(job.report.claim)}` + (job.report.warning ? ` · ${job.report.warning}` : '')
      : '';
  if (detailText) {
    const detail = document.createElement('div');
    detail.className = 'detail';
    detail.textContent = detailText;
    li.append(detail);
  }
  return li;
}

init();
