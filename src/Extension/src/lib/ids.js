// Job ids the extension picks itself, so it can subscribe before uploading. The gateway accepts 8-64 characters of
// [A-Za-z0-9_-]; a UUID without dashes is 32.

export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function newJobId(randomUUID = () => crypto.randomUUID()) {
  return randomUUID().replaceAll('-', '');
}

export const isValidJobId = (id) => typeof id === 'string' && JOB_ID_PATTERN.test(id);
