package org.campusedge.rules.internal;

import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.ControlRequest;
import org.campusedge.api.DeviceControls;
import org.campusedge.api.Drill;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a new alarm's actions through the command routes everything else uses: a broadcast to
 * the PA controller (the request names its alarm, for the alarm's ledger), a control write to a
 * meter. For a drill's alarm the PA plays one priority below the rule's, so a real alarm's
 * announcement pre-empts it, and no control write is made.
 */
final class AlarmActions {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmActions.class);

    private AlarmActions() {
    }

    /** Runs one action of the decision's rule; {@code drill} is the drill's id for a drill's alarm, else null. */
    static void run(RuleEngine.Decision d, Rule.Action action, String drill, Broadcasts broadcasts, DeviceControls controls) {
        String by = drill == null ? "rule:" + d.rule().id() : Drill.requestedBy(drill, "rule:" + d.rule().id());
        if (action instanceof Rule.Broadcast b) {
            if (broadcasts == null) {
                LOG.warn("Alarm {}: no broadcast service to play on {}", d.key(), b.controller());
                return;
            }
            int priority = drill == null ? b.priority() : Math.max(0, b.priority() - 1);
            BroadcastRequest request = (b.text() != null ? BroadcastRequest.say(b.controller(), b.zones(), b.text(), priority, by)
                    : BroadcastRequest.play(b.controller(), b.zones(), b.announcement(), priority, by)).forAlarm(d.key());
            broadcasts.send(request).thenAccept(r -> LOG.info("Alarm {}: broadcast on {}: {}", d.key(), b.controller(), r.outcome()));
        } else if (action instanceof Rule.Control c) {
            if (drill != null) {
                // a drill rehearses people and the PA; it does not switch a building's power
                LOG.info("Alarm {}: drill {}: the write {}.{} := {} is not made in a drill", d.key(), drill, c.device(), c.point(), c.value());
                return;
            }
            if (controls == null) {
                LOG.warn("Alarm {}: no control service to write {}.{}", d.key(), c.device(), c.point());
                return;
            }
            controls.write(new ControlRequest(c.device(), c.point(), c.value(), by))
                    .thenAccept(r -> LOG.info("Alarm {}: {}.{} := {}: {}", d.key(), c.device(), c.point(), c.value(), r.outcome()));
        }
    }
}
