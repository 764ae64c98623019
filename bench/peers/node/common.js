'use strict';
// The drivers' protocol for Node systems: the same flags, scenarios and output as the JVM harness
// (bench/peers/java/.../JvmHarness.java). A driver module exports makeSystem(args) returning
// { name, version, settings(a), startWorker(c), enqueueBulk(jobs), enqueueOne(job), awaitRecorded(n, deadline), close() };
// jobs are { seq, t, s }: sequence number, send time in epoch microseconds (0 = not measured), sleep ms.
// Prints "READY <epoch ms>" once the worker takes jobs and one line "RESULT <json>" at the end.

const { performance } = require('perf_hooks');

/** Microseconds since the epoch (the clock every driver stamps jobs with). */
function nowMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** A value rounded to 3 significant digits: the drivers' common histogram form (HdrHistogram's precision). */
function round3(v) {
  if (v < 1000) return v;
  let scale = 1;
  while (Math.floor(v / scale) >= 1000) scale *= 10;
  return Math.floor(v / scale) * scale;
}

/** Jobs sent one at a time, unmeasured, before the latency schedule starts (the same in every harness). */
const PRIME = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What the job handlers report: starts (with enqueue-to-start latency) and ends. */
class Recorder {
  constructor() {
    this.finished = 0;
    this.firstStart = Infinity;
    this.lastFinish = 0;
    this.latency = new Map();
  }
  started(sentMicros) {
    const now = nowMicros();
    if (now < this.firstStart) this.firstStart = now;
    if (sentMicros > 0) {
      const k = round3(Math.max(0, now - sentMicros));
      this.latency.set(k, (this.latency.get(k) || 0) + 1);
    }
  }
  done() {
    this.finished++;
    this.lastFinish = nowMicros();
  }
  /** The job body of every Node system. */
  async run(job) {
    this.started(job.t);
    if (job.s > 0) await sleep(job.s);
    this.done();
  }
}

function parseArgs(argv) {
  const m = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) m[a.slice(2, eq)] = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      m[a.slice(2)] = argv[++i];
    }
  }
  const a = {
    scenario: m.scenario || 'e2e',
    jobs: +(m.jobs || 10000),
    concurrency: +(m.concurrency || 64),
    rate: +(m.rate || 1000),
    durationMs: +(m['duration-ms'] || 10000),
    warmupMs: +(m['warmup-ms'] || 2000),
    sleepMs: +(m['sleep-ms'] || 0),
    batch: +(m.batch || 1000),
    idleMs: +(m['idle-ms'] || 2000),
    redis: m.redis || 'redis://127.0.0.1:6379',
    prefix: m.prefix || 'peerbench',
    pg: m.pg || null,
    timeoutSeconds: +(m['timeout-seconds'] || 600),
  };
  if (!['throughput', 'e2e', 'latency', 'io', 'footprint'].includes(a.scenario)) {
    throw new Error(`unknown --scenario ${a.scenario}; known: throughput, e2e, latency, io, footprint`);
  }
  return a;
}

function ready() {
  process.stdout.write(`READY ${Date.now()}\n`);
}

async function enqueueAll(sys, n, sleepMs, batch) {
  for (let from = 0; from < n; from += batch) {
    const jobs = [];
    for (let i = from; i < Math.min(n, from + batch); i++) jobs.push({ seq: i, t: 0, s: sleepMs });
    await sys.enqueueBulk(jobs);
  }
}

function finish(out, rec, n, done, fromMicros, endMicros, primed = 0) {
  out.completed = rec.finished;
  out.recorded = done;
  out.wallMs = (endMicros - fromMicros) / 1000;
  if (done) out.jobsPerSecond = n / (out.wallMs / 1000);
  return done && rec.finished === n + primed;
}

