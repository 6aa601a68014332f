package org.campusedge.console.internal;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventStore;
import org.campusedge.api.Severity;
import org.campusedge.web.Http;
import org.campusedge.web.WebExchange;

/**
 * The alarms a console user sees and acts on: the list, acknowledge and clear, the delivery ledger.
 * Whose an alarm is: its audience by {@link AlarmAudience}, and for a teacher a lab she may watch now
 * ({@link LabAccess}). An alarm the user does not see is answered as one that is not there (409, an
 * empty ledger), so a guess at its key tells nothing.
 */
final class AlarmApi {

    static final String NO_SUCH_ALARM = "no such active alarm of yours, already acknowledged, or a change to it is still being stored";

    private final Alarms alarms;
    private final DeviceRegistry registry;
    private final AlarmLedger ledger;
    private final LabAccess labs;
    private final EventStore store;

    AlarmApi(Alarms alarms, DeviceRegistry registry, AlarmLedger ledger, LabAccess labs, EventStore store) {
        this.alarms = alarms;
        this.registry = registry;
        this.ledger = ledger;
        this.labs = labs;
        this.store = store;
    }

    /** The active alarms the user sees. */
    void list(WebExchange ex, Users.User u) throws IOException {
        Http.json(ex, 200, g -> ApiViews.alarms(g, alarms, registry, (device, severity) -> sees(u, device, severity)));
    }

    /** Acknowledges or clears an alarm the user sees, answered once the change is durable. */
    void change(WebExchange ex, Users.User u, boolean ack) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        String key = form.getOrDefault("key", "");
        if (!seesAlarm(u, key)) {
            Http.text(ex, 409, NO_SUCH_ALARM); // as for an alarm that is not there: the answer does not tell that a hidden one is
            return;
        }
        String note = form.getOrDefault("note", "");
        // the city is told the role that changed it, never the login: what leaves the school names roles, not people
        String role = u.role().name().toLowerCase(java.util.Locale.ROOT);
        CompletableFuture<Boolean> change = (ack ? alarms.acknowledge(key, u.name(), role, note)
                : alarms.clear(key, u.name(), role, note)).toCompletableFuture();
        try {
            // answered once it is durable, not before: a screen must not show a change a restart would undo
            boolean done = change.get(ConsoleServer.STORE_WAIT_SECONDS, TimeUnit.SECONDS);
            Http.text(ex, done ? 200 : 409, done ? "done" : NO_SUCH_ALARM);
        } catch (TimeoutException | ExecutionException e) {
            Http.text(ex, 503, "not stored yet: the event store is failing (" + storeFailure() + "). The gateway keeps"
                    + " trying and the alarm shows " + (ack ? "acknowledged" : "cleared") + " once it is stored.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Http.text(ex, 503, "interrupted");
        }
    }

    /** An alarm's delivery ledger; of one cleared meanwhile, by whose its last raise was. */
    void ledger(WebExchange ex, Users.User u) throws IOException {
        String key = Http.form(ex.rawQuery()).getOrDefault("key", "");
        boolean visible = alarms.get(key).isPresent() ? seesAlarm(u, key)
                : ledger.lastRaise(key).map(r -> sees(u, r.deviceId(), ApiViews.severityOf(r))).orElse(true);
        if (!visible) {
            Http.json(ex, 200, g -> ledger.write(g, "", null)); // as for an alarm never raised: no hops
            return;
        }
        Http.json(ex, 200, g -> ledger.write(g, key, alarms.get(key).map(Alarm::raisedAt).orElse(null)));
    }

    /** Whether the user sees an alarm about this device, of this severity. */
    boolean sees(Users.User u, String deviceId, Severity severity) {
        if (!AlarmAudience.of(deviceId, registry).seenBy(u.role(), severity)) {
            return false;
        }
        return u.role() != Users.Role.TEACHER
                || labs.mayWatch(u, registry.device(deviceId).map(d -> d.location().room()).orElse(null));
    }

    /**
     * Whether the user sees this alarm. One no longer active (cleared meanwhile, or never) is left to
     * the alarm book to answer (409) for security and the admin; a teacher sees only active lab alarms
     * of her labs.
     */
    private boolean seesAlarm(Users.User u, String key) {
        return alarms.get(key).map(a -> sees(u, a.deviceId(), a.severity())).orElse(u.role() != Users.Role.TEACHER);
    }

    private String storeFailure() {
        String why = store.stats().lastFailure();
        return why == null ? "no answer in " + ConsoleServer.STORE_WAIT_SECONDS + " s" : why;
    }
}
