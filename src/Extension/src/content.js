// Content script: catches images a page is about to upload (file inputs, including ones added later and ones inside
// open shadow roots, drag-and-drop and paste), has the service worker protect them through the gateway, swaps the
// protected files in (same name, same type) with DataTransfer and re-dispatches the events so the page carries on.
//
// Fail closed (default): the original files leave the input as soon as they are caught and only protected ones come
// back; when protection fails the upload is blocked and the page shows why. Fail open (opt-in): the originals go on.

import {
  MAX_IMAGE_BYTES, base64ToBytes, buildTransfer, bytesToBase64, emptyFiles, imageIndexes, protectedFile, snapshotTransfer,
} from './lib/files.js';
import { FAIL_OPEN, SETTINGS_KEY, isActiveFor, normalizeSettings } from './lib/settings.js';
import { MSG, blockedMessage, perturbedMessage, protectingMessage, unprotectedMessage } from './lib/messages.js';

(() => {
  if (globalThis.__uploadGuardContent) return; // injected once per frame
  globalThis.__uploadGuardContent = true;

  const ours = new WeakSet(); // events this script dispatched: let them through untouched
  const hookedRoots = new WeakSet(); // open shadow roots with our listeners
  const pending = new WeakMap(); // file input -> promise of the protection in progress
  const blocked = new WeakSet(); // file inputs whose last selection was blocked (fail closed)
  const resubmitting = new WeakSet(); // forms we submit again ourselves once protection is done
  const createTransfer = () => new DataTransfer();

  // ---- settings: cached, so the decision whether to intercept can be taken synchronously in the event ----
  let settings = null;
  const settingsReady = chrome.storage.local.get(SETTINGS_KEY)
    .then((r) => { settings = normalizeSettings(r[SETTINGS_KEY]); })
    .catch(() => { settings = normalizeSettings(null); });
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes[SETTINGS_KEY]) settings = normalizeSettings(changes[SETTINGS_KEY].newValue);
  });
  // Until the settings are read, intercept (fail closed) and decide once they are.
  const maybeActive = () => settings === null || isActiveFor(settings, location.href);
  const currentSettings = async () => {
    await settingsReady;
    return settings;
  };

  // ---- listeners: capture phase on window, and on every open shadow root we come across ----
  const rootEvents = ['input', 'change', 'submit']; // input is composed; change and submit stop at a shadow root
  for (const type of rootEvents) window.addEventListener(type, dispatch, true);
  window.addEventListener('drop', onDrop, true);
  window.addEventListener('paste', onPaste, true);
  // Composed events reveal shadow roots (even ones attached after the element was inserted) before a file is picked.
  for (const type of ['pointerdown', 'click', 'focusin', 'dragenter', 'keydown']) window.addEventListener(type, discover, true);
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1) hookTree(node);
  }).observe(document, { childList: true, subtree: true });
  if (document.documentElement) hookTree(document.documentElement);

  function dispatch(e) {
    if (e.type === 'submit') onSubmit(e);
    else onFileInputEvent(e);
  }

  function discover(e) {
    for (const node of e.composedPath()) if (node instanceof ShadowRoot) hookRoot(node);
  }

  function hookRoot(root) {
    if (hookedRoots.has(root)) return;
    hookedRoots.add(root);
    for (const type of rootEvents) root.addEventListener(type, dispatch, true);
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1) hookTree(node);
    }).observe(root, { childList: true, subtree: true });
    hookTree(root);
  }

  function hookTree(node) {
    if (node.shadowRoot) hookRoot(node.shadowRoot);
    if (!node.querySelectorAll) return;
    for (const el of node.querySelectorAll('*')) if (el.shadowRoot) hookRoot(el.shadowRoot);
  }

  const swallow = (e) => {
    e.stopImmediatePropagation();
    if (e.cancelable) e.preventDefault();
  };

  const isFileInput = (el) => el instanceof HTMLInputElement && el.type === 'file';

  // ---- file inputs ----
  function onFileInputEvent(e) {
    if (ours.has(e)) return;
    const input = e.composedPath()[0];
    if (!isFileInput(input)) return;
    // An input in a shadow root we have not met yet: hook its root now, before its (non-composed) change event.
    if (input.getRootNode() instanceof ShadowRoot) hookRoot(input.getRootNode());
    if (pending.has(input)) {
      swallow(e); // the change that follows the input event of a selection already being protected
      return;
    }
    const files = Array.from(input.files ?? []);
    const images = imageIndexes(files);
    if (images.length === 0) {
      unblock(input);
      return;
    }
    if (!maybeActive()) return;
    swallow(e);
    input.files = emptyFiles(createTransfer); // the originals never stay in the input (fail closed)
    const job = protectInput(input, files, images).finally(() => pending.delete(input));
    pending.set(input, job);
  }

  async function protectInput(input, files, images) {
    const s = await currentSettings();
    if (!isActiveFor(s, location.href)) {
      input.files = buildTransfer(files, new Map(), createTransfer).files;
      redispatchInput(input);
      return;
    }
    const outcome = await protectFiles(files, images, s);
    if (outcome.transfer) {
      input.files = outcome.transfer.files;
      unblock(input);
      redispatchInput(input);
    } else {
      blocked.add(input);
      input.setCustomValidity(outcome.message);
      input.dataset.uploadguard = 'blocked';
    }
  }

  function unblock(input) {
    if (!blocked.has(input)) return;
    blocked.delete(input);
    input.setCustomValidity('');
    delete input.dataset.uploadguard;
  }

  function redispatchInput(input) {
    const inputEvent = new Event('input', { bubbles: true, composed: true });
    const changeEvent = new Event('change', { bubbles: true });
    ours.add(inputEvent);
    ours.add(changeEvent);
    input.dispatchEvent(inputEvent);
    input.dispatchEvent(changeEvent);
  }

  // ---- forms: hold a submit while its photos are being protected, refuse it when they were blocked ----
  function onSubmit(e) {
    const form = e.composedPath()[0];
    if (!(form instanceof HTMLFormElement) || resubmitting.has(form)) return;
    const inputs = Array.from(form.elements).filter(isFileInput);
    const waiting = inputs.filter((i) => pending.has(i));
    if (waiting.length > 0) {
      swallow(e);
      const submitter = e.submitter;
      Promise.allSettled(waiting.map((i) => pending.get(i))).then(() => {
        if (inputs.some((i) => blocked.has(i))) return; // the blocking notice is already up
        resubmitting.add(form);
        try {
          if (submitter && submitter.isConnected && submitter.form === form) form.requestSubmit(submitter);
          else form.requestSubmit();
        } finally {
          resubmitting.delete(form);
        }
      });
      return;
    }
    const refused = inputs.filter((i) => blocked.has(i));
    if (refused.length > 0) {
      swallow(e);
      notice('blocked', refused[0].validationMessage || 'UploadGuard blocked this upload: a photo could not be protected.');
    }
  }

  // ---- drag and drop ----
  function onDrop(e) {
    if (ours.has(e) || !e.dataTransfer) return;
    const target = e.composedPath()[0];
    if (isFileInput(target)) return; // dropping onto a file input sets its files: caught as input/change above
    const snapshot = snapshotTransfer(e.dataTransfer);
    const images = imageIndexes(snapshot.files);
    if (images.length === 0 || !maybeActive()) return;
    swallow(e);
    const init = pointerInit(e);
    redeliver(snapshot, images, (transfer) => {
      const drop = new DragEvent('drop', { ...init, dataTransfer: transfer });
      ours.add(drop);
      target.dispatchEvent(drop);
    });
  }

  // ---- paste ----
  function onPaste(e) {
    if (ours.has(e) || !e.clipboardData) return;
    const target = e.composedPath()[0];
    const snapshot = snapshotTransfer(e.clipboardData);
    const images = imageIndexes(snapshot.files);
    if (images.length === 0 || !maybeActive()) return;
    swallow(e);
    redeliver(snapshot, images, (transfer) => {
      const paste = new ClipboardEvent('paste', { bubbles: true, cancelable: true, composed: true, clipboardData: transfer });
      ours.add(paste);
      target.dispatchEvent(paste);
    });
  }

  async function redeliver(snapshot, images, deliver) {
    const s = await currentSettings();
    if (!isActiveFor(s, location.href)) {
      deliver(buildTransfer(snapshot.files, new Map(), createTransfer, snapshot.strings));
      return;
    }
    const outcome = await protectFiles(snapshot.files, images, s, snapshot.strings);
    if (outcome.transfer) deliver(outcome.transfer);
  }

  const pointerInit = (e) => ({
    bubbles: true, cancelable: true, composed: true,
    clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY,
    ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey, button: e.button, buttons: e.buttons,
  });

  // ---- protection through the service worker ----
  /**
   * Protects the images among `files`. Returns { transfer } with the files to hand to the page (protected ones in
   * place; in fail-open mode the originals of those that failed), or { message } when the upload is blocked.
   */
  async function protectFiles(files, images, s, strings = []) {
    const info = notice('info', protectingMessage(images.length));
    const results = await Promise.all(images.map((i) => protectOne(files[i])));
    const replacements = new Map();
    const failures = [];
    let report = null;
    results.forEach((r, k) => {
      if (r.ok) {
        replacements.set(images[k], r.file);
        report ??= r.report;
      } else {
        failures.push({ name: files[images[k]].name, reason: r.reason, message: r.message });
      }
    });
    info.dismiss();
    if (failures.length === 0) {
      notice('info', perturbedMessage(images.length, report), 4000);
      return { transfer: buildTransfer(files, replacements, createTransfer, strings) };
    }
    if (s.failMode === FAIL_OPEN) {
      notice('warning', unprotectedMessage(failures), 10000);
      return { transfer: buildTransfer(files, replacements, createTransfer, strings) };
    }
    const message = blockedMessage(failures);
    notice('blocked', message);
    return { message };
  }

  async function protectOne(file) {
    if (file.size > MAX_IMAGE_BYTES) {
      return { ok: false, reason: 'too_large', message: `It is larger than ${MAX_IMAGE_BYTES / 1048576} MiB.` };
    }
    try {
      const data = bytesToBase64(await file.arrayBuffer());
      const answer = await chrome.runtime.sendMessage({
        type: MSG.protect, name: file.name, mime: file.type, data, site: location.host,
      });
      if (!answer) return { ok: false, reason: 'extension_error', message: 'The extension did not answer.' };
      if (!answer.ok) return answer;
      return { ok: true, file: protectedFile(file, base64ToBytes(answer.data), answer.mime), report: answer.report };
    } catch (e) {
      return { ok: false, reason: 'extension_error', message: `The extension could not be reached (${e?.message ?? e}).` };
    }
  }

  // ---- the context menu's fallback: fetch an image with the page's own origin and cookies ----
  chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
    if (message?.type !== MSG.fetchImage) return false;
    fetch(message.url, { credentials: 'include' })
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        const mime = (r.headers.get('Content-Type') ?? '').split(';')[0];
        sendResponse({ ok: true, mime, data: bytesToBase64(await r.arrayBuffer()) });
      })
      .catch((e) => sendResponse({ ok: false, message: String(e?.message ?? e) }));
    return true;
  });

  // ---- notices on the page, in their own shadow root so the page's styles cannot hide or restyle them ----
  let host = null;
  let list = null;
  function notice(kind, text, hideAfterMs = 0) {
    if (!host || !host.isConnected) {
      host = document.createElement('uploadguard-notices');
      const shadow = host.attachShadow({ mode: 'open' });
      shadow.innerHTML = `<style>
        :host { all: initial; position: fixed; z-index: 2147483647; bottom: 12px; right: 12px; width: min(420px, 90vw);
                font: 14px/1.4 system-ui, sans-serif; pointer-events: none; }
        .n, .n * { pointer-events: auto; }
        .n { margin: 0 0 8px; padding: 10px 34px 10px 12px; border-radius: 6px; box-shadow: 0 2px 8px #0004;
             position: relative; color: #111; background: #eef4ff; border-left: 4px solid #3367d6; }
        .n.blocked { background: #fdecea; border-left-color: #c5221f; }
        .n.warning { background: #fff4e0; border-left-color: #e37400; }
        .n strong { display: block; margin-bottom: 2px; }
        button { position: absolute; top: 6px; right: 6px; border: 0; background: none; font-size: 16px; cursor: pointer; }
      </style><div class="list"></div>`;
      list = shadow.querySelector('.list');
      (document.body ?? document.documentElement).append(host);
    }
    const item = document.createElement('div');
    item.className = `n ${kind}`;
    item.setAttribute('role', kind === 'info' ? 'status' : 'alert');
    item.dataset.kind = kind;
    const title = document.createElement('strong');
    title.textContent = kind === 'blocked' ? 'Upload blocked' : kind === 'warning' ? 'Uploaded unprotected' : 'UploadGuard';
    const body = document.createElement('span');
    body.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.title = 'Dismiss';
    close.textContent = '×';
    close.addEventListener('click', () => item.remove());
    item.append(title, body, close);
    list.append(item);
    if (hideAfterMs > 0) setTimeout(() => item.remove(), hideAfterMs);
    return { dismiss: () => item.remove() };
  }
})();
