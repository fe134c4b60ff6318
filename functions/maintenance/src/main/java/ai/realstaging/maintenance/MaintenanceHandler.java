package ai.realstaging.maintenance;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.observability.Observability;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** EventBridge schedule entry point: runs the maintenance sweeps once and answers what they did. */
public final class MaintenanceHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceHandler.class);

    private final Sweeps sweeps;

    public MaintenanceHandler() {
        this(Config.fromEnvironment());
    }

    public MaintenanceHandler(Config config) {
        this(Sweeps.create(config));
    }

    MaintenanceHandler(Sweeps sweeps) {
        this.sweeps = sweeps;
    }

    /**
     * The sweeps measure time from now, not from the event's scheduled time: a delivery retried
     * later must not act on a stale clock. A failed sweep fails the invocation (after the others
     * ran), so the function's Errors metric shows it; the next scheduled run is the retry.
     */
    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        return Observability.invocation(context, () -> {
            if (event != null && event.getId() != null) {
                LOG.info("scheduled run {} ({})", event.getId(), event.getTime());
            }
            Sweeps.Summary summary = sweeps.run(Instant.now());
            if (!summary.ok()) {
                throw new SweepsFailed(summary);
            }
            return asMap(summary);
        });
    }

    /** The summary with the snake_case names the rest of the API uses. */
    static Map<String, Object> asMap(Sweeps.Summary s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uploads_expired", s.uploadsExpired());
        out.put("images_expired", s.imagesExpired());
        out.put("uploads_renotified", s.uploadsRenotified());
        out.put("images_requeued", s.imagesRequeued());
        out.put("images_timed_out", s.imagesTimedOut());
        out.put("messages_resent", s.messagesResent());
        out.put("files_deleted", s.filesDeleted());
        out.put("files_pending", s.filesPending());
        out.put("failed", s.failed());
        out.put("millis", s.millis());
        return out;
    }

    /** One or more sweeps stopped on an error; the summary says which, and what the others did. */
    public static final class SweepsFailed extends RuntimeException {
        private final transient Sweeps.Summary summary;

        SweepsFailed(Sweeps.Summary summary) {
            super("maintenance sweeps failed: " + String.join(", ", summary.failed()));
            this.summary = summary;
        }

        public Sweeps.Summary summary() {
            return summary;
        }
    }
}
