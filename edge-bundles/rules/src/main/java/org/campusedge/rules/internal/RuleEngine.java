package org.campusedge.rules.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Measurement;

/**
 * Evaluates a rule set on the event stream, one event at a time, and says which alarms to raise
 * or clear. Not thread-safe: one thread feeds it events and ticks.
 *
 * <p>Time is the gateway's: an event's {@code receivedAt}, and the engine's clock only moves
 * forward (the latest time it has seen), so a clock stepped back does not reopen windows or restart
 * durations, and an event that arrives late cannot undo a newer one. Device clocks are not trusted
 * for durations or for the calendar. Threshold durations are measured from the first value past
 * the limit; a value back within the limit stops the count, and a raised threshold alarm ends only
 * when the value is back by the hysteresis.
 */
final class RuleEngine {

    /** Raise (again: the alarm book counts repeats) or clear the alarm with this key. */
    record Decision(boolean raise, Rule rule, String key, CampusEvent trigger, String message) {
    }

    private static final class ThresholdState {
        Instant since; // first time past the limit in the current stretch, null when within
        boolean raised;
        Instant lastSeen = Instant.MIN;
        String deviceId;
        CampusEvent last;
    }

    private static final class WindowState {
        final ArrayDeque<Instant> times = new ArrayDeque<>();
        boolean raised;
        CampusEvent last;
    }

    private final List<Rule> rules;
    private final SchoolCalendar calendar;
    private final Map<String, ThresholdState> thresholds = new HashMap<>();
    private final Map<String, WindowState> windows = new HashMap<>();
    private final Map<String, Rule> ruleOfKey = new HashMap<>();
    /** Whether an event is the running drill's: only the drill desk's own event is, whatever a device's event says. */
    private final java.util.function.Predicate<CampusEvent> drill;
    private Instant now = Instant.MIN;

    RuleEngine(List<Rule> rules, SchoolCalendar calendar) {
        this(rules, calendar, e -> false);
    }

    RuleEngine(List<Rule> rules, SchoolCalendar calendar, java.util.function.Predicate<CampusEvent> drill) {
        this.rules = List.copyOf(rules);
        this.calendar = calendar;
        this.drill = drill;
    }

    List<Rule> rules() {
        return rules;
    }

    /**
     * Takes over what an earlier engine knew about the rules that did not change (same id, same
     * definition): a reload of the rule files must not forget that an alarm was raised, or its clear
     * would never come.
     */
    void carryOver(RuleEngine previous) {
        now = previous.now;
        for (Map.Entry<String, Rule> en : previous.ruleOfKey.entrySet()) {
            if (rules.contains(en.getValue())) {
                ruleOfKey.put(en.getKey(), en.getValue());
                ThresholdState t = previous.thresholds.get(en.getKey());
                if (t != null) {
                    thresholds.put(en.getKey(), t);
                }
                WindowState w = previous.windows.get(en.getKey());
                if (w != null) {
                    windows.put(en.getKey(), w);
                }
            }
        }
    }

    /**
     * Knows an alarm as raised that was raised before this engine existed (restored after a restart),
     * so that the condition's end clears it. A window alarm's window is taken as full at its last
     * event ({@code lastAt}): it clears once a window has passed since then with nothing new, not at
     * the first tick after the restart (the events themselves are not restored).
     */
    void adopt(String key, String ruleId, Instant lastAt) {
        for (Rule r : rules) {
            if (r.id().equals(ruleId)) {
                ruleOfKey.put(key, r);
                if (r.kind() == Rule.Kind.THRESHOLD) {
                    thresholds.computeIfAbsent(key, k -> new ThresholdState()).raised = true;
                } else if (r.kind() == Rule.Kind.WINDOW) {
                    WindowState w = windows.computeIfAbsent(key, k -> new WindowState());
                    w.raised = true;
                    while (lastAt != null && w.times.size() < r.count()) {
                        w.times.addLast(lastAt);
                    }
                }
            }
        }
    }

    List<Decision> onEvent(CampusEvent e) {
        if (e.kind().startsWith("alarm.")) {
            return List.of(); // the alarms' own events never feed the rules
        }
        Instant t = e.receivedAt();
        if (t.isAfter(now)) {
            now = t;
        }
        List<Decision> out = new ArrayList<>();
        for (Rule r : rules) {
            switch (r.kind()) {
                case THRESHOLD -> threshold(r, e, out);
                case WINDOW -> window(r, e, out);
                case ABSENCE -> absence(r, e, out);
            }
        }
        return out;
    }

    /** Moves the clock on and decides what time alone decides: durations reached, windows emptied. */
    List<Decision> tick(Instant at) {
        if (at.isAfter(now)) {
            now = at;
        }
        List<Decision> out = new ArrayList<>();
        for (Map.Entry<String, ThresholdState> en : thresholds.entrySet()) {
            ThresholdState s = en.getValue();
            Rule r = ruleOfKey.get(en.getKey());
            if (s.since != null && !s.raised && !now.isBefore(s.since.plus(r.hold()))) {
                s.raised = true;
                out.add(new Decision(true, r, en.getKey(), s.last, message(r, s.last)));
            }
        }
        for (Map.Entry<String, WindowState> en : windows.entrySet()) {
            WindowState s = en.getValue();
            Rule r = ruleOfKey.get(en.getKey());
            expire(s, r);
            if (s.raised && s.times.size() < r.count()) {
                s.raised = false;
                if (r.autoClear()) {
                    out.add(new Decision(false, r, en.getKey(), null, "fewer than " + r.count() + " in "
                            + r.window().toSeconds() + " s"));
                }
            }
        }
        return out;
    }

