'use strict';
// BullMQ on Redis as a driver of the side-by-side benchmark (protocol: common.js). Best-performance settings,
// from BullMQ's documentation ("Adding jobs in bulk", "Concurrency", "Auto-removal of jobs"):
// - bulk enqueue with Queue.addBulk (one MULTI of 'add' scripts per batch);
// - one Worker in this process with `concurrency` = the concurrency asked for (async handlers on one event loop);
// - removeOnComplete: true, removeOnFail: false (the finished set does not grow during the run);
// - a Queue connection and a Worker connection of their own (BullMQ opens a blocking one for the worker).
// A job counts as done on the Worker's 'completed' event: after BullMQ has moved it to completed in Redis.
const { main, pollUntil, pkgVersion } = require('./common');
const { Queue, Worker } = require('bullmq');

main(async (a, rec) => {
  const u = new URL(a.redis);
  const connection = { host: u.hostname, port: +(u.port || 6379), maxRetriesPerRequest: null };
  const name = 'peer_noop';
  const queue = new Queue(name, { connection, prefix: a.prefix });
  await queue.waitUntilReady();
  const opts = { removeOnComplete: true, removeOnFail: false };
  let completed = 0;
  let worker;
  return {
    name: 'bullmq',
    version: pkgVersion('bullmq'),
    settings: (x) => ({
      enqueue: `Queue.addBulk, ${x.batch} jobs per call; latency: Queue.add, one per call`,
      worker: `one Worker in the producer's process, concurrency ${x.concurrency}, removeOnComplete true`,
      redis: 'ioredis, a key prefix per run',
    }),
    async startWorker(c) {
      worker = new Worker(name, (job) => rec.run(job.data), { connection, prefix: a.prefix, concurrency: c, autorun: false });
      worker.on('completed', () => completed++);
      worker.on('error', (e) => process.stderr.write(`worker error: ${e}\n`));
      worker.run().catch((e) => process.stderr.write(`worker run: ${e}\n`));
      await worker.waitUntilReady();
    },
    enqueueBulk: (jobs) => queue.addBulk(jobs.map((data) => ({ name, data, opts }))),
    enqueueOne: (job) => queue.add(name, job, opts),
    awaitRecorded: (n, deadline) => pollUntil(() => completed, n, deadline, 1),
    async close() {
      if (worker) await worker.close(true);
      await queue.close();
    },
  };
});
