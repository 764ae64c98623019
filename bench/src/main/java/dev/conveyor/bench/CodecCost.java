package dev.conveyor.bench;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobIds;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;

/**
 * What a job's envelope and id cost the JVM, one thread, no broker: {@code bench/run codec [--n N] [--rounds R]}.
 * Writes and reads the envelope of a job like the benchmarks' no-op jobs (small args, no headers) N times a round,
 * and draws N ids; prints each round and the median of the rounds after the first (the first includes compiling).
 * The Redis broker writes one envelope per job at enqueue and reads one per job at fetch; the SQL brokers store
 * columns and use neither. See docs/BENCHMARKS.md, "The envelope by hand".
 */
public final class CodecCost {
    private CodecCost() {}

    public static void main(String[] args) {
        measure(args);
    }

    /** Runs it, prints each round, and returns the medians: encode, decode and id, in ns a job. */
    static double[] measure(String[] args) {
        int n = 300_000, rounds = 8;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--n" -> n = Integer.parseInt(value(args, ++i, "--n"));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, "--rounds"));
                default -> throw new IllegalArgumentException("codec: unknown option '" + args[i] + "'; known: --n N, --rounds R");
            }
        }
        if (n < 1 || rounds < 2) throw new IllegalArgumentException("codec: --n must be at least 1 and --rounds at least 2");
        Clock clock = Clock.systemUTC();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Job job = new Job(JobIds.next(clock), "peer_noop", "default", "{\"seq\":12345,\"sentMicros\":1764000000000000,\"sleepMs\":0}",
                Map.of(), 5, 0, 0, 10, 3, now, now, null, null, null, null, null, null);
        String envelope = JobCodec.encode(job);
        if (!JobCodec.decode(envelope).equals(job)) throw new IllegalStateException("the envelope does not read back: " + envelope);
        System.out.printf("codec: envelope of %d characters, %,d operations a round, %d rounds, one thread%n", envelope.length(), n, rounds);
        double[][] ns = new double[3][rounds];
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) sink += JobCodec.encode(job).length();
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) sink += JobCodec.decode(envelope).priority();
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) sink += JobIds.next(clock).length();
            long t3 = System.nanoTime();
            ns[0][r] = (t1 - t0) / (double) n;
            ns[1][r] = (t2 - t1) / (double) n;
            ns[2][r] = (t3 - t2) / (double) n;
            System.out.printf("  round %d: encode %,6.0f ns   decode %,6.0f ns   id %,5.0f ns%n", r + 1, ns[0][r], ns[1][r], ns[2][r]);
        }
        double[] medians = {median(ns[0]), median(ns[1]), median(ns[2])};
        System.out.printf("= codec: median of rounds 2-%d: encode %,.0f ns, decode %,.0f ns, id %,.0f ns a job (checksum %d)%n", rounds,
                medians[0], medians[1], medians[2], sink & 0xFF);
        return medians;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) throw new IllegalArgumentException("codec: " + name + " needs a value");
        return args[i];
    }

    /** The median of every round but the first. */
    private static double median(double[] rounds) {
        double[] warm = Arrays.copyOfRange(rounds, 1, rounds.length);
        Arrays.sort(warm);
        int m = warm.length / 2;
        return warm.length % 2 == 1 ? warm[m] : (warm[m - 1] + warm[m]) / 2;
    }
}
