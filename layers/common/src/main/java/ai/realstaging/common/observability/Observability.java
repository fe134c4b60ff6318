package ai.realstaging.common.observability;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.function.Supplier;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Powertools through its functional API (no AspectJ weaving): JSON logs carrying the request id
 * and cold-start flag, EMF metrics flushed at the end of every invocation.
 */
public final class Observability {
    /** Powertools' own switch; when metrics are off, the per-invocation metrics work is skipped too. */
    private static final boolean METRICS = !"true".equalsIgnoreCase(System.getenv("POWERTOOLS_METRICS_DISABLED"));

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
            metrics.flush();
        }
    }

    public static void count(String metric, double value) {
        MetricsFactory.getMetricsInstance().addMetric(metric, value, MetricUnit.COUNT);
    }

    public static void millis(String metric, double value) {
        MetricsFactory.getMetricsInstance().addMetric(metric, value, MetricUnit.MILLISECONDS);
    }
}
