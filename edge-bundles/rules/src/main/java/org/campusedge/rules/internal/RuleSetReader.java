package org.campusedge.rules.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.Severity;

/**
 * Turns a rule-set file's content (already valid against {@code rules.schema.json}) into
 * {@link Rule}s. The schema has checked shapes and types; this only converts.
 */
final class RuleSetReader {

    private RuleSetReader() {
    }

    @SuppressWarnings("unchecked")
    static List<Rule> rules(Map<String, Object> content) {
        List<Rule> out = new ArrayList<>();
        for (Object o : (List<Object>) content.get("rules")) {
            out.add(rule((Map<String, Object>) o));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Rule rule(Map<String, Object> r) {
        Map<String, Object> m = (Map<String, Object>) r.get("match");
        Rule.Match match = new Rule.Match(strings(m.get("kinds")), strings(m.get("devices")), strings(m.get("zones")),
                strings(m.get("buildings")), (String) m.get("point"));
        Rule.Kind kind = Rule.Kind.valueOf(((String) r.get("kind")).toUpperCase(Locale.ROOT));
        String when = (String) r.getOrDefault("when", "always");
        Rule.When w = switch (when) {
            case "schoolHours" -> Rule.When.SCHOOL_HOURS;
            case "outsideSchoolHours" -> Rule.When.OUTSIDE_SCHOOL_HOURS;
            case "labScheduledEmpty" -> Rule.When.LAB_SCHEDULED_EMPTY;
            default -> Rule.When.ALWAYS;
        };
        // threshold and absence alarms end by themselves unless told otherwise; window alarms wait for a person
        boolean autoClear = r.containsKey("clears") ? "auto".equals(r.get("clears")) : kind != Rule.Kind.WINDOW;
        List<Rule.Action> actions = new ArrayList<>();
        for (Object a : (List<Object>) r.getOrDefault("actions", List.of())) {
            Map<String, Object> action = (Map<String, Object>) a;
            if (action.containsKey("broadcast")) {
                Map<String, Object> b = (Map<String, Object>) action.get("broadcast");
                actions.add(new Rule.Broadcast((String) b.get("controller"), List.copyOf(strings(b.get("zones"))),
                        (String) b.get("announcement"), (String) b.get("text"), ((Number) b.get("priority")).intValue()));
            } else {
                Map<String, Object> c = (Map<String, Object>) action.get("control");
                actions.add(new Rule.Control((String) c.get("device"), (String) c.get("point"), c.get("value")));
            }
        }
        return new Rule((String) r.get("id"), (String) r.getOrDefault("description", r.get("id")), kind, match, w,
                Severity.valueOf((String) r.get("severity")), number(r.get("above")), number(r.get("below")),
                r.containsKey("hysteresis") ? ((Number) r.get("hysteresis")).doubleValue() : 0,
                Duration.ofSeconds(r.containsKey("forSeconds") ? ((Number) r.get("forSeconds")).longValue() : 0),
                r.containsKey("count") ? ((Number) r.get("count")).intValue() : 1,
                Duration.ofSeconds(r.containsKey("windowSeconds") ? ((Number) r.get("windowSeconds")).longValue() : 60),
                Rule.Per.valueOf(((String) r.getOrDefault("per", "device")).toUpperCase(Locale.ROOT)), autoClear,
                strings(r.get("clearKinds")), List.copyOf(actions));
    }

    private static Double number(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static Set<String> strings(Object o) {
        Set<String> out = new LinkedHashSet<>();
        if (o != null) {
            for (Object s : (List<Object>) o) {
                out.add(String.valueOf(s));
            }
        }
        return Set.copyOf(out);
    }
}
