package ai.realstaging.local;

import ai.realstaging.common.http.Json;
import ai.realstaging.local.template.SamTemplate;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;

/**
 * EventBridge schedules, locally: every enabled Schedule event of template.yaml invokes its
 * function with a "Scheduled Event" shaped as EventBridge sends it. Locally they run every
 * {@code every} rather than at the template's rate, so a developer sees the sweeps work in
 * minutes; runs of one schedule never overlap here (in AWS they may, and the functions allow it).
 */
final class LocalSchedules implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-schedules");
        t.setDaemon(true);
        return t;
    });

    private LocalSchedules() {}

    /** Starts the template's enabled schedules on the stack's functions; {@code every} zero starts none. */
    static LocalSchedules start(LocalStack stack, SamTemplate template, Duration every) {
        LocalSchedules schedules = new LocalSchedules();
        if (every.isZero() || every.isNegative()) return schedules;
        for (SamTemplate.ScheduleSource source : enabled(template)) {
            FunctionPool function = stack.function(source.functionLogicalId());
            schedules.timer.scheduleWithFixedDelay(() -> run(function, source), every.toMillis(), every.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return schedules;
    }

    static List<SamTemplate.ScheduleSource> enabled(SamTemplate template) {
        return template.schedules().stream().filter(SamTemplate.ScheduleSource::enabled).toList();
    }

    /** The event an EventBridge rule named after the schedule delivers at {@code time}. */
    static ScheduledEvent event(SamTemplate.ScheduleSource source, Instant time) {
        ScheduledEvent event = new ScheduledEvent();
        event.setVersion("0");
        event.setId(UUID.randomUUID().toString());
        event.setDetailType("Scheduled Event");
        event.setSource("aws.events");
        event.setAccount(LocalStack.ACCOUNT);
        event.setTime(new DateTime(time.toEpochMilli(), DateTimeZone.UTC));
        event.setRegion(LocalStack.REGION);
        event.setResources(List.of("arn:aws:events:" + LocalStack.REGION + ":" + LocalStack.ACCOUNT + ":rule/local-"
                + source.functionLogicalId() + source.eventName()));
        event.setDetail(Map.of());
        return event;
    }

    /** One scheduled invocation; what it did is printed when it did anything, its failure always. */
    private static void run(FunctionPool function, SamTemplate.ScheduleSource source) {
        try {
            Object result = function.invoke(event(source, Instant.now()));
            if (result instanceof Map<?, ?> summary && didSomething(summary)) {
                System.err.println("[local] " + function.name() + " (" + source.expression() + " in AWS): " + Json.write(summary));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.err.println("[local] " + function.name() + " scheduled run failed: " + e.getMessage());
        }
    }

    private static boolean didSomething(Map<?, ?> summary) {
        return summary.entrySet().stream().anyMatch(e -> !"millis".equals(e.getKey())
                && (e.getValue() instanceof Number n ? n.longValue() != 0 : e.getValue() instanceof List<?> l && !l.isEmpty()));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
