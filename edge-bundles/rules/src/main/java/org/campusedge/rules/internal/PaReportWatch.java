package org.campusedge.rules.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Families;
import org.campusedge.api.Severity;
import org.campusedge.api.StallWatch;

/**
 * "The PA takes commands but reports no plays": a broadcast controller reports the end of each play
 * it was given ({@code broadcast.played}) or why it failed ({@code broadcast.fault}). A play it
 * accepted and never reported within {@code limit} means its speakers may be silent, or its reports
 * do not reach the gateway, and the evacuation announcement a rule asks for may never be heard: that
 * is a gateway alarm with its own key, {@code gateway:pa-not-reporting:<controller>}, until the
 * controller's next report. Plays are followed by task id, in the order they were accepted: a report
 * of one settles it and every earlier one (a play pre-empted by a later one is reported only by the
 * later), and an accepted stop settles all (a stopped play is not reported). Each silent play raises
 * the alarm once, also after someone cleared it by hand. The watch lives in memory: after a restart it
 * follows the plays from then on.
 */
final class PaReportWatch {

    static final String CHECK = "pa-reports";
    static final String KEY_PREFIX = "gateway:pa-not-reporting:";

    private final Duration limit;
    private final Clock clock;
    private final Supplier<Alarms> alarms;
    /** Per controller: its accepted plays not reported yet, task id to when, in the order accepted. */
    private final Map<String, LinkedHashMap<String, Instant>> waiting = new HashMap<>();
    private final Map<String, StallWatch> watches = new HashMap<>();
    private long unnamed;

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
            case Families.BROADCAST_REQUESTED -> {
                String outcome = a.get("outcome");
                boolean taken = "accepted".equals(outcome) || "partial".equals(outcome);
                if (taken && "play".equals(a.get("action"))) {
                    String task = a.getOrDefault("taskId", "?" + ++unnamed);
                    waiting.computeIfAbsent(controller, c -> new LinkedHashMap<>()).putIfAbsent(task, clock.instant());
                } else if (taken && "stop".equals(a.get("action"))) {
                    waiting.remove(controller); // a stopped play is not reported
                }
            }
            // the controller's own report: a fault the gateway records about a command it could not deliver carries "action"
            case Families.BROADCAST_PLAYED, Families.BROADCAST_FAULT -> {
                if (!a.containsKey("action")) {
                    settle(controller, a.get("taskId"));
                    // also clears an alarm of this controller restored after a restart
                    watch(controller).ok("PA controller " + controller + " reports its plays again");
                }
            }
            default -> {
            }
        }
    }

    /** The reported task and every one accepted before it are settled; a report of a task not followed settles nothing. */
    private void settle(String controller, String task) {
        LinkedHashMap<String, Instant> plays = waiting.get(controller);
        if (plays == null || task == null || !plays.containsKey(task)) {
            return;
        }
        for (var it = plays.keySet().iterator(); it.hasNext(); ) {
            if (it.next().equals(task)) {
                it.remove();
                break;
            }
            it.remove();
        }
    }

    /** Called by the rules' timer: a play unreported past the limit raises its controller's alarm, once per play. */
    synchronized void check() {
        Instant now = clock.instant();
        waiting.forEach((controller, plays) -> {
            Instant oldest = null;
            for (var it = plays.values().iterator(); it.hasNext(); ) {
                Instant at = it.next();
                if (!now.isBefore(at.plus(limit))) {
                    oldest = oldest == null ? at : oldest;
                    it.remove(); // told once: a play that stays silent is not counted again every second
                }
            }
            if (oldest != null) {
                watch(controller).failed("PA controller " + controller + " accepted a play and has reported no play and no fault for "
                        + Duration.between(oldest, now).toSeconds() + " s: its speakers may be silent, or its reports do not reach"
                        + " the gateway (check its callback address and its credentials)");
            }
        });
    }

    private StallWatch watch(String controller) {
        return watches.computeIfAbsent(controller, c -> new StallWatch(KEY_PREFIX + c, CHECK, Severity.WARNING, c, Duration.ZERO,
                clock, alarms));
    }
}