async function runScenario(sys, a, rec, out) {
  const deadline = Date.now() + a.timeoutSeconds * 1000;
  const n = a.jobs;
  const sleepMs = a.scenario === 'io' ? (a.sleepMs > 0 ? a.sleepMs : 100) : 0;
  out.jobs = n;
  out.concurrency = a.concurrency;
  if (a.scenario === 'throughput') {
    const t0 = nowMicros();
    await enqueueAll(sys, n, 0, a.batch);
    out.enqueueMs = (nowMicros() - t0) / 1000;
    await sys.startWorker(a.concurrency);
    ready();
    const done = await sys.awaitRecorded(n, deadline);
    return finish(out, rec, n, done, rec.firstStart, nowMicros());
  }
  if (a.scenario === 'latency') {
    await sys.startWorker(a.concurrency);
    ready();
    // Priming, as in every harness: PRIME jobs one at a time, unmeasured, before the schedule starts.
    for (let i = 0; i < PRIME; i++) await sys.enqueueOne({ seq: i, t: 0, s: 0 });
    if (!(await sys.awaitRecorded(PRIME, deadline))) throw new Error('the priming jobs did not finish');
    const total = Math.floor(((a.warmupMs + a.durationMs) * a.rate) / 1000);
    const base = nowMicros() + 20000;
    const measureFrom = base + a.warmupMs * 1000;
    // Open loop: each job is due at base + i/rate and carries that time; each send starts when due, or at once
    // when behind, without waiting for the sends before it (concurrent requests, as in every harness): a slow
    // send delays its own job, and is counted in it. The sleeps yield to the worker on the same event loop, as a
    // producer in a web process would.
    const sends = [];
    for (let i = 0; i < total; i++) {
      const due = base + Math.floor((i * 1e6) / a.rate);
      const wait = due - nowMicros();
      if (wait > 1000) await sleep(Math.floor(wait / 1000));
      // Timers have whole-millisecond steps, so a send may go out up to 1 ms before it is due: such a job carries
      // its real send time, not the later due time (a job sent late still carries its due time: the system is
      // charged for the wait). The JVM and Python harnesses sleep to the microsecond and never send early.
      const sent = Math.min(due, nowMicros());
      sends.push(sys.enqueueOne({ seq: PRIME + i, t: due >= measureFrom ? sent : 0, s: 0 }));
    }
    await Promise.all(sends); // a failed send fails the run
    out.rate = a.rate;
    out.jobs = total;
    out.primingJobs = PRIME;
    const done = await sys.awaitRecorded(PRIME + total, deadline);
    out.latencyUs = Object.fromEntries([...rec.latency.entries()].sort((x, y) => x[0] - y[0]));
    return finish(out, rec, PRIME + total, done, base, nowMicros());
  }
  // e2e, io, footprint
  await sys.startWorker(a.concurrency);
  ready();
  if (a.scenario === 'footprint') await sleep(a.idleMs);
  // I/O-bound runs last about a second: primed like latency, or they would measure the cold start.
  let primed = 0;
  if (a.scenario === 'io') {
    for (; primed < PRIME; primed++) await sys.enqueueOne({ seq: primed, t: 0, s: 0 });
    if (!(await sys.awaitRecorded(PRIME, deadline))) throw new Error('the priming jobs did not finish');
  }
  out.primingJobs = primed;
  const t0 = nowMicros();
  await enqueueAll(sys, n, sleepMs, a.batch);
  out.enqueueMs = (nowMicros() - t0) / 1000;
  const done = await sys.awaitRecorded(primed + n, deadline);
  return finish(out, rec, n, done, t0, nowMicros(), primed);
}

/** An installed package's version, read from its package.json (some packages do not export it). */
function pkgVersion(name) {
  const path = require('path');
  const fs = require('fs');
  let dir = path.dirname(require.resolve(name));
  while (dir !== path.dirname(dir)) {
    const f = path.join(dir, 'package.json');
    if (fs.existsSync(f)) {
      const p = JSON.parse(fs.readFileSync(f, 'utf8'));
      if (p.name === name) return p.version;
    }
    dir = path.dirname(dir);
  }
  return '?';
}

/** Polls a count until it reaches n, or false at the deadline (epoch ms). */
async function pollUntil(count, n, deadline, everyMs) {
  for (;;) {
    if ((await count()) >= n) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** The driver's main: parses, runs, prints the RESULT line and exits 0 (all recorded), 1 or 2. */
async function main(makeSystem) {
  let a;
  try {
    a = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`driver: ${e.message}\n`);
    process.exit(2);
  }
  const rec = new Recorder();
  const out = {};
  let ok = false;
  let sys;
  try {
    sys = await makeSystem(a, rec);
    out.system = sys.name;
    out.version = sys.version;
    out.scenario = a.scenario;
    out.settings = sys.settings(a);
    ok = await runScenario(sys, a, rec, out);
  } catch (e) {
    process.stderr.write(`${e.stack || e}\n`);
    out.error = String(e && e.message ? e.message : e);
    ok = false;
  }
  out.ok = ok;
  try {
    if (sys) await Promise.race([sys.close(), sleep(10000)]);
  } catch (e) {
    process.stderr.write(`close: ${e}\n`);
  }
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`, () => process.exit(ok ? 0 : 1));
}

module.exports = { main, pkgVersion, nowMicros, round3, sleep, pollUntil, Recorder };
