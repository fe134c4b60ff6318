package ai.realstaging.common.observability;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Powertools through its functional API (no AspectJ weaving): JSON logs carrying the request id
 * and cold-start flag; EMF metrics (the cold start is flushed on its own by Powertools) flushed at
 * the end of an invocation that recorded any.
 */
public final class Observability {
    /** Powertools' own switch; when metrics are off, the per-invocation metrics work is skipped too. */
    private static final boolean METRICS = !"true".equalsIgnoreCase(System.getenv("POWERTOOLS_METRICS_DISABLED"));
    /** Metrics added since the last flush; an empty flush logs a warning on every warm request. */
    private static final AtomicInteger PENDING = new AtomicInteger();

    private Observability() {}

    public static <T> T invocation(Context context, Supplier<T> work) {
        if (!METRICS) {
            return PowertoolsLogging.withLogging(context, work);
        }
        Metrics metrics = MetricsFactory.getMetricsInstance();
        metrics.captureColdStartMetric(context);
        try {
            return PowertoolsLogging.withLogging(context, work);
        } finally {
            if (PENDING.getAndSet(0) > 0) {
                metrics.flush();
            }
        }
    }

    public static void count(String metric, double value) {
        if (!METRICS) return;
        MetricsFactory.getMetricsInstance().addMetric(metric, value, MetricUnit.COUNT);
        PENDING.incrementAndGet();
    }

    public static void millis(String metric, double value) {
        if (!METRICS) return;
        MetricsFactory.getMetricsInstance().addMetric(metric, value, MetricUnit.MILLISECONDS);
        PENDING.incrementAndGet();
    }
}
