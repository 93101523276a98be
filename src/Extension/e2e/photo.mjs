// A deterministic photo-like PNG (smooth gradients, shapes and sensor-like noise) and the decoded comparison the
// end-to-end test makes between the original and what the upload target stored.
import { PNG } from 'pngjs';

export function makePhoto(width = 320, height = 240, seed = 7) {
  const png = new PNG({ width, height });
  let state = seed >>> 0;
  const noise = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 24) / 255 - 0.5;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const sky = y < height * 0.55;
      const sun = (x - width * 0.7) ** 2 + (y - height * 0.25) ** 2 < (height * 0.12) ** 2;
      let r = sky ? 90 + 100 * (y / height) : 60 + 40 * Math.sin(x / 9);
      let g = sky ? 140 + 80 * (y / height) : 110 + 50 * (x / width);
      let b = sky ? 230 - 40 * (y / height) : 50;
      if (sun) [r, g, b] = [250, 220, 120];
      const n = noise() * 12;
      png.data[i] = clamp(r + n);
      png.data[i + 1] = clamp(g + n);
      png.data[i + 2] = clamp(b + n);
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));

/** Decodes both PNGs and compares them channel by channel. */
export function comparePngs(originalBytes, storedBytes) {
  const a = PNG.sync.read(originalBytes);
  const b = PNG.sync.read(storedBytes);
  if (a.width !== b.width || a.height !== b.height) {
    return { sameSize: false, maxDiff: Infinity, changed: 0, alphaEqual: false };
  }
  let maxDiff = 0;
  let changed = 0;
  let alphaEqual = true;
  for (let i = 0; i < a.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[i + c] - b.data[i + c]);
      if (d > 0) changed++;
      if (d > maxDiff) maxDiff = d;
    }
    if (a.data[i + 3] !== b.data[i + 3]) alphaEqual = false;
  }
  return { sameSize: true, maxDiff, changed, alphaEqual, values: a.width * a.height * 3 };
}
