package org.campusedge.city;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.campusedge.cloud.messages.CloudMessageSchemas;
import org.junit.jupiter.api.Test;

/**
 * The city's end of the cloud link's contract: the messages its tests feed it are the ones the
 * schemas of cloud-bridge/messages describe (so its tests test what gateways send), the CloudEvents
 * SDK reads each of them, and what breaks the envelope is refused with a reason.
 */
class CloudMessagesContractTest {

    private final Instant start = Instant.parse("2026-11-23T01:00:00Z");

    @Test
    void theMessagesTheCityIsTestedWithFitTheSchemasAndAreRead() throws Exception {
        Map<String, String> messages = Map.of(
                CloudEvent.ENERGY, Events.energy("s1", start, 12.5, 800),
                CloudEvent.ALARMS, Events.alarms("s1", start),
                CloudEvent.HEALTH, Events.health("s1", start, 58, 2),
                CloudEvent.ATTENDANCE, Events.attendance("s1", start),
                CloudEvent.LAB, Events.lab("s1", start),
                CloudEvent.ALARM, Events.alarm("s1", "ev-1", "al-1", "raised", start, start, null));
        assertEquals(CloudMessageSchemas.TYPES.stream().sorted().toList(), messages.keySet().stream().sorted().toList());
        for (Map.Entry<String, String> m : messages.entrySet()) {
            assertEquals(List.of(), CloudMessageSchemas.problems(Events.bytes(m.getValue())), m.getValue());
            CloudEvent e = CloudEventParser.parse(Events.bytes(m.getValue()));
            assertEquals(m.getKey(), e.type());
            assertEquals("s1", e.school());
            assertTrue(e.data().isObject() && e.data().size() > 0, m.getValue());
        }
        assertEquals(List.of(), CloudMessageSchemas.problems(Events.bytes(Events.alarm("s1", "ev-2", "al-1", "acknowledged", start,
                start.plusSeconds(5), "security"))));
        // an older gateway's alarm (a login and a note) breaks today's contract, and the city still reads it (and drops both)
        String older = Events.olderAlarm("s1", "ev-3", "al-1", "acknowledged", start, start.plusSeconds(5), "guard-wang", "went");
        assertFalse(CloudMessageSchemas.problems(Events.bytes(older)).isEmpty());
        assertEquals("al-1", CloudEventParser.parse(Events.bytes(older)).data().get("alarmId").asText());
    }

    @Test
    void anEnvelopeTheSdkRefusesIsABadMessageWithItsReason() {
        String lab = Events.lab("s1", start);
        for (String broken : List.of(lab.replace("\"specversion\":\"1.0\"", "\"specversion\":\"0.9\""),
                lab.replace("\"specversion\":\"1.0\",", ""), lab.replaceFirst("\"id\":\"[^\"]*\",", ""),
                lab.replaceFirst("\"time\":\"[^\"]*\"", "\"time\":\"yesterday\""), "{not json", "[1,2]")) {
            BadMessageException e = assertThrows(BadMessageException.class, () -> CloudEventParser.parse(Events.bytes(broken)), broken);
            assertTrue(e.getMessage().length() > 5 && e.getMessage().length() < 260, e.getMessage());
        }
    }
}
