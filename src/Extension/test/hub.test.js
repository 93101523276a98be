import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubUnavailableError, ProgressHubClient, hubUrl, retryPolicy, withTimeout } from '../src/lib/hub.js';

/** A stand-in for @microsoft/signalr's HubConnection: records invocations, lets the test drive its lifecycle. */
class FakeConnection {
  constructor({ url, token }, server) {
    this.url = url;
    this.token = token;
    this.server = server;
    this.state = 'Disconnected';
    this.handlers = {};
    this.invocations = [];
    this.callbacks = { reconnecting: [], reconnected: [], close: [] };
  }
  on(name, fn) { this.handlers[name] = fn; }
  onreconnecting(fn) { this.callbacks.reconnecting.push(fn); }
  onreconnected(fn) { this.callbacks.reconnected.push(fn); }
  onclose(fn) { this.callbacks.close.push(fn); }
  async start() {
    if (this.server.down) throw new Error('connection refused');
    this.state = 'Connected';
  }
  async stop() { this.state = 'Disconnected'; }
  async invoke(method, ...args) {
    this.invocations.push([method, ...args]);
    if (method === 'Subscribe') return this.server.history.get(args[0]) ?? [];
    return undefined;
  }
  // test controls
  push(evt) { this.handlers.stage?.(evt); }
  dropAndRetry() {
    this.state = 'Reconnecting';
    this.callbacks.reconnecting.forEach((f) => f());
  }
  reconnect() {
    this.state = 'Connected';
    this.callbacks.reconnected.forEach((f) => f('new-id'));
  }
  close() {
    this.state = 'Disconnected';
    this.callbacks.close.forEach((f) => f());
  }
}

function setup({ token = 'tok' } = {}) {
  const server = { down: false, history: new Map() };
  const connections = [];
  const stages = [];
  const states = [];
  const timers = [];
  const client = new ProgressHubClient({
    createConnection: (opts) => {
      const c = new FakeConnection(opts, server);
      connections.push(c);
      return c;
    },
    onStage: (evt) => stages.push(evt),
    onState: (s) => states.push(s),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    timeoutMs: 200,
  });
  client.configure({ gatewayUrl: 'http://127.0.0.1:5080', token });
  return { client, server, connections, stages, states, timers };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const subscribed = (c) => c.invocations.filter(([m]) => m === 'Subscribe').map(([, id]) => id);

describe('progress hub client', () => {
  it('connects once with the token to /hubs/progress and replays history on subscribe', async () => {
    const { client, server, connections, stages } = setup();
    server.history.set('job00001', [{ jobId: 'job00001', stage: 'received' }]);
    const [h1] = await Promise.all([client.subscribe('job00001'), client.subscribe('job00002')]);
    assert.equal(connections.length, 1, 'concurrent subscriptions share one connection');
    assert.equal(connections[0].url, 'http://127.0.0.1:5080/hubs/progress');
    assert.equal(connections[0].token, 'tok');
    assert.deepEqual(h1, [{ jobId: 'job00001', stage: 'received' }]);
    assert.deepEqual(stages, [{ jobId: 'job00001', stage: 'received' }]);
    connections[0].push({ jobId: 'job00002', stage: 'queued' });
    assert.deepEqual(stages.at(-1), { jobId: 'job00002', stage: 'queued' });
  });

  it('subscribes again to every wanted job after SignalR reconnects, and not to finished ones', async () => {
    const { client, server, connections, stages, states } = setup();
    await client.subscribe('keep0001');
    await client.subscribe('done0001');
    await client.unsubscribe('done0001');
    const c = connections[0];
    c.dropAndRetry();
    assert.equal(states.at(-1), 'reconnecting');
    server.history.set('keep0001', [{ jobId: 'keep0001', stage: 'queued' }, { jobId: 'keep0001', stage: 'protecting' }]);
    c.reconnect();
    await flush();
    assert.deepEqual(subscribed(c), ['keep0001', 'done0001', 'keep0001']);
    assert.deepEqual(c.invocations.find(([m]) => m === 'Unsubscribe'), ['Unsubscribe', 'done0001']);
    assert.deepEqual(stages.map((s) => s.stage), ['queued', 'protecting'], 'what was missed offline comes from the replay');
    assert.equal(states.at(-1), 'connected');
    assert.equal(connections.length, 1, 'the same connection, reconnected by SignalR');
  });

  it('does not open a second connection while SignalR is reconnecting; the job joins on reconnect', async () => {
    const { client, connections } = setup();
    await client.subscribe('first001');
    connections[0].dropAndRetry();
    await assert.rejects(client.subscribe('second01'), HubUnavailableError);
    assert.equal(connections.length, 1);
    connections[0].reconnect();
    await flush();
    assert.deepEqual(subscribed(connections[0]), ['first001', 'first001', 'second01']);
  });

  it('starts a new connection after SignalR gave up, while jobs are still wanted', async () => {
    const { client, server, connections, timers } = setup();
    await client.subscribe('long0001');
    server.down = true;
    connections[0].close();
    assert.equal(timers.length, 1);
    await timers.shift().fn(); // gateway still down: try again later
    assert.equal(timers.length, 1);
    server.down = false;
    await timers.shift().fn();
    assert.equal(connections.length, 3);
    assert.deepEqual(subscribed(connections[2]), ['long0001']);

    await client.unsubscribe('long0001');
    connections[2].close();
    assert.equal(timers.length, 0, 'no restart when nothing is wanted');
  });

  it('fails fast without a token or when the hub is unreachable', async () => {
    const noToken = setup({ token: '' });
    await assert.rejects(noToken.client.subscribe('job00001'), /No client token/);
    assert.equal(noToken.connections.length, 0);

    const down = setup();
    down.server.down = true;
    await assert.rejects(down.client.subscribe('job00001'), (e) => e instanceof HubUnavailableError && /unreachable/.test(e.message));
  });

  it('drops the connection when the gateway or token changes', async () => {
    const { client, connections } = setup();
    await client.subscribe('job00001');
    client.configure({ gatewayUrl: 'http://127.0.0.1:5080', token: 'tok' }); // unchanged: kept
    assert.equal(connections[0].state, 'Connected');
    client.configure({ gatewayUrl: 'http://127.0.0.1:6000', token: 'tok2' });
    assert.equal(connections[0].state, 'Disconnected');
    await client.subscribe('job00002');
    assert.equal(connections[1].url, 'http://127.0.0.1:6000/hubs/progress');
    assert.equal(connections[1].token, 'tok2');
  });

  it('has a bounded reconnect policy and a timeout helper', async () => {
    assert.equal(retryPolicy.nextRetryDelayInMilliseconds({ previousRetryCount: 0, elapsedMilliseconds: 0 }), 0);
    assert.equal(retryPolicy.nextRetryDelayInMilliseconds({ previousRetryCount: 9, elapsedMilliseconds: 1000 }), 10_000);
    assert.equal(retryPolicy.nextRetryDelayInMilliseconds({ previousRetryCount: 9, elapsedMilliseconds: 301_000 }), null);
    assert.equal(hubUrl('http://h:1/'), 'http://h:1/hubs/progress');
    await assert.rejects(withTimeout(new Promise(() => {}), 10, 'waiting'), /timed out waiting after 10 ms/);
    assert.equal(await withTimeout(Promise.resolve(5), 10, 'x'), 5);
  });
});
