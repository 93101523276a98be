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

/** What the model's card claims, in the words the gateway uses (X-UploadGuard-Claim). */
export function claimText(claim) {
  if (claim === 'measured') return 'the model claims measured protection (see its model card for the scope)';
  if (claim === 'below-measured-epsilon') return 'no protection claimed at this epsilon';
  return 'no protection claimed';
}

/** The notice after the photos were perturbed: the budget, and separately what the model claims. */
export const perturbedMessage = (n, report) =>
  `UploadGuard perturbed ${n} ${plural(n, 'photo', 'photos')}` +
  (report?.epsilon != null ? ` within epsilon ${report.epsilon}` : '') +
  `; ${claimText(report?.claim)}.` + (report?.warning ? ` (${report.warning})` : '');
