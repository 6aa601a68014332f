package org.campusedge.notify.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.Severity;

/**
 * Who is told of which alarm, when: the channels, and the escalation levels. Level 0 (after 0 s)
 * is the first notice; a later level is sent only if the alarm is still unacknowledged by then
 * (e.g. the guard on duty at once, the head of security after 5 minutes, the principal after 15).
 * Read from {@code conf/notifications.yaml} (schema: device-profiles/schema/notifications.schema.json).
 */
record Plan(Map<String, Channel> channels, List<Level> levels) {

    /**
     * One escalation level: after how long, for which alarms (severity at least, optionally only some
     * rules), to whom: its channels, and whoever is on the {@code duty} roster then (null: no roster).
     */
    record Level(Duration after, Severity minSeverity, Set<String> rules, List<String> channels, String duty) {
        boolean covers(Severity severity, String rule) {
            return severity.compareTo(minSeverity) >= 0 && (rules.isEmpty() || rules.contains(rule));
        }
    }

    static final Plan NONE = new Plan(Map.of(), List.of());

    /** From a checked file's content; throws IllegalArgumentException with the field for what the schema cannot say. */
    @SuppressWarnings("unchecked")
    static Plan of(Map<String, Object> content) {
        Map<String, Channel> channels = new LinkedHashMap<>();
        Map<String, Object> cs = (Map<String, Object>) content.getOrDefault("channels", Map.of());
        for (Map.Entry<String, Object> c : cs.entrySet()) {
            Map<String, Object> m = (Map<String, Object>) c.getValue();
            URI url;
            try {
                url = new URI((String) m.get("url"));
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("channel " + c.getKey() + ": the URL is not a valid URI"); // never the URL: it holds the key
            }
            channels.put(c.getKey(), new Channel(c.getKey(), Channel.Type.valueOf(((String) m.get("type")).toUpperCase(Locale.ROOT)),
                    url, (String) m.get("secret")));
        }
        List<Level> levels = new ArrayList<>();
        for (Object o : (List<Object>) content.getOrDefault("escalation", List.of())) {
            Map<String, Object> l = (Map<String, Object>) o;
            List<String> to = new ArrayList<>((List<String>) l.getOrDefault("channels", List.of()));
            for (String id : to) {
                if (!channels.containsKey(id)) {
                    throw new IllegalArgumentException("escalation: channel " + id + " is not among the channels");
                }
            }
            levels.add(new Level(Duration.ofSeconds(((Number) l.getOrDefault("afterSeconds", 0)).longValue()),
                    Severity.valueOf((String) l.getOrDefault("minSeverity", "CRITICAL")),
                    Set.copyOf((List<String>) l.getOrDefault("rules", List.of())), List.copyOf(to), (String) l.get("duty")));
        }
        levels.sort(java.util.Comparator.comparing(Level::after));
        return new Plan(Map.copyOf(channels), List.copyOf(levels));
    }
}
