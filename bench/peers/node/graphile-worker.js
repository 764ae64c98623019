'use strict';
// graphile-worker on PostgreSQL as a driver of the side-by-side benchmark (protocol: common.js).
// Best-performance settings, from graphile-worker's "Performance" and "Batching" documentation:
// - bulk enqueue with WorkerUtils.addJobs (one statement per batch);
// - one runner in this process with `concurrency` = the concurrency asked for;
// - localQueue.size = max(concurrency + 1, 256): the pool locks and pulls jobs in batches instead of one
//   round trip per job (the docs' starting point is concurrency + 1, "much higher for very fast tasks");
// - completeJobBatchDelay 0: completions that arrive together go in one statement, without waiting;
// - maxPoolSize max(10, min(concurrency + 2, 20)) (the docs: 10 or concurrency + 2), prepared statements on,
//   pollInterval 2000 ms (the default: new jobs arrive by LISTEN/NOTIFY, polling is the fallback).
// A job counts as done once its row is gone from graphile_worker.jobs (graphile-worker deletes finished jobs).
const { main, pollUntil, pkgVersion } = require('./common');
const { run, makeWorkerUtils } = require('graphile-worker');

main(async (a, rec) => {
  if (!a.pg) throw new Error('graphile-worker needs --pg postgresql://user@host:port/database');
  const connectionString = a.pg;
  const utils = await makeWorkerUtils({ connectionString });
  await utils.migrate();
  let runner;
  let poolSize;
  let localQueueSize;
  const remaining = () =>
    utils.withPgClient(async (c) => +(await c.query('select count(*) as n from graphile_worker.jobs')).rows[0].n);
  return {
    name: 'graphile-worker',
    version: pkgVersion('graphile-worker'),
    settings: (x) => ({
      enqueue: `WorkerUtils.addJobs, ${x.batch} jobs per call; latency: addJob, one per call`,
      worker: `one runner in the producer's process, concurrency ${x.concurrency}, localQueue.size ${Math.max(x.concurrency + 1, 256)}, ` +
        `completeJobBatchDelay 0, maxPoolSize ${Math.max(10, Math.min(x.concurrency + 2, 20))}, pollInterval 2000 ms (LISTEN/NOTIFY wakes it)`,
    }),
    async startWorker(c) {
      poolSize = Math.max(10, Math.min(c + 2, 20));
      localQueueSize = Math.max(c + 1, 256);
      runner = await run({
        connectionString,
        concurrency: c,
        maxPoolSize: poolSize,
        noHandleSignals: true,
        pollInterval: 2000,
        taskList: { peer_noop: (payload) => rec.run(payload) },
        logger: quietLogger(),
        preset: { worker: { localQueue: { size: localQueueSize }, completeJobBatchDelay: 0 } },
      });
    },
    enqueueBulk: (jobs) => utils.addJobs(jobs.map((payload) => ({ identifier: 'peer_noop', payload }))),
    enqueueOne: (job) => utils.addJob('peer_noop', job),
    async awaitRecorded(n, deadline) {
      if (!(await pollUntil(() => rec.finished, n, deadline, 1))) return false;
      return pollUntil(async () => n - (await remaining()), n, deadline, 10);
    },
    async close() {
      if (runner) await runner.stop();
      await utils.release();
    },
  };
});

/** graphile-worker logs every job at info level; the benchmark keeps warnings and errors. */
function quietLogger() {
  const { Logger } = require('graphile-worker');
  return new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') process.stderr.write(`graphile-worker ${level}: ${message}\n`);
  });
}
