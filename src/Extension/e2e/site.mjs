// The test site for the end-to-end test: a page with an <input type=file> upload form, and the upload target, which
// stores every file part it receives so the test can read what the page really uploaded. Loopback only, no packages.
import { createServer } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FORM_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Photo upload (test site)</title></head>
<body>
  <h1>Upload a photo</h1>
  <form id="upload" action="/upload" method="post" enctype="multipart/form-data">
    <input type="text" name="title" value="e2e holiday">
    <input type="file" name="photo" id="photo" accept="image/*">
    <button type="submit" id="send">Upload</button>
  </form>
  <p id="selected">nothing selected</p>
  <script>
    // The page's own handler, as real upload pages have: it must see the (protected) file with its original name.
    document.getElementById('photo').addEventListener('change', (e) => {
      const f = e.target.files[0];
      document.getElementById('selected').textContent = f ? 'selected ' + f.name + ' (' + f.type + ', ' + f.size + ' bytes)' : 'nothing selected';
    });
  </script>
</body></html>`;

// A page that uploads with fetch() instead of a form: a file input inside an open shadow root that appears after
// load, a drop zone and a paste target. Each sends what it got, with a `via` field saying which path it took.
const SCRIPTED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Scripted uploads (test site)</title></head>
<body>
  <div id="zone" style="width:300px;height:80px;border:2px dashed #888">Drop a photo here</div>
  <div id="paste" contenteditable="true" style="width:300px;height:40px;border:1px solid #888">Paste a photo here</div>
  <div id="host"></div>
  <ul id="log"></ul>
  <script>
    async function send(file, via) {
      const li = document.createElement('li');
      if (!file) { li.textContent = via + ': no file'; document.getElementById('log').append(li); return; }
      const form = new FormData();
      form.append('via', via);
      form.append('photo', file, file.name);
      const r = await fetch('/upload', { method: 'POST', body: form });
      li.textContent = via + ': ' + file.name + ' ' + r.status;
      document.getElementById('log').append(li);
    }
    const zone = document.getElementById('zone');
    zone.addEventListener('dragover', (e) => e.preventDefault());
    zone.addEventListener('drop', (e) => { e.preventDefault(); for (const f of e.dataTransfer.files) send(f, 'drop'); });
    document.getElementById('paste').addEventListener('paste', (e) => {
      e.preventDefault();
      for (const f of e.clipboardData.files) send(f, 'paste');
    });
    setTimeout(() => {
      const root = document.getElementById('host').attachShadow({ mode: 'open' });
      root.innerHTML = '<label>Avatar <input type="file" id="shadow-photo" accept="image/*"></label>';
      root.getElementById('shadow-photo').addEventListener('change', (e) => send(e.target.files[0], 'shadow'));
      document.body.dataset.ready = 'true';
    }, 300);
  </script>
</body></html>`;

/** Splits a multipart/form-data body into parts: { name, fileName, contentType, data }. */
export function parseMultipart(body, contentType) {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!match) throw new Error('no multipart boundary');
  const delimiter = Buffer.from('--' + (match[1] ?? match[2]));
  const parts = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const afterDelimiter = start + delimiter.length;
    if (body.slice(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const headerStart = afterDelimiter + 2; // CRLF
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    const next = body.indexOf(delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) throw new Error('truncated multipart body');
    const headers = body.slice(headerStart, headerEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? null,
      fileName: /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null,
      contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? null,
      data: body.slice(headerEnd + 4, next - 2), // the CRLF before the next delimiter belongs to it
    });
    start = next;
  }
  return parts;
}

/** Starts the site on 127.0.0.1 (a free port); `uploads` lists what the upload target stored; /photo.png serves `photo`. */
export async function startSite(storeDir, photo = null) {
  await mkdir(storeDir, { recursive: true });
  const uploads = [];
  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(FORM_PAGE);
        return;
      }
      if (req.method === 'GET' && req.url === '/photo.png' && photo) {
        res.writeHead(200, { 'Content-Type': 'image/png' }).end(photo);
        return;
      }
      if (req.method === 'GET' && req.url === '/scripted') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(SCRIPTED_PAGE);
        return;
      }
      if (req.method === 'POST' && req.url === '/upload') {
        const chunks = [];
        for await (const chunk of req) chunks.push(chunk);
        const parts = parseMultipart(Buffer.concat(chunks), req.headers['content-type']);
        const stored = [];
        const formFields = Object.fromEntries(parts.filter((p) => !p.fileName).map((p) => [p.name, p.data.toString('utf8')]));
        for (const part of parts.filter((p) => p.fileName)) {
          const path = join(storeDir, `${uploads.length}-${part.fileName.replace(/[^\w.-]/g, '_')}`);
          await writeFile(path, part.data);
          const record = { field: part.name, fileName: part.fileName, contentType: part.contentType, size: part.data.length, path, fields: formFields };
          uploads.push(record);
          stored.push(record);
        }
        const fields = parts.filter((p) => !p.fileName).map((p) => `${p.name}=${p.data.toString('utf8')}`);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
          `<!doctype html><title>Stored</title><h1 id="stored">Stored ${stored.length} file(s)</h1>` +
          `<ul>${stored.map((s) => `<li>${s.fileName} (${s.contentType}, ${s.size} bytes)</li>`).join('')}</ul>` +
          `<p id="fields">${fields.join('&')}</p>`);
        return;
      }
      res.writeHead(404).end();
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    uploads,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
