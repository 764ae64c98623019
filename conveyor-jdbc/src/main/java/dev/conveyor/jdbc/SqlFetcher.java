package dev.conveyor.jdbc;

import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The three steps of a SQL fetch, run in one write transaction by {@link SqlBroker#fetch}: promote delayed jobs
 * that fell due, reclaim expired leases (back to ready: a worker quarantines a crash-looping job), and claim ready jobs
 * with a new lease.
 */
final class SqlFetcher {
    private static final Comparator<LeasedJob> FETCH_ORDER = Comparator
            .<LeasedJob>comparingInt(l -> -l.job().priority())
            .thenComparing(l -> l.job().runAt())
            .thenComparing(l -> l.job().id());
    /** Most expired leases reclaimed per fetch, so one fetch after a mass crash stays short. */
    private static final int RECLAIM_LIMIT = 1000;

    private final SqlDialect dialect;
    private final SqlInspection inspection;
    private final String t;

    SqlFetcher(SqlDialect dialect, SqlInspection inspection) {
        this.dialect = dialect;
        this.inspection = inspection;
        this.t = dialect.table();
    }

    void promoteDue(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE " + t + " SET state = 'READY' WHERE state = 'SCHEDULED' AND run_at <= ?")) {
            ps.setLong(1, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    /** Leases whose worker was lost: back to ready (or cancelled, when that was asked). */
    void reclaimExpired(Connection c, Instant now) throws SQLException {
        List<String> ready = new ArrayList<>();
        List<String> cancelled = new ArrayList<>();
        List<String> givenBack = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, attempt, deliveries, "
                + "cancel_requested_at, started_delivery FROM " + t + " WHERE state = 'RUNNING' AND lease_until <= ? LIMIT "
                + RECLAIM_LIMIT + dialect.skipLockedRows())) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int deliveries = rs.getInt(3);
                    int lost = deliveries - rs.getInt(2);
                    rs.getLong(4);
                    boolean cancelRequested = !rs.wasNull();
                    // After the first, a lost lease counts only if its handler had started (Broker#markStarted).
                    boolean started = rs.getInt(5) == deliveries && !rs.wasNull();
                    if (cancelRequested) cancelled.add(rs.getString(1)); // its worker is gone and it was cancelled: it ends
                    else if (lost >= 2 && !started) givenBack.add(rs.getString(1));
                    // Even one lost maxDeliveries times goes back to ready: the worker that leases it next buries it
                    // unrun (quarantine is the worker's call, so its workflow and listeners hear of it).
                    else ready.add(rs.getString(1));
                }
            }
        }
        // Each guarded: another fetcher may have reclaimed and re-leased the row since we read it.
        reclaimAs(c, givenBack, now, "state = 'READY', deliveries = deliveries - 1, started_delivery = NULL, "
                + "progress = NULL"); // lost before its handler started: the delivery is given back, as a release
        reclaimAs(c, cancelled, now, "state = 'CANCELLED', finished_at = " + now.toEpochMilli() + ", dead_reason = 'cancelled'");
        reclaimAs(c, ready, now, "state = 'READY', started_delivery = NULL, progress = NULL");
    }

    /** Applies {@code set} to the expired leases of {@code ids} that are still expired, in one batch. */
    private void reclaimAs(Connection c, List<String> ids, Instant now, String set) throws SQLException {
        if (ids.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t + " SET updated_at = ?, lease_token = NULL, "
                + "lease_until = NULL, " + set + " WHERE id = ? AND state = 'RUNNING' AND lease_until <= ?")) {
            for (String id : ids) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, id);
                ps.setLong(3, now.toEpochMilli());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    List<LeasedJob> claim(Connection c, List<String> queues, int max, Instant now, Instant until)
            throws SQLException {
        long token = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        List<LeasedJob> out = new ArrayList<>(Math.min(max, 256));
        List<String[]> corrupt = new ArrayList<>();
        dialect.claim(c, queues, max, token, until.toEpochMilli(), now.toEpochMilli(), rs -> {
            try {
                Job job = JobRows.job(rs);
                out.add(new LeasedJob(job, new Lease(job.id(), token), until));
            } catch (JobRows.CorruptRowException e) {
                corrupt.add(new String[] {rs.getString("id"), e.getMessage()});
            }
        });
        for (String[] bad : corrupt) {
            inspection.markDead(c, bad[0], AttemptError.reason(0, now, "corrupt-record", "corrupt record: " + bad[1]), now,
                    "");
        }
        out.sort(FETCH_ORDER);
        return out;
    }
}
