// Builds (when missing) and runs the real UploadGuard gateway on loopback for the end-to-end test.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const binDir = join(repo, 'src/Gateway/bin/Release/net10.0');
const dll = join(binDir, 'UploadGuard.Gateway.dll');

export function ensureGatewayBuilt() {
  if (existsSync(dll)) return;
  console.log('e2e: building the gateway (dotnet build src/Gateway -c Release)');
  const r = spawnSync('dotnet', ['build', join(repo, 'src/Gateway'), '-c', 'Release', '-nologo', '-v', 'quiet'], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(dll)) throw new Error('building the gateway failed');
}

export async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * Starts the gateway with one client (name e2e) and no demo upstream; resolves once /readyz says Healthy, with its
 * readiness report (the active model, its claim and the default epsilon).
 */
export async function startGateway({ token, timeoutMs = 90_000 }) {
  ensureGatewayBuilt();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('dotnet', [dll, '--urls', url], {
    cwd: binDir, // the content root: appsettings.json and models/ sit beside the dll
    env: {
      ...process.env,
      Clients__Users__0__Name: 'e2e',
      Clients__Users__0__Token: token,
      DemoUpstream__Enabled: 'false',
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((ok) => child.once('exit', ok));

  const deadline = Date.now() + timeoutMs;
  let ready;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${output}`);
    try {
      const r = await fetch(url + '/readyz');
      ready = r.ok ? await r.json() : undefined;
      if (ready?.status === 'Healthy') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return {
    url,
    ready,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