    private void threshold(Rule r, CampusEvent e, List<Decision> out) {
        // a point the device's profile lacks is kept for the teacher, but its unit and meaning are unchecked: no rule judges it
        if (!r.match().matches(e) || "unprofiled".equals(e.attributes().get("quality"))) {
            return;
        }
        Measurement m = pointOf(r, e);
        if (m == null || m.value() == null) {
            return;
        }
        String key = r.keyFor(e, drill.test(e));
        ruleOfKey.put(key, r);
        ThresholdState s = thresholds.computeIfAbsent(key, k -> new ThresholdState());
        Instant t = e.receivedAt();
        if (t.isBefore(s.lastSeen)) {
            return; // late: a newer value of this subject was already judged
        }
        s.lastSeen = t;
        double v = m.value();
        boolean past = (r.above() != null && v > r.above()) || (r.below() != null && v < r.below());
        boolean backInside = (r.above() == null || v <= r.above() - r.hysteresis())
                && (r.below() == null || v >= r.below() + r.hysteresis());
        if (past && applies(r, e, t)) {
            s.last = e;
            if (s.since == null) {
                s.since = t;
            }
            if (!s.since.plus(r.hold()).isAfter(now)) {
                // raised once, then repeated: the alarm book counts the repeats
                s.raised = true;
                out.add(new Decision(true, r, key, e, message(r, e)));
            }
        } else {
            s.since = null; // a value within the limit (or outside the rule's hours) stops the count
            if (s.raised && backInside) {
                s.raised = false;
                if (r.autoClear()) {
                    out.add(new Decision(false, r, key, e, r.match().point() + " back to " + fmt(v)));
                }
            }
        }
    }

    private void window(Rule r, CampusEvent e, List<Decision> out) {
        if (!r.match().matches(e) || !applies(r, e, e.receivedAt())) {
            return;
        }
        String key = r.keyFor(e, drill.test(e));
        ruleOfKey.put(key, r);
        WindowState s = windows.computeIfAbsent(key, k -> new WindowState());
        if (!e.receivedAt().isBefore(now.minus(r.window()))) {
            s.times.add(e.receivedAt());
        }
        expire(s, r);
        s.last = e;
        if (s.times.size() >= r.count()) {
            s.raised = true;
            out.add(new Decision(true, r, key, e, message(r, e) + " (" + s.times.size() + " in " + r.window().toSeconds() + " s)"));
        }
    }

    private void expire(WindowState s, Rule r) {
        Instant oldest = now.minus(r.window());
        for (Iterator<Instant> it = s.times.iterator(); it.hasNext(); ) {
            if (it.next().isBefore(oldest)) {
                it.remove();
            }
        }
    }

    private void absence(Rule r, CampusEvent e, List<Decision> out) {
        boolean raises = r.match().matches(e);
        Rule.Match clearing = new Rule.Match(r.clearKinds(), r.match().devices(), r.match().zones(), r.match().buildings(), null);
        if (raises && applies(r, e, e.receivedAt())) {
            out.add(new Decision(true, r, r.keyFor(e, drill.test(e)), e, message(r, e)));
        } else if (r.autoClear() && clearing.matches(e)) {
            out.add(new Decision(false, r, r.keyFor(e, drill.test(e)), e, e.kind()));
        }
    }

    /** The event's measurement of the rule's point, or null (a loop: this runs for every reading and every threshold rule). */
    private static Measurement pointOf(Rule r, CampusEvent e) {
        String point = r.match().point();
        for (Measurement x : e.measurements()) {
            if (point.equals(x.name())) {
                return x;
            }
        }
        return null;
    }

    /**
     * Whether the rule applies to the event by the calendar. A drill's event always does: a drill
     * rehearses what happens when the rule fires (the night-intrusion rule in the daytime too).
     */
    private boolean applies(Rule r, CampusEvent e, Instant t) {
        return drill.test(e) || calendar.applies(r.when(), t, e.location().room());
    }

    private static String message(Rule r, CampusEvent e) {
        if (e == null) {
            return r.description();
        }
        StringBuilder m = new StringBuilder(r.description()).append(": ").append(e.deviceId());
        if (e.location().building() != null) {
            m.append(" @ ").append(e.location().building());
        }
        if (r.kind() == Rule.Kind.THRESHOLD) {
            Measurement x = pointOf(r, e);
            if (x != null && x.value() != null) {
                m.append(", ").append(x.name()).append(' ').append(fmt(x.value())).append(x.unit() == null ? "" : " " + x.unit());
            }
        }
        return m.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.?0+$", "");
    }
}
