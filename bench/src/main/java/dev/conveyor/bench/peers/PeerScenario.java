package dev.conveyor.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One scenario of the side-by-side benchmark as the orchestrator runs it: the drivers' scenario, its offered
 * rate or concurrency, and which figure the table shows. Names: {@code throughput}, {@code e2e},
 * {@code latency-100}, {@code latency-1000}, {@code latency-10000}, {@code io-200}, {@code io-2000},
 * {@code footprint}.
 */
public record PeerScenario(String name, String driverScenario, int rate, int concurrency) {
    /** What the table shows, and whether more is better. */
    public enum Figure { JOBS_PER_SECOND, LATENCY, WALL, FOOTPRINT }

    public Figure figure() {
        return switch (driverScenario) {
            case "throughput", "e2e" -> Figure.JOBS_PER_SECOND;
            case "latency" -> Figure.LATENCY;
            case "io" -> Figure.WALL;
            default -> Figure.FOOTPRINT;
        };
    }

    /** Every scenario, in the order a full run takes them (e2e before latency: its figure decides the rates). */
    public static List<PeerScenario> all(boolean quick, int noopConcurrency) {
        List<PeerScenario> l = new ArrayList<>();
        l.add(new PeerScenario("throughput", "throughput", 0, noopConcurrency));
        l.add(new PeerScenario("e2e", "e2e", 0, noopConcurrency));
        for (int r : quick ? new int[] {100} : new int[] {100, 1_000, 10_000}) {
            l.add(new PeerScenario("latency-" + r, "latency", r, noopConcurrency));
        }
        for (int c : quick ? new int[] {200} : new int[] {200, 2_000}) l.add(new PeerScenario("io-" + c, "io", 0, c));
        l.add(new PeerScenario("footprint", "footprint", 0, noopConcurrency));
        return l;
    }

    /** Selects by name: an exact name, or a family ({@code latency} = every latency rate, {@code io} = both). */
    public static List<PeerScenario> select(List<PeerScenario> all, List<String> names) {
        if (names.isEmpty()) return all;
        List<PeerScenario> out = new ArrayList<>();
        for (String n : names) {
            String k = n.toLowerCase(Locale.ROOT).trim();
            List<PeerScenario> hit = all.stream().filter(s -> s.name.equals(k) || s.driverScenario.equals(k)).toList();
            if (hit.isEmpty()) {
                throw new IllegalArgumentException("unknown peers scenario '" + n + "'; known: "
                        + String.join(", ", all.stream().map(PeerScenario::name).toList()) + " (latency and io select each rate/concurrency)");
            }
            for (PeerScenario s : hit) if (!out.contains(s)) out.add(s);
        }
        return all.stream().filter(out::contains).toList(); // the run order of all()
    }
}
