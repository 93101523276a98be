import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_JOBS, activeCount, badgeText, emptyJobs, jobsReducer, normalizeStage, progressOf } from '../src/lib/jobs.js';

const reduce = (actions, state = emptyJobs()) => actions.reduce(jobsReducer, state);
const stage = (jobId, name, extra = {}) => ({ type: 'stage', source: 'hub', event: { jobId, stage: name, at: 't', ...extra } });

describe('job state', () => {
  it('reads stage names in any casing and the enum numbers of older gateways', () => {
    assert.equal(normalizeStage('protecting'), 'protecting');
    assert.equal(normalizeStage('Done'), 'done');
    assert.equal(normalizeStage(0), 'received');
    assert.equal(normalizeStage(6), 'failed');
    assert.equal(normalizeStage(7), null);
    assert.equal(normalizeStage('exploded'), null);
    assert.equal(normalizeStage(null), null);
  });

  it('follows a job through its stages to done, newest job first', () => {
    const s = reduce([
      { type: 'created', id: 'a1234567', fileName: 'a.png', site: 'x.example' },
      { type: 'created', id: 'b1234567', fileName: 'b.png', site: 'x.example' },
      stage('a1234567', 'received'),
      stage('a1234567', 'queued'),
      stage('a1234567', 'protecting'),
    ]);
    assert.deepEqual(s.jobs.map((j) => j.id), ['b1234567', 'a1234567']);
    const a = s.jobs[1];
    assert.equal(a.stage, 'protecting');
    assert.equal(a.live, true);
    assert.equal(activeCount(s), 2);
    assert.equal(badgeText(s), '2');

    const done = reduce([stage('a1234567', 'encoded'), stage('a1234567', 'done')], s);
    assert.equal(done.jobs[1].stage, 'done');
    assert.deepEqual(done.jobs[1].stages.map((x) => x.stage), ['received', 'queued', 'protecting', 'encoded', 'done']);
    assert.equal(badgeText(done), '1');
    assert.equal(progressOf('done'), 1);
  });

  it('treats repeated and late stages as idempotent and never leaves a terminal stage', () => {
    const s = reduce([
      { type: 'created', id: 'j1234567', fileName: 'p.jpg' },
      stage('j1234567', 'received'),
      stage('j1234567', 'queued'),
      stage('j1234567', 'received'), // replayed history after a (re)subscribe
      stage('j1234567', 'queued'),
      { type: 'finished', id: 'j1234567', ok: true, report: { linf: 8 } }, // HTTP answered before the hub's done
      stage('j1234567', 'protecting'), // late hub messages
      stage('j1234567', 'encoded'),
      stage('j1234567', 'done'),
    ]);
    const [job] = s.jobs;
    assert.equal(job.stage, 'done');
    assert.equal(job.outcome, 'perturbed');
    assert.deepEqual(job.report, { linf: 8 });
    assert.deepEqual(job.stages.map((x) => x.stage), ['received', 'queued', 'done', 'protecting', 'encoded']);
    assert.equal(activeCount(s), 0);
    assert.equal(badgeText(s), '');
  });

  it('records the reason of a failure, from the hub or from HTTP', () => {
    const hub = reduce([
      { type: 'created', id: 'f1234567', fileName: 'x.gif' },
      stage('f1234567', 'failed', { reason: 'unsupported_format', detail: 'GIF' }),
      { type: 'finished', id: 'f1234567', ok: false, reason: 'http_415', detail: 'other' },
    ]);
    assert.equal(hub.jobs[0].stage, 'failed');
    assert.equal(hub.jobs[0].reason, 'unsupported_format');
    assert.equal(hub.jobs[0].detail, 'GIF');

    const http = reduce([
      { type: 'created', id: 'g1234567', fileName: 'x.png' },
      { type: 'finished', id: 'g1234567', ok: false, outcome: 'blocked', reason: 'gateway_unreachable', detail: 'down' },
      stage('g1234567', 'done'), // cannot revive a failed job
    ]);
    const [job] = http.jobs;
    assert.equal(job.stage, 'failed');
    assert.equal(job.outcome, 'blocked');
    assert.equal(job.reason, 'gateway_unreachable');
    assert.equal(job.live, true); // the late message did come over the hub
  });

  it('ignores stages of unknown jobs, unknown stages and duplicate creations', () => {
    const s = reduce([{ type: 'created', id: 'k1234567', fileName: 'k.png' }]);
    assert.equal(jobsReducer(s, stage('other123', 'done')), s);
    assert.equal(jobsReducer(s, stage('k1234567', 'teleported')), s);
    assert.equal(jobsReducer(s, { type: 'created', id: 'k1234567', fileName: 'again' }), s);
    assert.equal(jobsReducer(s, { type: 'nonsense' }), s);
    assert.deepEqual(jobsReducer(undefined, { type: 'nonsense' }), emptyJobs());
  });

  it('clears finished jobs and keeps running ones when trimming', () => {
    let s = emptyJobs();
    s = jobsReducer(s, { type: 'created', id: 'running0', fileName: 'r.png' });
    for (let i = 0; i < MAX_JOBS + 5; i++) {
      s = reduce([{ type: 'created', id: `done${String(i).padStart(4, '0')}`, fileName: 'd.png' }, { type: 'finished', id: `done${String(i).padStart(4, '0')}`, ok: true }], s);
    }
    assert.equal(s.jobs.length, MAX_JOBS);
    assert.ok(s.jobs.some((j) => j.id === 'running0'));
    const cleared = jobsReducer(s, { type: 'cleared' });
    assert.deepEqual(cleared.jobs.map((j) => j.id), ['running0']);
    assert.equal(badgeText(cleared), '1');
  });

  it('caps the badge text', () => {
    let s = emptyJobs();
    for (let i = 0; i < 120 && s.jobs.length < MAX_JOBS; i++) s = jobsReducer(s, { type: 'created', id: `run${i}xxxxx`, fileName: 'x' });
    assert.equal(badgeText(s), String(MAX_JOBS));
    assert.equal(badgeText({ jobs: Array.from({ length: 120 }, (_, i) => ({ id: String(i), stage: 'queued' })) }), '99+');
  });
});
