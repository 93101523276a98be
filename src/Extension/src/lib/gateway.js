// Calls POST /api/protect. Runs in the service worker, whose host permissions exempt it from CORS.

export const PROTECT_PATH = '/api/protect';
export const JOB_HEADER = 'X-UploadGuard-Job';
export const PROTECT_TIMEOUT_MS = 60_000;

/** Reason codes the extension adds to the gateway's own (problem+json `reason`). */
export const REASONS = Object.freeze({
  unreachable: 'gateway_unreachable',
  timeout: 'gateway_timeout',
  badAnswer: 'gateway_bad_answer',
});

/**
 * Sends one image and returns the protected one in the same format.
 * @returns {Promise<{ok: true, bytes: ArrayBuffer, mime: string, report: object, jobId: string}
 *                 | {ok: false, reason: string, message: string, status: number | null, jobId: string}>}
 */
export async function protectImage({ fetchImpl = fetch, gatewayUrl, token, jobId, bytes, mime, timeoutMs = PROTECT_TIMEOUT_MS }) {
  const headers = { 'Content-Type': mime || 'application/octet-stream', [JOB_HEADER]: jobId };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetchImpl(gatewayUrl.replace(/\/+$/, '') + PROTECT_PATH, {
      method: 'POST',
      headers,
      body: bytes,
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
    return {
      ok: false,
      jobId,
      status: null,
      reason: timedOut ? REASONS.timeout : REASONS.unreachable,
      message: timedOut
        ? `The UploadGuard gateway did not answer within ${Math.round(timeoutMs / 1000)} s.`
        : `The UploadGuard gateway at ${gatewayUrl} is unreachable.`,
    };
  }

  if (!response.ok) return { ok: false, jobId, status: response.status, ...(await describeRefusal(response)) };

  const type = (response.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  if (!type.startsWith('image/')) {
    return { ok: false, jobId, status: response.status, reason: REASONS.badAnswer, message: `The gateway answered ${type || 'without a type'}, not an image.` };
  }
  const h = (name) => response.headers.get(`X-UploadGuard-${name}`);
  return {
    ok: true,
    jobId: h('Job') ?? jobId,
    mime: type,
    bytes: await response.arrayBuffer(),
    // Two separate things, as the gateway says them: whether the image was perturbed within the budget (status), and
    // what the model's card claims for it (claim: none-claimed, measured or below-measured-epsilon). The L-infinity
    // figures are named: the bound on the pixels encoded, and the change measured after decoding, by which decoder.
    report: {
      status: h('Status'),
      claim: h('Claim'),
      epsilon: numberOrNull(h('Epsilon')),
      linfBeforeEncoding: numberOrNull(h('Linf-Before-Encoding')),
      linfDecoded: numberOrNull(h('Linf-Decoded')),
      linfDecoder: h('Linf-Decoder'),
      psnr: h('Psnr'),
      model: h('Model'),
      warning: h('Warning'),
    },
  };
}

/** The reason code and message of a refusal: problem+json when the gateway sent it, the status otherwise. */
export async function describeRefusal(response) {
  let problem = null;
  try {
    const text = await response.text();
    problem = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: fall back to the status
  }
  const reason = typeof problem?.reason === 'string' ? problem.reason : `http_${response.status}`;
  const message = problem?.detail || problem?.title || `The gateway refused the image (HTTP ${response.status}).`;
  return { reason, message };
}

function numberOrNull(value) {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
