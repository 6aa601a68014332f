package org.campusedge.rules.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Severity;
import org.campusedge.api.StallWatch;

/**
 * "The PA takes commands but reports no plays": a broadcast controller reports the end of each play
 * it was given ({@code broadcast.played}) or why it failed ({@code broadcast.fault}). A controller
 * that has accepted a play and then reported nothing at all for {@code limit} is connected but not
 * doing its work as far as anyone can tell (its speakers may be silent, or its reports may not
 * reach the gateway), and the evacuation announcement a rule asks for may never be heard: that is a
 * gateway alarm with its own key, {@code gateway:pa-not-reporting:<controller>}, until the
 * controller's next report. A play that was stopped is never reported, so an accepted stop ends the
 * wait. The watch lives in memory: after a restart it waits for the next play.
 */
final class PaReportWatch {

    static final String CHECK = "pa-reports";
    static final String KEY_PREFIX = "gateway:pa-not-reporting:";

    private final Duration limit;
    private final Clock clock;
    private final Supplier<Alarms> alarms;
    /** Per controller: when it accepted the first play that no report has followed yet. */
    private final Map<String, Instant> waitingSince = new HashMap<>();
    private final Map<String, StallWatch> watches = new HashMap<>();
    private final Map<String, Boolean> raised = new HashMap<>();

    PaReportWatch(Duration limit, Clock clock, Supplier<Alarms> alarms) {
        this.limit = limit;
        this.clock = clock;
        this.alarms = alarms;
    }

    /** Every event the rules hear; only the controllers' are looked at. */
    synchronized void onEvent(CampusEvent e) {
        Map<String, String> a = e.attributes();
        String controller = e.deviceId();
        switch (e.kind()) {
            case "broadcast.requested" -> {
                String outcome = a.get("outcome");
                boolean taken = "accepted".equals(outcome) || "partial".equals(outcome);
                if (taken && "play".equals(a.get("action"))) {
                    waitingSince.putIfAbsent(controller, clock.instant());
                } else if (taken && "stop".equals(a.get("action"))) {
                    waitingSince.remove(controller); // a stopped play is not reported; the next play waits afresh
                }
            }
            // the controller's own report: a fault the gateway records about a command it could not deliver carries "action"
            case "broadcast.played", "broadcast.fault" -> {
                if (!a.containsKey("action")) {
                    waitingSince.remove(controller);
                    raised.remove(controller);
                    // also clears an alarm of this controller restored after a restart
                    watch(controller).ok("PA controller " + controller + " reports its plays again");
                }
            }
            default -> {
            }
        }
    }

    /** Called by the rules' timer: raises the alarm of each controller whose wait has passed the limit. */
    synchronized void check() {
        Instant now = clock.instant();
        waitingSince.forEach((controller, since) -> {
            if (!raised.containsKey(controller) && !now.isBefore(since.plus(limit))) {
                watch(controller).failed("PA controller " + controller + " accepted a play and has reported no play and no fault for "
                        + Duration.between(since, now).toSeconds() + " s: its speakers may be silent, or its reports do not reach"
                        + " the gateway (check its callback address and its credentials)");
                raised.put(controller, true);
            }
        });
    }

    private StallWatch watch(String controller) {
        return watches.computeIfAbsent(controller, c -> new StallWatch(KEY_PREFIX + c, CHECK, Severity.WARNING, c, Duration.ZERO,
                clock, alarms));
    }
}
