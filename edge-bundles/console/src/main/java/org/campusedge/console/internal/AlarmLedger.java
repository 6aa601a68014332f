package org.campusedge.console.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Families;

/**
 * An alarm's delivery ledger, read from the store: each hop of its latest raise with its time —
 * the device's event occurred, received, stored (handed to the rules, which the bus does only once
 * it is durable), the rule raised the alarm, the PA was commanded and played (or failed) per zone,
 * each notification was delivered (or failed), it was escalated, acknowledged (by whom), cleared,
 * queued for the city and accepted by Hono. What is not on record is absent, not guessed: the head
 * of security sees which hop is missing.
 */
final class AlarmLedger {

    /** One hop: what happened, when, and a detail (who, which zone, which channel, why it failed). */
    record Hop(String hop, Instant at, String detail) {
    }

    /** How far after the raise the ledger looks for the alarm's consequences. */
    static final Duration HORIZON = Duration.ofDays(1);
    private static final int MAX = 2_000;

    private final EventStore store;

    AlarmLedger(EventStore store) {
        this.store = store;
    }

    /** The ledger as the pages read it: the hops in time order, each with its time and how long after the first it came. */
    void write(com.fasterxml.jackson.core.JsonGenerator g, String key, Instant raisedAt) throws java.io.IOException {
        List<Hop> hops = of(key, raisedAt);
        g.writeStartObject();
        g.writeStringField("alarm", key);
        g.writeArrayFieldStart("hops");
        for (Hop h : hops) {
            g.writeStartObject();
            g.writeStringField("hop", h.hop());
            g.writeStringField("at", h.at().toString());
            g.writeNumberField("afterMs", Duration.between(hops.get(0).at(), h.at()).toMillis());
            g.writeStringField("detail", h.detail());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** The latest raise of the alarm {@code key} among the last raises of 30 days, to tell whose alarm it was. */
    Optional<CampusEvent> lastRaise(String key) {
        return store.query(EventQuery.all(MAX).withKind("alarm.raised").between(Instant.now().minus(Duration.ofDays(30)), null)
                .latestFirst()).stream().filter(e -> key.equals(e.attributes().get("alarm"))).findFirst();
    }

    /**
     * The ledger of the alarm {@code key}: of the raise at {@code raisedAt} when it is known (an active
     * alarm: found however many other alarms were raised since), else of its latest raise among the
     * last {@value #MAX} raises of 30 days; empty when there is none.
     */
    List<Hop> of(String key, Instant raisedAt) {
        Instant now = Instant.now();
        // the raise's record is stamped a moment after the alarm's raisedAt (and never before the previous transition)
        EventQuery raises = raisedAt != null ? EventQuery.all(MAX).withKind("alarm.raised").between(raisedAt.minusSeconds(2),
                raisedAt.plusSeconds(2)).latestFirst()
                : EventQuery.all(MAX).withKind("alarm.raised").between(now.minus(Duration.ofDays(30)), null).latestFirst();
        Optional<CampusEvent> raised = store.query(raises).stream().filter(e -> key.equals(e.attributes().get("alarm"))).findFirst();
        if (raised.isEmpty()) {
            return List.of();
        }
        CampusEvent r = raised.get();
        Map<String, String> a = r.attributes();
        Instant from = r.occurredAt();
        Instant to = from.plus(HORIZON);
        List<Hop> hops = new ArrayList<>();
        time(a.get("triggerOccurredAt")).ifPresent(t -> hops.add(new Hop("occurred", t, a.getOrDefault("triggerKind", "") + " "
                + r.deviceId())));
        time(a.get("triggerReceivedAt")).ifPresent(t -> hops.add(new Hop("received", t, "by the gateway")));
        time(a.get("triggerStoredAt")).ifPresent(t -> hops.add(new Hop("stored", t, "durable, handed to the rules")));
        hops.add(new Hop("raised", from, a.getOrDefault("rule", "") + " · " + a.getOrDefault("alarmSeverity", "")));
        // the PA: the request the alarm made, then what the controller reported for its task, zone by zone
        List<CampusEvent> requests = find(Families.BROADCAST_REQUESTED, from, to, e -> key.equals(e.attributes().get("alarm")));
        for (CampusEvent q : requests) {
            Map<String, String> qa = q.attributes();
            hops.add(new Hop("pa-commanded", q.occurredAt(), q.deviceId() + " · " + qa.getOrDefault("outcome", "") + " · zones "
                    + qa.getOrDefault("zones", "")));
            String task = qa.get("taskId");
            if (task != null) {
                // from a minute before the request: the controller's report carries its own clock
                for (CampusEvent p : find("broadcast.*", q.occurredAt().minusSeconds(60), to, e -> task.equals(e.attributes().get("taskId"))
                        && (e.kind().equals(Families.BROADCAST_PLAYED) || e.kind().equals(Families.BROADCAST_FAULT)))) {
                    hops.add(new Hop(p.kind().equals(Families.BROADCAST_PLAYED) ? "pa-played" : "pa-failed", p.occurredAt(),
                            p.attributes().getOrDefault("zone", "") + (p.kind().equals(Families.BROADCAST_FAULT)
                                    ? " · " + p.attributes().getOrDefault("reason", "") : "")));
                }
            }
        }
        // people: notifications of this raise (and its escalations), acknowledgement, clearing
        for (CampusEvent n : find("audit.notification-*", from, to, e -> r.id().equals(e.attributes().get("transition")))) {
            String kind = n.kind().substring("audit.notification-".length());
            hops.add(new Hop(kind.equals("sent") ? "notified" : "notification-" + kind, n.occurredAt(),
                    n.attributes().getOrDefault("channel", "") + " · level " + n.attributes().getOrDefault("level", "0")
                            + (n.attributes().containsKey("error") ? " · " + n.attributes().get("error") : "")));
        }
        List<CampusEvent> after = find("alarm.*", from, to, e -> key.equals(e.attributes().get("alarm")) && !e.id().equals(r.id()));
        // up to the next raise of the key: that is another alarm's ledger
        Instant end = after.stream().filter(e -> e.kind().equals("alarm.raised")).map(CampusEvent::occurredAt).findFirst().orElse(to);
        for (CampusEvent e : after) {
            if (!e.occurredAt().isBefore(end) || e.kind().equals("alarm.raised")) {
                continue;
            }
            String state = e.kind().substring("alarm.".length());
            hops.add(new Hop(state, e.occurredAt(), switch (state) {
                case "acknowledged", "cleared" -> e.attributes().getOrDefault("by", "") + noted(e);
                case "escalated" -> "unacknowledged for " + e.attributes().getOrDefault("unacknowledgedFor", "");
                default -> "";
            }));
        }
        // the city: when the raise was queued for it and when Hono accepted it
        for (CampusEvent d : find("cloud.delivered", from, to, e -> r.id().equals(e.attributes().get("event")))) {
            time(d.attributes().get("queuedAt")).ifPresent(t -> hops.add(new Hop("queued", t, "for the city")));
            hops.add(new Hop("accepted", time(d.attributes().get("acceptedAt")).orElse(d.occurredAt()), "by Hono (attempt "
                    + d.attributes().getOrDefault("attempts", "1") + ")"));
            break;
        }
        hops.sort(Comparator.comparing(Hop::at));
        return hops;
    }

    private static String noted(CampusEvent e) {
        String note = e.attributes().getOrDefault("note", "");
        return note.isBlank() ? "" : " · " + note;
    }

    private List<CampusEvent> find(String kind, Instant from, Instant to, Predicate<CampusEvent> which) {
        return store.query(EventQuery.all(MAX).withKind(kind).between(from, to)).stream().filter(which).toList();
    }

    private static Optional<Instant> time(String s) {
        try {
            return s == null ? Optional.empty() : Optional.of(Instant.parse(s));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
