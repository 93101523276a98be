// File names for "Protect and download image".

const EXT_BY_TYPE = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

const isUnsafe = (ch) => ch.charCodeAt(0) < 0x20 || '\\/:*?"<>|'.includes(ch);

/** A safe file name from the image's URL (its last path segment), with an extension from its type when it has none. */
export function downloadName(srcUrl, mime) {
  let base = 'image';
  try {
    const url = new URL(srcUrl);
    if (url.protocol !== 'data:' && url.protocol !== 'blob:') base = decodeURIComponent(url.pathname.split('/').pop() || 'image');
  } catch {
    // keep "image"
  }
  base = Array.from(base, (ch) => (isUnsafe(ch) ? '_' : ch)).join('').slice(0, 120).replace(/^\.+/, '') || 'image';
  if (!/\.[a-z0-9]{2,5}$/i.test(base) && EXT_BY_TYPE[mime]) base += '.' + EXT_BY_TYPE[mime];
  return base;
}

/** "cat.png" -> "cat.protected.png". */
export function protectedName(fileName) {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? `${fileName.slice(0, dot)}.protected${fileName.slice(dot)}` : `${fileName}.protected`;
}
