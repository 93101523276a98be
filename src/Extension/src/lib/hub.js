// The service worker's SignalR connection to /hubs/progress, kept apart from @microsoft/signalr so it can be tested with
// a fake connection. The gateway forgets group membership when a connection drops, so every job still wanted is
// subscribed again after a reconnect (the hub replays its history, which fills what was missed while offline).

export const HUB_PATH = '/hubs/progress';

export const hubUrl = (gatewayUrl) => gatewayUrl.replace(/\/+$/, '') + HUB_PATH;

export class HubUnavailableError extends Error {
  constructor(message, cause) {
    super(message);
    this.name = 'HubUnavailableError';
    this.cause = cause;
  }
}

/**
 * Reconnect delays for SignalR's withAutomaticReconnect: quick at first, then every 10 s, giving up after five minutes
 * (the client then reconnects on the next subscription, or after `restartDelayMs` when jobs are still wanted).
 */
export const retryPolicy = {
  nextRetryDelayInMilliseconds(ctx) {
    if (ctx.elapsedMilliseconds > 5 * 60_000) return null;
    return [0, 1000, 2000, 5000][ctx.previousRetryCount] ?? 10_000;
  },
};

/**
 * @param {object} deps
 * @param {(opts: {url: string, token: string}) => object} deps.createConnection a SignalR HubConnection (or a double)
 * @param {(evt: object) => void} deps.onStage receives every stage message and every replayed history entry
 * @param {(state: string) => void} [deps.onState] 'connecting' | 'connected' | 'reconnecting' | 'disconnected'
 */
export class ProgressHubClient {
  constructor({ createConnection, onStage, onState = () => {}, log = () => {}, timeoutMs = 5000, restartDelayMs = 3000,
    setTimer = (fn, ms) => setTimeout(fn, ms) }) {
    this.createConnection = createConnection;
    this.onStage = onStage;
    this.onState = onState;
    this.log = log;
    this.timeoutMs = timeoutMs;
    this.restartDelayMs = restartDelayMs;
    this.setTimer = setTimer;
    this.wanted = new Set();
    this.connection = null;
    this.starting = null;
    this.config = { gatewayUrl: '', token: '' };
    this.generation = 0;
  }

  /** New gateway or token: drops the current connection; wanted jobs are subscribed again on the next connect. */
  configure({ gatewayUrl, token }) {
    if (gatewayUrl === this.config.gatewayUrl && token === this.config.token) return;
    this.config = { gatewayUrl, token };
    this.drop();
  }

  get connected() {
    return this.connection !== null && this.connection.state === 'Connected';
  }

  /** Starts the connection once; concurrent callers share the attempt. */
  async connect() {
    if (this.connected) return this.connection;
    if (this.starting) return this.starting;
    if (this.connection && this.connection.state === 'Reconnecting') {
      // SignalR is already retrying; a second connection would leak. Wanted jobs join when it is back.
      throw new HubUnavailableError('The progress hub is reconnecting.');
    }
    if (!this.config.token) throw new HubUnavailableError('No client token is configured, so live progress is off.');
    const generation = this.generation;
    const connection = this.createConnection({ url: hubUrl(this.config.gatewayUrl), token: this.config.token });
    connection.on('stage', (evt) => this.onStage(evt));
    connection.onreconnecting(() => this.onState('reconnecting'));
    connection.onreconnected(() => {
      this.onState('connected');
      this.resubscribeAll().catch((e) => this.log('re-subscribe failed', e));
    });
    connection.onclose(() => {
      if (this.connection === connection) this.connection = null;
      this.onState('disconnected');
      if (generation === this.generation && this.wanted.size > 0) this.setTimer(() => this.restart(generation), this.restartDelayMs);
    });
    this.onState('connecting');
    this.starting = withTimeout(connection.start(), this.timeoutMs, 'connecting to the progress hub')
      .then(() => {
        if (generation !== this.generation) {
          connection.stop().catch(() => {});
          throw new HubUnavailableError('The gateway settings changed while connecting.');
        }
        this.connection = connection;
        this.onState('connected');
        return connection;
      })
      .catch((e) => {
        connection.stop().catch(() => {});
        this.onState('disconnected');
        throw e instanceof HubUnavailableError ? e : new HubUnavailableError(`The progress hub is unreachable: ${e?.message ?? e}`, e);
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  /** Joins a job's group (reserving the id for this user when it is new) and replays its history. */
  async subscribe(jobId) {
    this.wanted.add(jobId);
    const connection = await this.connect();
    const history = await withTimeout(connection.invoke('Subscribe', jobId), this.timeoutMs, 'subscribing');
    for (const evt of history ?? []) this.onStage(evt);
    return history ?? [];
  }

  /** Leaves a finished job's group. */
  async unsubscribe(jobId) {
    this.wanted.delete(jobId);
    if (!this.connected) return;
    try {
      await this.connection.invoke('Unsubscribe', jobId);
    } catch (e) {
      this.log('unsubscribe failed', e);
    }
  }

  /** After SignalR reconnected by itself: its groups are gone on the server, so join them all again. */
  async resubscribeAll() {
    const connection = this.connection;
    if (!connection) return;
    for (const jobId of [...this.wanted]) {
      try {
        const history = await connection.invoke('Subscribe', jobId);
        for (const evt of history ?? []) this.onStage(evt);
      } catch (e) {
        this.log(`re-subscribe to ${jobId} failed`, e);
      }
    }
  }

  async restart(generation) {
    if (generation !== this.generation || this.wanted.size === 0 || this.connected) return;
    try {
      await this.connect();
      await this.resubscribeAll();
    } catch (e) {
      this.log('restart failed', e);
      if (generation === this.generation && this.wanted.size > 0) this.setTimer(() => this.restart(generation), this.restartDelayMs);
    }
  }

  drop() {
    this.generation++;
    const old = this.connection;
    this.connection = null;
    this.starting = null;
    if (old) old.stop().catch(() => {});
  }
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out ${what} after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
