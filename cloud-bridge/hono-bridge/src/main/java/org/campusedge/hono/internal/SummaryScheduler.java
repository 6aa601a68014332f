package org.campusedge.hono.internal;

import java.time.Duration;
import java.time.Instant;
import org.campusedge.api.Outbox;

/**
 * Queues the school's summaries once per period, periods aligned on the clock (every 5 minutes: at
 * :00, :05, ...). How far it got is kept on disk, so the periods the gateway was down for are
 * summarised when it is back (from the stored events, up to {@code maxCatchUp} periods), and no
 * period is summarised twice. A period is summarised a little after it ends, so that events still
 * on their way into the store are in it.
 */
final class SummaryScheduler {

    /** How long after a period's end it is summarised: 10 s, or half the period when that is shorter. */
    private final Duration grace;

    private final Summariser summariser;
    private final Outbox outbox;
    private final String schoolId;
    private final StateFile state;
    private final long periodMs;
    private final int maxCatchUp;

    SummaryScheduler(Summariser summariser, Outbox outbox, String schoolId, StateFile state, Duration period, int maxCatchUp) {
        this.summariser = summariser;
        this.outbox = outbox;
        this.schoolId = schoolId;
        this.state = state;
        this.periodMs = period.toMillis();
        this.maxCatchUp = maxCatchUp;
        this.grace = Duration.ofMillis(Math.min(10_000, periodMs / 2));
    }

    /** Summarises every period that ended (plus the grace) and was not summarised yet; returns how many periods. */
    synchronized int runDue(Instant now) {
        long end = Math.floorDiv(now.minus(grace).toEpochMilli(), periodMs) * periodMs;
        String saved = state.read();
        long last = saved == null || saved.isBlank() ? end - periodMs : Long.parseLong(saved);
        last = Math.max(last, end - maxCatchUp * periodMs);
        int done = 0;
        for (long start = last; start + periodMs <= end; start += periodMs) {
            Instant from = Instant.ofEpochMilli(start);
            Instant to = Instant.ofEpochMilli(start + periodMs);
            for (Summariser.Summary s : summariser.summarise(from, to)) {
                String id = schoolId + "/" + s.type() + "/" + from.getEpochSecond();
                outbox.enqueue(Outbox.Lane.TELEMETRY, id, "telemetry", CloudEvents.CONTENT_TYPE,
                        CloudEvents.envelope(id, schoolId, CloudEvents.SUMMARY + s.type(), null, to, s.data()));
            }
            state.write(Long.toString(start + periodMs));
            done++;
        }
        return done;
    }
}
