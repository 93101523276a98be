// File helpers for the content script: which files to protect, how to carry them to the service worker, and how to
// rebuild a FileList / DataTransfer with the protected files in place (same name, same type, same order).
// DataTransfer and File are passed in so the logic can be tested outside a browser.

const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'webp', 'gif', 'heic', 'heif', 'avif', 'bmp', 'tif', 'tiff'];

/**
 * A file the page is about to upload as an image: an image/* type or an image file name. Formats the gateway cannot
 * protect (GIF, HEIC, ...) are caught too: the gateway refuses them, and in fail-closed mode they are blocked.
 */
export function isImageFile(file) {
  if (!file) return false;
  if (typeof file.type === 'string' && file.type.toLowerCase().startsWith('image/')) return true;
  const name = typeof file.name === 'string' ? file.name.toLowerCase() : '';
  const dot = name.lastIndexOf('.');
  return dot >= 0 && IMAGE_EXTENSIONS.includes(name.slice(dot + 1));
}

/** Indexes of the image files in a FileList or array. */
export function imageIndexes(files) {
  const out = [];
  for (let i = 0; i < (files?.length ?? 0); i++) if (isImageFile(files[i])) out.push(i);
  return out;
}

/** The protected file: the bytes from the gateway under the original name, type and modification time. */
export function protectedFile(original, bytes, mime, FileCtor = File) {
  return new FileCtor([bytes], original.name, {
    type: original.type || mime || '',
    lastModified: original.lastModified ?? Date.now(),
  });
}

/**
 * A DataTransfer holding `files` with the ones in `replacements` (index -> File) swapped in, plus the string data of
 * an original transfer (`strings`: [{type, data}]) for drops and pastes.
 */
export function buildTransfer(files, replacements, createDataTransfer, strings = []) {
  const dt = createDataTransfer();
  for (const { type, data } of strings) {
    try {
      dt.setData(type, data);
    } catch {
      // a type the browser will not set on a synthetic transfer: leave it out
    }
  }
  for (let i = 0; i < files.length; i++) dt.items.add(replacements.has(i) ? replacements.get(i) : files[i]);
  return dt;
}

/** An empty FileList, to take the original files out of an input while they are being protected. */
export const emptyFiles = (createDataTransfer) => createDataTransfer().files;

/**
 * What a drop or paste carried, copied while the event is being dispatched (a DataTransfer becomes unreadable after).
 */
export function snapshotTransfer(dt) {
  const files = dt?.files ? Array.from(dt.files) : [];
  const strings = [];
  for (const type of dt?.types ?? []) {
    if (type === 'Files') continue;
    try {
      strings.push({ type, data: dt.getData(type) });
    } catch {
      // unreadable type: skip
    }
  }
  return { files, strings, dropEffect: dt?.dropEffect, effectAllowed: dt?.effectAllowed };
}

// base64 <-> bytes for runtime messaging, which serialises messages as JSON.
export function bytesToBase64(buffer) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  return btoa(binary);
}

export function base64ToBytes(b64) {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The largest image the extension sends through runtime messaging (base64 grows it by a third; Chrome caps at 64 MiB). */
export const MAX_IMAGE_BYTES = 40 * 1024 * 1024;
