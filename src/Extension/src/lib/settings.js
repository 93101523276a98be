// Settings kept in chrome.storage.local under one key. Pure functions here; the storage calls live in the callers.

export const SETTINGS_KEY = 'settings';

export const FAIL_CLOSED = 'closed';
export const FAIL_OPEN = 'open';

export const DEFAULT_SETTINGS = Object.freeze({
  gatewayUrl: 'http://localhost:5080',
  token: '',
  enabled: true,
  failMode: FAIL_CLOSED,
  disabledSites: Object.freeze([]),
});

/**
 * Turns whatever storage holds (nothing, an older shape, hand-edited values) into a complete, valid settings object.
 * Anything doubtful falls back to the safe default: protection on, fail closed.
 */
export function normalizeSettings(raw) {
  const s = raw && typeof raw === 'object' ? raw : {};
  const gatewayUrl = normalizeGatewayUrl(s.gatewayUrl) ?? DEFAULT_SETTINGS.gatewayUrl;
  const sites = Array.isArray(s.disabledSites) ? s.disabledSites : [];
  return {
    gatewayUrl,
    token: typeof s.token === 'string' ? s.token.trim() : '',
    enabled: s.enabled !== false,
    failMode: s.failMode === FAIL_OPEN ? FAIL_OPEN : FAIL_CLOSED,
    disabledSites: [...new Set(sites.map(siteKey).filter(Boolean))].sort(),
  };
}

/** An http(s) URL without query, fragment or trailing slash, or null when it is not one. */
export function normalizeGatewayUrl(value) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  let url;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

/** The per-site switch keys on the host name (with port): "photos.example", "127.0.0.1:8080". */
export function siteKey(urlOrHost) {
  if (typeof urlOrHost !== 'string' || urlOrHost === '') return null;
  if (!urlOrHost.includes('://')) return urlOrHost.toLowerCase();
  try {
    const url = new URL(urlOrHost);
    return url.host ? url.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Whether uploads on this site are to be protected: the global switch is on and the site is not switched off. */
export function isActiveFor(settings, urlOrHost) {
  const s = normalizeSettings(settings);
  if (!s.enabled) return false;
  const key = siteKey(urlOrHost);
  return key === null || !s.disabledSites.includes(key);
}

/** A copy of the settings with the site switched on (true) or off (false). */
export function setSiteEnabled(settings, urlOrHost, on) {
  const s = normalizeSettings(settings);
  const key = siteKey(urlOrHost);
  if (key === null) return s;
  const sites = new Set(s.disabledSites);
  if (on) sites.delete(key);
  else sites.add(key);
  return { ...s, disabledSites: [...sites].sort() };
}

/** The match pattern Chrome needs a host permission for to reach the gateway ("http://host/*", port-agnostic). */
export function gatewayOriginPattern(gatewayUrl) {
  const url = new URL(gatewayUrl);
  return `${url.protocol}//${url.hostname}/*`;
}
