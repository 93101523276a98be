// The end-to-end test's upload target must read multipart bodies exactly; checked here without a browser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMultipart } from '../e2e/site.mjs';
import { comparePngs, makePhoto } from '../e2e/photo.mjs';

describe('e2e helpers', () => {
  it('splits a multipart body into exact parts', async () => {
    const form = new FormData();
    form.append('title', 'hello');
    const bytes = new Uint8Array([0, 13, 10, 45, 45, 255]);
    form.append('photo', new Blob([bytes], { type: 'image/png' }), 'a.png');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    const parts = parseMultipart(body, request.headers.get('content-type'));
    assert.equal(parts.length, 2);
    assert.deepEqual(parts[0], { name: 'title', fileName: null, contentType: null, data: Buffer.from('hello') });
    assert.equal(parts[1].fileName, 'a.png');
    assert.equal(parts[1].contentType, 'image/png');
    assert.deepEqual(new Uint8Array(parts[1].data), bytes);
  });

  it('compares decoded photos', () => {
    const a = makePhoto(32, 24, 1);
    assert.deepEqual(comparePngs(a, a), { sameSize: true, maxDiff: 0, changed: 0, alphaEqual: true, values: 32 * 24 * 3 });
    const b = comparePngs(a, makePhoto(32, 24, 2));
    assert.ok(b.changed > 0 && b.maxDiff > 0);
    assert.equal(comparePngs(a, makePhoto(16, 24, 1)).sameSize, false);
  });
});
