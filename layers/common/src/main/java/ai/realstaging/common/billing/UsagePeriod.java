package ai.realstaging.common.billing;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** The window quota is counted in: for now the calendar month in UTC. */
public record UsagePeriod(Instant start, Instant end) {

    public static UsagePeriod calendarMonth(Instant now) {
        ZonedDateTime first = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
        return new UsagePeriod(first.toInstant(), first.plusMonths(1).toInstant());
    }
}
