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

    /** Most periods summarised in one call. */
    static final int PER_CALL = 12;

    private final Summariser summariser;
    private final Outbox outbox;
    private final String schoolId;
    private final StateFile state;
    private final long periodMs;
    private final int maxCatchUp;
    /** The end of the last period summarised (epoch ms), null until known. */
    private Long summarisedUntil;

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
        if (summarisedUntil == null) {
            summarisedUntil = saved(); // the file is read once; afterwards this instance keeps it up to date
        }
        // aligned on the period in force (it may have been changed since): a part period is summarised, none skipped
        long last = summarisedUntil == null ? end - periodMs : Math.floorDiv(summarisedUntil, periodMs) * periodMs;
        last = Math.max(last, end - maxCatchUp * periodMs);
        int done = 0;
        // a few periods per call: a long catch-up is spread over calls and keeps the thread responsive
        for (long start = last; start + periodMs <= end && done < PER_CALL; start += periodMs) {
            Instant from = Instant.ofEpochMilli(start);
            Instant to = Instant.ofEpochMilli(start + periodMs);
            for (Summariser.Summary s : summariser.summarise(from, to)) {
                String id = schoolId + "/" + s.type() + "/" + from.getEpochSecond();
                outbox.enqueue(Outbox.Lane.TELEMETRY, id, "telemetry", CloudEvents.CONTENT_TYPE,
                        CloudEvents.envelope(id, schoolId, CloudEvents.SUMMARY + s.type(), null, to, s.data()));
            }
            state.write(Long.toString(start + periodMs));
            summarisedUntil = start + periodMs;
            done++;
        }
        return done;
    }

    /** Where the last run got to, from the state file; null when there is none (or it is damaged: the last period only). */
    private Long saved() {
        String saved = state.read();
        try {
            return saved == null || saved.isBlank() ? null : Long.parseLong(saved);
        } catch (NumberFormatException e) {
            return null; // the outbox and the city drop what repeats
        }
    }
}
