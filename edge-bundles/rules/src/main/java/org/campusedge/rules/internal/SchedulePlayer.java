package org.campusedge.rules.internal;

import java.util.List;
import java.util.Map;
import org.campusedge.api.BroadcastResult;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.Families;
import org.campusedge.api.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the broadcast schedule's due items to the PA controller, and puts on record as
 * {@code broadcast.missed} (about the controller) each one that was never sent: skipped because the
 * gateway's clock leapt past it, or because there was no broadcast service. What the controller
 * answered is the command route's to store.
 */
final class SchedulePlayer {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulePlayer.class);

    private final EventBus bus;
    private final DeviceRegistry registry;

    SchedulePlayer(EventBus bus, DeviceRegistry registry) {
        this.bus = bus;
        this.registry = registry;
    }

    /** @param pa the broadcast service, or null when there is none */
    void play(BroadcastSchedule.Due due, String controller, Broadcasts pa) {
        for (BroadcastSchedule.Item item : due.skipped()) {
            LOG.warn("Scheduled broadcast {} at {} skipped: the gateway's clock leapt past it", item.id(), item.at());
            recordMissed(controller, item, "the gateway's clock leapt past it (gateway down or clock set)");
        }
        for (BroadcastSchedule.Item item : due.play()) {
            if (pa == null) {
                LOG.warn("Scheduled broadcast {}: no broadcast service", item.id());
                recordMissed(controller, item, "no broadcast service");
                continue;
            }
            // the command route stores what the controller said, or broadcast.fault when it is down
            pa.send(item.request(controller)).thenAccept(r -> {
                if (r.outcome() != BroadcastResult.Outcome.ACCEPTED) {
                    LOG.warn("Scheduled broadcast {} on {}: {} {}", item.id(), controller, r.outcome(), r.message());
                }
            });
        }
    }

    private void recordMissed(String controller, BroadcastSchedule.Item item, String reason) {
        registry.device(controller).ifPresent(d -> bus.publish(List.of(CampusEvent.builder().device(d)
                .kind(Families.BROADCAST_MISSED).severity(Severity.WARNING)
                .attributes(Map.of("schedule", item.id(), "at", item.at().toString(), "reason", reason))
                .build())));
    }
}
