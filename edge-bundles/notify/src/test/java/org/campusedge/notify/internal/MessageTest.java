package org.campusedge.notify.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Drill;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.Test;

/** What a notification says first: a drill's alarm is a drill, a real one during a drill is not. */
class MessageTest {

    private static CampusEvent raised(String key, String extraKey, String extraValue) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("alarm", key);
        a.put("rule", "night");
        a.put("alarmSeverity", "CRITICAL");
        a.put("message", "intrusion at the fence, card 12345678");
        if (extraKey != null) {
            a.put(extraKey, extraValue);
        }
        return CampusEvent.builder().schoolId("sch").deviceId("cam-1").profileId("p").kind("alarm.raised").severity(Severity.CRITICAL)
                .attributes(a).build();
    }

    private static Message of(CampusEvent e) {
        return Message.of(e, 0, Duration.ZERO, "sch", ZoneId.of("Asia/Shanghai"));
    }

    @Test
    void aDrillsAlarmSaysDrillFirstEverywhere() {
        Message m = of(raised("night:cam-1@drill", Drill.ATTRIBUTE, "D1"));
        assertTrue(m.text().startsWith("【演练 DRILL】【紧急报警】"), m.text());
        assertTrue(m.json().contains("\"drill\":true"), m.json());
        assertFalse(m.text().contains("12345678"), "a long number was not masked");
    }

    @Test
    void aRealAlarmDuringADrillSaysNotADrillFirst() {
        Message m = of(raised("night:cam-2", Drill.DURING, "D1"));
        assertTrue(m.text().startsWith("【非演练 NOT A DRILL】【紧急报警】"), m.text());
        assertTrue(m.json().contains("\"drill\":false") && m.json().contains("\"notADrill\":true"), m.json());
    }

    @Test
    void aRealAlarmOtherwiseSaysNeither() {
        Message m = of(raised("night:cam-2", null, null));
        assertTrue(m.text().startsWith("【紧急报警】"), m.text());
        assertTrue(m.json().contains("\"drill\":false") && !m.json().contains("notADrill"), m.json());
    }
}
