import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  base64ToBytes, buildTransfer, bytesToBase64, emptyFiles, imageIndexes, isImageFile, protectedFile, snapshotTransfer,
} from '../src/lib/files.js';

/** Just enough of the browser's DataTransfer: items.add(file), files, setData/getData, types. */
class FakeDataTransfer {
  constructor() {
    this.files = [];
    this.data = new Map();
    this.items = { add: (file) => this.files.push(file) };
  }
  get types() {
    return [...this.data.keys(), ...(this.files.length ? ['Files'] : [])];
  }
  setData(type, value) {
    if (type === 'application/x-forbidden') throw new Error('not allowed');
    this.data.set(type, value);
  }
  getData(type) {
    return this.data.get(type) ?? '';
  }
}
const createDataTransfer = () => new FakeDataTransfer();
const file = (name, type, text = 'x', lastModified = 1700000000000) => new File([text], name, { type, lastModified });

describe('file swapping', () => {
  it('recognises images by type or by name', () => {
    assert.equal(isImageFile(file('a.png', 'image/png')), true);
    assert.equal(isImageFile(file('scan', 'image/heic')), true);
    assert.equal(isImageFile(file('IMG_1.JPG', '')), true);
    assert.equal(isImageFile(file('notes.txt', 'text/plain')), false);
    assert.equal(isImageFile(file('report.pdf', 'application/pdf')), false);
    assert.equal(isImageFile(null), false);
    assert.deepEqual(imageIndexes([file('a.txt', 'text/plain'), file('b.webp', 'image/webp'), file('c.jpeg', '')]), [1, 2]);
    assert.deepEqual(imageIndexes(undefined), []);
  });

  it('makes the protected file under the original name, type and time', async () => {
    const original = file('holiday.png', 'image/png', 'original');
    const swapped = protectedFile(original, new TextEncoder().encode('protected'), 'image/png');
    assert.equal(swapped.name, 'holiday.png');
    assert.equal(swapped.type, 'image/png');
    assert.equal(swapped.lastModified, original.lastModified);
    assert.equal(await swapped.text(), 'protected');
    // an original without a type takes the gateway's
    assert.equal(protectedFile(file('x.jpg', ''), new Uint8Array(1), 'image/jpeg').type, 'image/jpeg');
  });

  it('swaps the protected files in place and keeps the others, in order', () => {
    const files = [file('a.txt', 'text/plain'), file('b.png', 'image/png'), file('c.jpg', 'image/jpeg')];
    const b2 = file('b.png', 'image/png', 'B');
    const c2 = file('c.jpg', 'image/jpeg', 'C');
    const dt = buildTransfer(files, new Map([[1, b2], [2, c2]]), createDataTransfer);
    assert.deepEqual(dt.files, [files[0], b2, c2]);
    assert.deepEqual(buildTransfer(files, new Map(), createDataTransfer).files, files);
    assert.deepEqual(emptyFiles(createDataTransfer), []);
  });

  it('carries the string data of a drop or paste over to the new transfer', () => {
    const original = new FakeDataTransfer();
    original.setData('text/uri-list', 'https://x.example/a.png');
    original.setData('application/x-forbidden-not', 'y');
    original.items.add(file('a.png', 'image/png'));
    const snap = snapshotTransfer(original);
    assert.deepEqual(snap.strings, [
      { type: 'text/uri-list', data: 'https://x.example/a.png' },
      { type: 'application/x-forbidden-not', data: 'y' },
    ]);
    assert.equal(snap.files.length, 1);
    const rebuilt = buildTransfer(snap.files, new Map(), createDataTransfer, [...snap.strings, { type: 'application/x-forbidden', data: 'z' }]);
    assert.equal(rebuilt.getData('text/uri-list'), 'https://x.example/a.png');
    assert.equal(rebuilt.getData('application/x-forbidden'), ''); // refused types are left out, not fatal
    assert.deepEqual(snapshotTransfer(null).files, []);
  });

  it('round-trips bytes through base64 for runtime messaging, large ones too', () => {
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 31 + 7) & 0xff);
    const back = base64ToBytes(bytesToBase64(bytes.buffer));
    assert.deepEqual(back, bytes);
    assert.equal(bytesToBase64(new Uint8Array([0, 255, 1])), 'AP8B');
    assert.deepEqual(base64ToBytes(''), new Uint8Array(0));
  });
});
