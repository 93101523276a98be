import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REASONS, protectImage } from '../src/lib/gateway.js';
import { isValidJobId, newJobId } from '../src/lib/ids.js';
import { perturbedMessage } from '../src/lib/messages.js';
import { downloadName, protectedName } from '../src/lib/names.js';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

function fakeFetch(respond) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  fn.calls = calls;
  return fn;
}

describe('gateway client', () => {
  it('posts the raw image with the job id and bearer token, and reads the protected image and report', async () => {
    const fetchImpl = fakeFetch(() => new Response(new Uint8Array([1, 2, 3]), {
      status: 200,
      headers: {
        'Content-Type': 'image/png', 'X-UploadGuard-Job': 'job12345', 'X-UploadGuard-Epsilon': '8',
        'X-UploadGuard-Linf-Before-Encoding': '8', 'X-UploadGuard-Linf-Decoded': '7', 'X-UploadGuard-Linf-Decoder': 'imagesharp',
        'X-UploadGuard-Psnr': '40.70', 'X-UploadGuard-Model': '0.1.0-untrained', 'X-UploadGuard-Status': 'perturbed',
        'X-UploadGuard-Claim': 'none-claimed', 'X-UploadGuard-Warning': 'untrained model: no protection claimed',
      },
    }));
    const r = await protectImage({ fetchImpl, gatewayUrl: 'http://127.0.0.1:5080/', token: 'tok', jobId: 'job12345', bytes: png, mime: 'image/png' });
    const [call] = fetchImpl.calls;
    assert.equal(call.url, 'http://127.0.0.1:5080/api/protect');
    assert.equal(call.init.method, 'POST');
    assert.equal(call.init.headers['X-UploadGuard-Job'], 'job12345');
    assert.equal(call.init.headers.Authorization, 'Bearer tok');
    assert.equal(call.init.headers['Content-Type'], 'image/png');
    assert.equal(call.init.credentials, 'omit');
    assert.equal(call.init.body, png);
    assert.equal(r.ok, true);
    assert.equal(r.mime, 'image/png');
    assert.deepEqual(new Uint8Array(r.bytes), new Uint8Array([1, 2, 3]));
    assert.deepEqual(r.report, {
      status: 'perturbed', claim: 'none-claimed', epsilon: 8, linfBeforeEncoding: 8, linfDecoded: 7, linfDecoder: 'imagesharp',
      psnr: '40.70', model: '0.1.0-untrained', warning: 'untrained model: no protection claimed',
    });
  });

  it('says what was perturbed and, separately, what the model claims', () => {
    assert.equal(perturbedMessage(2, { epsilon: 8, claim: 'none-claimed', warning: 'untrained model: no protection claimed' }),
      'UploadGuard perturbed 2 photos within epsilon 8; no protection claimed. (untrained model: no protection claimed)');
    assert.equal(perturbedMessage(1, { epsilon: 16, claim: 'measured' }),
      'UploadGuard perturbed 1 photo within epsilon 16; the model claims measured protection (see its model card for the scope).');
    assert.equal(perturbedMessage(1, { epsilon: 8, claim: 'below-measured-epsilon' }),
      'UploadGuard perturbed 1 photo within epsilon 8; no protection claimed at this epsilon.');
    assert.doesNotMatch(perturbedMessage(1, { epsilon: 8, claim: 'none-claimed' }), /\bprotected\b/);
  });

  it('sends no Authorization header without a token', async () => {
    const fetchImpl = fakeFetch(() => new Response(png, { headers: { 'Content-Type': 'image/png' } }));
    await protectImage({ fetchImpl, gatewayUrl: 'http://g', token: '', jobId: 'job12345', bytes: png, mime: '' });
    assert.equal('Authorization' in fetchImpl.calls[0].init.headers, false);
    assert.equal(fetchImpl.calls[0].init.headers['Content-Type'], 'application/octet-stream');
  });

  it('turns problem+json refusals into their reason code and detail', async () => {
    const fetchImpl = fakeFetch(() => new Response(JSON.stringify({ title: 'Unsupported image format', detail: 'GIF cannot be protected.', reason: 'unsupported_format' }), {
      status: 415, headers: { 'Content-Type': 'application/problem+json' },
    }));
    const r = await protectImage({ fetchImpl, gatewayUrl: 'http://g', token: 't', jobId: 'job12345', bytes: png, mime: 'image/gif' });
    assert.deepEqual(r, { ok: false, jobId: 'job12345', status: 415, reason: 'unsupported_format', message: 'GIF cannot be protected.' });

    const plain = await protectImage({ fetchImpl: fakeFetch(() => new Response('oops', { status: 502 })), gatewayUrl: 'http://g', jobId: 'job12345', bytes: png });
    assert.equal(plain.reason, 'http_502');
    assert.match(plain.message, /HTTP 502/);
  });

  it('reports an unreachable gateway, a timeout and a non-image answer', async () => {
    const down = await protectImage({ fetchImpl: fakeFetch(() => { throw new TypeError('Failed to fetch'); }), gatewayUrl: 'http://g:1', jobId: 'job12345', bytes: png });
    assert.equal(down.reason, REASONS.unreachable);
    assert.match(down.message, /http:\/\/g:1 is unreachable/);

    const slow = await protectImage({
      fetchImpl: (_url, init) => new Promise((_, reject) => {
        const keepAlive = setTimeout(() => {}, 5000); // AbortSignal.timeout's timer does not hold the event loop open
        init.signal.addEventListener('abort', () => {
          clearTimeout(keepAlive);
          reject(init.signal.reason);
        });
      }),
      gatewayUrl: 'http://g', jobId: 'job12345', bytes: png, timeoutMs: 20,
    });
    assert.equal(slow.reason, REASONS.timeout);

    const html = await protectImage({ fetchImpl: fakeFetch(() => new Response('<html>', { headers: { 'Content-Type': 'text/html' } })), gatewayUrl: 'http://g', jobId: 'job12345', bytes: png });
    assert.equal(html.reason, REASONS.badAnswer);
  });
});

describe('job ids and file names', () => {
  it('picks job ids the gateway accepts', () => {
    const id = newJobId();
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(isValidJobId(id), true);
    assert.equal(newJobId(() => 'aaaa-bbbb-cccc'), 'aaaabbbbcccc');
    assert.equal(isValidJobId('short'), false);
    assert.equal(isValidJobId('x'.repeat(65)), false);
    assert.equal(isValidJobId('has space1'), false);
  });

  it('names downloads after the image URL', () => {
    assert.equal(downloadName('https://x.example/a/cat%20pic.jpg?s=1', 'image/jpeg'), 'cat pic.jpg');
    assert.equal(downloadName('https://x.example/render?id=3', 'image/png'), 'render.png');
    assert.equal(downloadName('data:image/png;base64,AAAA', 'image/png'), 'image.png');
    assert.equal(downloadName('https://x.example/..%2F..%2Fetc%2Fpasswd', 'image/webp'), '_.._etc_passwd.webp');
    assert.equal(downloadName('https://x.example/a%2Fb%3A.png', 'image/png'), 'a_b_.png');
    assert.equal(downloadName('not a url', 'text/plain'), 'image');
    assert.equal(protectedName('cat.png'), 'cat.protected.png');
    assert.equal(protectedName('noext'), 'noext.protected');
  });
});
