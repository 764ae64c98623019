package dev.conveyor.metrics;

import dev.conveyor.events.JobListener;
import dev.conveyor.events.WorkerView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** In-flight and held jobs, concurrency and heartbeat age of each running worker; removed when the worker stops. */
final class WorkerGauges implements JobListener {
    private final MeterRegistry registry;
    private final Map<WorkerView, List<Meter>> gauges = new ConcurrentHashMap<>();

    WorkerGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void workerStarted(WorkerView worker) {
        gauges.put(worker, List.of(
                gauge(worker, MeterNames.WORKER_IN_FLIGHT, "Jobs leased and not yet recorded", null,
                        WorkerView::jobsInFlight),
                gauge(worker, MeterNames.WORKER_CONCURRENCY, "Most jobs the worker runs at once", null,
                        WorkerView::concurrency),
                gauge(worker, MeterNames.WORKER_HELD, "In-flight jobs leased ahead of a free slot, waiting for one",
                        null, WorkerView::jobsHeld),
                gauge(worker, MeterNames.WORKER_HEARTBEAT_AGE, "Time since the last successful heartbeat round",
                        "seconds", w -> w.heartbeatAge().toNanos() / 1e9)));
    }

    @Override
    public void workerStopped(WorkerView worker) {
        List<Meter> meters = gauges.remove(worker);
        if (meters != null) meters.forEach(registry::remove);
    }

    private Meter gauge(WorkerView worker, String name, String description, String unit,
                        java.util.function.ToDoubleFunction<WorkerView> value) {
        // A strong reference: Micrometer holds gauge objects weakly, and the worker must report until it stops.
        return Gauge.builder(name, worker, value).description(description).baseUnit(unit)
                .tag("worker", worker.name()).strongReference(true).register(registry);
    }
}
