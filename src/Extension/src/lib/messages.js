// Runtime message types between the content script, the popup/options pages and the service worker, and the texts the
// content script shows on the page.

export const MSG = Object.freeze({
  protect: 'ug:protect', // content -> worker: { name, mime, data (base64), site } -> protect result
  fetchImage: 'ug:fetch-image', // worker -> content: { url } -> { ok, data, mime } (context-menu fallback)
  testGateway: 'ug:test-gateway', // options -> worker: {} -> { ok, message }
  clearJobs: 'ug:clear-jobs', // popup -> worker
});

const plural = (n, one, many) => (n === 1 ? one : many);

/** The text of the blocking notice (fail closed): which files, why, and what to do. */
export function blockedMessage(failures) {
  const names = failures.map((f) => f.name).join(', ');
  const reasons = [...new Set(failures.map((f) => f.message || f.reason))].join(' ');
  return `UploadGuard blocked this upload: ${names} could not be protected. ${reasons} ` +
    `Nothing was uploaded. Check the gateway in the extension's options, or switch protection off for this site.`;
}

/** The text of the fail-open warning: the page carries on with the originals. */
export function unprotectedMessage(failures) {
  const names = failures.map((f) => f.name).join(', ');
  const reasons = [...new Set(failures.map((f) => f.message || f.reason))].join(' ');
  return `UploadGuard could not protect ${names}; ${plural(failures.length, 'it goes', 'they go')} up unprotected ` +
    `(fail-open is on). ${reasons}`;
}

export const protectingMessage = (n) => `UploadGuard is protecting ${n} ${plural(n, 'photo', 'photos')}…`;

export const protectedMessage = (n, warning) =>
  `UploadGuard protected ${n} ${plural(n, 'photo', 'photos')}.` + (warning ? ` (${warning})` : '');
