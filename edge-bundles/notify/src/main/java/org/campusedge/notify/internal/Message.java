package org.campusedge.notify.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Pattern;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Drill;

/**
 * What a notification says about an alarm transition: which alarm, how severe, where, what, when,
 * and for an escalation how long it has gone unacknowledged. It never carries a student's identity:
 * only the alarm's own fields are used (not the triggering event's attributes, where a card
 * number or a name could be), and any run of six or more digits in the rule's message (a card
 * number, a phone number) is masked. A drill's alarm says so first; a real alarm raised while a
 * drill ran says "not a drill" first.
 */
record Message(String alarm, String state, String severity, String rule, String place, String what, String at, String by,
               String school, long unacknowledgedMinutes, Mark mark) {

    /** Whether the alarm is a drill's, a real one raised during a drill, or simply real. */
    enum Mark { REAL, DRILL, REAL_DURING_DRILL }

    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern LONG_NUMBER = Pattern.compile("\\d{6,}");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** @param level 0 for the first notice of a raise, 1.. for the escalation levels after it */
    static Message of(CampusEvent transition, int level, Duration after, String school, ZoneId zone) {
        Map<String, String> a = transition.attributes();
        String state = transition.kind().substring("alarm.".length());
        if (state.equals("raised") && level > 0) {
            state = "escalated";
        }
        String place = join(transition.location().building(), transition.location().room(), transition.location().zone());
        return new Message(a.getOrDefault("alarm", ""), state, a.getOrDefault("alarmSeverity", transition.severity().name()),
                a.getOrDefault("rule", ""), place, mask(a.getOrDefault("message", "")),
                TIME.format(transition.occurredAt().atZone(zone)), mask(a.getOrDefault("by", "")), school,
                level > 0 ? after.toMinutes() : 0, a.get(Drill.ATTRIBUTE) != null ? Mark.DRILL
                        : a.get(Drill.DURING) != null ? Mark.REAL_DURING_DRILL : Mark.REAL);
    }

    private static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (p != null && !p.isBlank()) {
                b.append(b.length() == 0 ? "" : " / ").append(p);
            }
        }
        return b.toString();
    }

    static String mask(String s) {
        return LONG_NUMBER.matcher(s).replaceAll("******");
    }

    /** For the group robots: short, in Chinese with the English state, readable on a phone's lock screen. */
    String text() {
        String head = switch (state) {
            case "raised" -> "【" + severityZh() + "报警】";
            case "escalated" -> "【报警升级·" + unacknowledgedMinutes + " 分钟未确认】";
            case "acknowledged" -> "【报警已确认】";
            case "cleared" -> "【报警已解除】";
            default -> "【报警】";
        };
        String prefix = switch (mark) {
            case DRILL -> "【演练 DRILL】";
            case REAL_DURING_DRILL -> "【非演练 NOT A DRILL】";
            case REAL -> "";
        };
        StringBuilder b = new StringBuilder(prefix).append(head).append(what.isBlank() ? rule : what).append('\n');
        b.append("位置 Where: ").append(place.isBlank() ? "-" : place).append('\n');
        b.append("时间 When: ").append(at).append('\n');
        b.append("状态 State: ").append(state).append(by.isBlank() ? "" : " · " + by).append('\n');
        b.append("学校 School: ").append(school).append(" · ").append(alarm);
        return b.toString();
    }

    private String severityZh() {
        return switch (severity) {
            case "CRITICAL" -> "紧急";
            case "WARNING" -> "警告";
            default -> "提示";
        };
    }

    /** For a generic webhook. */
    String json() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("alarm", alarm);
            g.writeStringField("state", state);
            g.writeStringField("severity", severity);
            g.writeStringField("rule", rule);
            g.writeStringField("place", place);
            g.writeStringField("message", what);
            g.writeStringField("at", at);
            if (!by.isBlank()) {
                g.writeStringField("by", by);
            }
            if (unacknowledgedMinutes > 0) {
                g.writeNumberField("unacknowledgedMinutes", unacknowledgedMinutes);
            }
            g.writeStringField("school", school);
            g.writeBooleanField("drill", mark == Mark.DRILL);
            if (mark == Mark.REAL_DURING_DRILL) {
                g.writeBooleanField("notADrill", true);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
