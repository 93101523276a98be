// Bundles the extension into dist/ (the folder to load unpacked): one script per entry, no modules at run time.
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: ['background', 'content', 'popup', 'options'].map((name) => join(root, 'src', `${name}.js`)),
  outdir: dist,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome116'],
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const file of ['popup.html', 'popup.css', 'options.html']) await cp(join(root, 'src', file), join(dist, file));
await cp(join(root, 'manifest.json'), join(dist, 'manifest.json'));
console.log(`built ${dist}`);
