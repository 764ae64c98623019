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

    /**
     * Promotes delayed jobs that fell due, reclaims expired leases and leases up to {@code max} ready jobs. Where the
     * dialect can (PostgreSQL) the three go to the server in one round trip, outside a transaction: the claim was
     * the worker's critical path, and four round trips (promotion with {@code BEGIN}, the expired leases, the claim,
     * {@code COMMIT}) became one. Each step stays safe alone: the promotion is idempotent, and an expired lease is
     * reclaimed only by an update that checks it is still expired. Leases found expired are reclaimed after that
     * round trip and the claim runs again for the slots left, so a reclaimed job can be leased by the same fetch.
     * Otherwise the steps run one after another on {@code c}, in the caller's transaction.
     */
    List<LeasedJob> fetch(Connection c, List<String> queues, int max, Instant now, Instant until) throws SQLException {
        if (!dialect.claimsWithChores()) {
            promoteDue(c, now);
            reclaimExpired(c, now);
            return claim(c, queues, max, now, until);
        }
        Expired expired = new Expired();
        Claim claim = new Claim(now, until);
        dialect.claimWithChores(c, promoteSql(), expiredSql(), expired::add, queues, max, claim.token, until.toEpochMilli(),
                now.toEpochMilli(), claim::add);
        List<LeasedJob> out = claim.finish(c);
        if (!expired.isEmpty()) {
            expired.reclaim(c, now);
            if (out.size() < max) {
                out = new ArrayList<>(out);
                out.addAll(claim(c, queues, max - out.size(), now, until));
                out.sort(FETCH_ORDER);
            }
        }
        return out;
    }

    private String promoteSql() {
        return "UPDATE " + t + " SET state = 'READY' WHERE state = 'SCHEDULED' AND run_at <= ?";
    }

    /** Expired leases (parameter: now), at most {@link #RECLAIM_LIMIT}. */
    private String expiredSql() {
        return "SELECT id, attempt, deliveries, cancel_requested_at, started_delivery FROM " + t
                + " WHERE state = 'RUNNING' AND lease_until <= ? LIMIT " + RECLAIM_LIMIT + dialect.skipLockedRows();
    }

    void promoteDue(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(promoteSql())) {
            ps.setLong(1, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    /** Leases whose worker was lost: back to ready (or cancelled, when that was asked). */
    void reclaimExpired(Connection c, Instant now) throws SQLException {
        Expired expired = new Expired();
        try (PreparedStatement ps = c.prepareStatement(expiredSql())) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) expired.add(rs);
            }
        }
        expired.reclaim(c, now);
    }

    /** Expired leases read by {@link #expiredSql}, sorted by what becomes of each. */
    private final class Expired {
        private final List<String> ready = new ArrayList<>();
        private final List<String> cancelled = new ArrayList<>();
        private final List<String> givenBack = new ArrayList<>();

        void add(ResultSet rs) throws SQLException {
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

        boolean isEmpty() {
            return ready.isEmpty() && cancelled.isEmpty() && givenBack.isEmpty();
        }

        /** Each guarded: another fetcher may have reclaimed and re-leased the row since it was read. */
        void reclaim(Connection c, Instant now) throws SQLException {
            reclaimAs(c, givenBack, now, "state = 'READY', deliveries = deliveries - 1, started_delivery = NULL, "
                    + "progress = NULL"); // lost before its handler started: the delivery is given back, as a release
            reclaimAs(c, cancelled, now, "state = 'CANCELLED', finished_at = " + now.toEpochMilli()
                    + ", dead_reason = 'cancelled'");
            reclaimAs(c, ready, now, "state = 'READY', started_delivery = NULL, progress = NULL");
        }
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
        Claim claim = new Claim(now, until);
        dialect.claim(c, queues, max, claim.token, until.toEpochMilli(), now.toEpochMilli(), claim::add);
        return claim.finish(c);
    }

    /** The rows of one claim, under one new token; corrupt rows are buried once the claim's statement is done. */
    private final class Claim {
        final long token = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        private final Instant now;
        private final Instant until;
        private final List<LeasedJob> out = new ArrayList<>();
        private final List<String[]> corrupt = new ArrayList<>();

        Claim(Instant now, Instant until) {
            this.now = now;
            this.until = until;
        }

        void add(ResultSet rs) throws SQLException {
            try {
                Job job = JobRows.job(rs);
                out.add(new LeasedJob(job, new Lease(job.id(), token), until));
            } catch (JobRows.CorruptRowException e) {
                corrupt.add(new String[] {rs.getString("id"), e.getMessage()});
            }
        }

        List<LeasedJob> finish(Connection c) throws SQLException {
            for (String[] bad : corrupt) {
                inspection.markDead(c, bad[0], AttemptError.reason(0, now, "corrupt-record", "corrupt record: " + bad[1]),
                        now, "");
            }
            out.sort(FETCH_ORDER);
            return out;
        }
    }
}
