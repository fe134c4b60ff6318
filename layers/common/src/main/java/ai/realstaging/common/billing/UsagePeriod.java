package ai.realstaging.common.billing;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** The window quota is counted in: a subscription's current period, else the calendar month in UTC. */
public record UsagePeriod(Instant start, Instant end) {

    public static UsagePeriod calendarMonth(Instant now) {
        ZonedDateTime first = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
        return new UsagePeriod(first.toInstant(), first.plusMonths(1).toInstant());
    }

    /**
     * A subscription's period as of {@code now}. When it has ended but Stripe's renewal has not reached
     * us yet, the next one is assumed to start where it ended (Stripe starts it there) and last a month;
     * the renewal event then brings the real end, and reservations already keyed to that start still count.
     */
    public static UsagePeriod subscription(Instant start, Instant end, Instant now) {
        Instant s = start;
        Instant e = end;
        for (int i = 0; i < 36 && !now.isBefore(e); i++) {
            s = e;
            e = e.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
        }
        return new UsagePeriod(s, e);
    }
}
