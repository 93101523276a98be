// Job state shared by the service worker (which owns it), the popup (which shows it) and the badge (which counts it).
// A pure reducer: (state, action) -> new state. Stages may arrive twice, late or out of order (history replayed on
// subscribe, the HTTP answer racing the hub): the reducer makes them idempotent and never leaves a terminal stage.

export const STAGES = Object.freeze(['received', 'queued', 'protecting', 'encoded', 'forwarded', 'done', 'failed']);
export const TERMINAL = Object.freeze(['done', 'failed']);
export const MAX_JOBS = 50;

const PROGRESS = { pending: 0.05, received: 0.2, queued: 0.4, protecting: 0.6, encoded: 0.8, forwarded: 0.9, done: 1, failed: 1 };

export const emptyJobs = () => ({ jobs: [] });

/** A stage name from the gateway: a camelCase string, any casing, or (older gateways) the enum's number. */
export function normalizeStage(value) {
  if (typeof value === 'number' && Number.isInteger(value)) return STAGES[value] ?? null;
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  return STAGES.includes(lower) ? lower : null;
}

export const isTerminal = (stage) => TERMINAL.includes(stage);

export const progressOf = (stage) => PROGRESS[stage] ?? 0;

const rank = (stage) => (stage === 'pending' ? -1 : STAGES.indexOf(stage));

/**
 * Actions:
 *  { type: 'created', id, fileName, site, kind ('upload' | 'download'), at }
 *  { type: 'stage', event: { jobId, stage, at, reason, detail }, source ('hub' | 'local') }
 *  { type: 'finished', id, ok, at, outcome ('perturbed' | 'blocked' | 'unprotected' | 'failed'), report, reason, detail }
 *  { type: 'cleared' }   drops finished jobs
 */
export function jobsReducer(state, action) {
  const current = state && Array.isArray(state.jobs) ? state : emptyJobs();
  switch (action?.type) {
    case 'created': {
      if (current.jobs.some((j) => j.id === action.id)) return current;
      const job = {
        id: action.id,
        fileName: action.fileName ?? 'image',
        site: action.site ?? '',
        kind: action.kind ?? 'upload',
        stage: 'pending',
        stages: [],
        startedAt: action.at ?? new Date().toISOString(),
        finishedAt: null,
        outcome: null,
        reason: null,
        detail: null,
        report: null,
        live: false,
      };
      return { jobs: trim([job, ...current.jobs]) };
    }
    case 'stage': {
      const evt = action.event ?? {};
      const stage = normalizeStage(evt.stage);
      if (!stage) return current;
      return update(current, evt.jobId, (job) => applyStage(job, stage, evt, action.source ?? 'hub'));
    }
    case 'finished': {
      return update(current, action.id, (job) => {
        const stage = action.ok ? 'done' : 'failed';
        const next = applyStage(job, stage, { at: action.at, reason: action.reason, detail: action.detail }, 'local');
        return {
          ...next,
          outcome: action.outcome ?? (action.ok ? 'perturbed' : 'failed'),
          report: action.report ?? next.report,
          reason: next.reason ?? action.reason ?? null,
          detail: next.detail ?? action.detail ?? null,
        };
      });
    }
    case 'cleared':
      return { jobs: current.jobs.filter((j) => !isTerminal(j.stage)) };
    default:
      return current;
  }
}

function applyStage(job, stage, evt, source) {
  const seen = job.stages.some((s) => s.stage === stage);
  const stages = seen ? job.stages : [...job.stages, { stage, at: evt.at ?? new Date().toISOString(), source }];
  let next = { ...job, stages, live: job.live || source === 'hub' };
  if (isTerminal(job.stage)) return next; // a job that ended stays ended; late stages only fill the history
  if (isTerminal(stage)) {
    next = {
      ...next,
      stage,
      finishedAt: evt.at ?? new Date().toISOString(),
      reason: evt.reason ?? job.reason ?? null,
      detail: evt.detail ?? job.detail ?? null,
    };
  } else if (rank(stage) > rank(job.stage)) {
    next = { ...next, stage };
  }
  return next;
}

function update(state, id, fn) {
  let changed = false;
  const jobs = state.jobs.map((job) => {
    if (job.id !== id) return job;
    changed = true;
    return fn(job);
  });
  return changed ? { jobs } : state;
}

function trim(jobs) {
  if (jobs.length <= MAX_JOBS) return jobs;
  // Keep every running job; drop the oldest finished ones first.
  const keep = [...jobs];
  for (let i = keep.length - 1; i >= 0 && keep.length > MAX_JOBS; i--) {
    if (isTerminal(keep[i].stage)) keep.splice(i, 1);
  }
  return keep;
}

export const activeJobs = (state) => (state?.jobs ?? []).filter((j) => !isTerminal(j.stage));

export const activeCount = (state) => activeJobs(state).length;

/** The badge shows the number of running jobs, and nothing when none runs. */
export const badgeText = (state) => {
  const n = activeCount(state);
  if (n === 0) return '';
  return n > 99 ? '99+' : String(n);
};
