// unit: the usage period (calendar month in UTC, or a subscription's period continued past a late renewal)
package ai.realstaging.common.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsagePeriodTest {

    @Test
    void theCalendarMonthInUtcContainsTheInstant() {
        UsagePeriod period = UsagePeriod.calendarMonth(Instant.parse("2025-06-14T10:15:30Z"));

        assertThat(period.start()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2025-07-01T00:00:00Z"));
    }

    @Test
    void theLastInstantOfAMonthStillBelongsToIt() {
        UsagePeriod period = UsagePeriod.calendarMonth(Instant.parse("2024-02-29T23:59:59.999Z"));

        assertThat(period.start()).isEqualTo(Instant.parse("2024-02-01T00:00:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    }

    @Test
    void decemberRollsIntoJanuary() {
        assertThat(UsagePeriod.calendarMonth(Instant.parse("2025-12-31T12:00:00Z")).end())
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void aSubscriptionsCurrentPeriodIsUsedAsStripeStatesIt() {
        UsagePeriod period = UsagePeriod.subscription(Instant.parse("2025-06-14T10:00:00Z"),
                Instant.parse("2025-07-14T10:00:00Z"), Instant.parse("2025-07-01T00:00:00Z"));

        assertThat(period).isEqualTo(new UsagePeriod(Instant.parse("2025-06-14T10:00:00Z"), Instant.parse("2025-07-14T10:00:00Z")));
    }

    @Test
    void anEndedPeriodWhoseRenewalHasNotArrivedContinuesWhereItEnded() {
        UsagePeriod period = UsagePeriod.subscription(Instant.parse("2025-06-14T10:00:00Z"),
                Instant.parse("2025-07-14T10:00:00Z"), Instant.parse("2025-07-14T10:00:00Z"));

        assertThat(period.start()).isEqualTo(Instant.parse("2025-07-14T10:00:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2025-08-14T10:00:00Z"));
    }
}
