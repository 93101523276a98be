// The options page: gateway URL, client token, the global switch, fail mode and the sites switched off.

import { MSG } from './lib/messages.js';
import { SETTINGS_KEY, gatewayOriginPattern, normalizeGatewayUrl, normalizeSettings, setSiteEnabled } from './lib/settings.js';

const $ = (id) => document.getElementById(id);
const form = $('options');
let settings = normalizeSettings(null);

function status(text, kind = '') {
  $('status').textContent = text;
  $('status').className = kind;
}

function render() {
  $('gateway-url').value = settings.gatewayUrl;
  $('token').value = settings.token;
  $('enabled').checked = settings.enabled;
  $(settings.failMode === 'open' ? 'fail-open' : 'fail-closed').checked = true;
  $('no-sites').hidden = settings.disabledSites.length > 0;
  $('sites').replaceChildren(...settings.disabledSites.map((site) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Protect again';
    button.addEventListener('click', async () => {
      settings = setSiteEnabled(settings, site, true);
      await chrome.storage.local.set({ [SETTINGS_KEY]: settings });
      render();
    });
    li.append(`${site} `, button);
    return li;
  }));
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const gatewayUrl = normalizeGatewayUrl($('gateway-url').value);
  if (!gatewayUrl) {
    status('The gateway URL must be an http:// or https:// address.', 'error');
    return;
  }
  // Reaching a gateway outside the default host permissions needs the user's grant (this click is the gesture).
  const origins = [gatewayOriginPattern(gatewayUrl)];
  if (!(await chrome.permissions.contains({ origins }))) {
    const granted = await chrome.permissions.request({ origins }).catch(() => false);
    if (!granted) {
      status(`Not saved: the extension needs permission to reach ${new URL(gatewayUrl).host}.`, 'error');
      return;
    }
  }
  settings = normalizeSettings({
    ...settings,
    gatewayUrl,
    token: $('token').value,
    enabled: $('enabled').checked,
    failMode: form.elements.failMode.value,
  });
  await chrome.storage.local.set({ [SETTINGS_KEY]: settings });
  render();
  status('Saved.', 'ok');
});

$('test').addEventListener('click', async () => {
  status('Testing…');
  const answer = await chrome.runtime.sendMessage({ type: MSG.testGateway });
  status(answer?.message ?? 'No answer from the extension.', answer?.ok ? 'ok' : 'error');
});

chrome.storage.local.get(SETTINGS_KEY).then((r) => {
  settings = normalizeSettings(r[SETTINGS_KEY]);
  render();
});
