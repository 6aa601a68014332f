package org.campusedge.hono.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.Measurement;
import org.campusedge.api.Outbox;
import org.campusedge.api.Severity;
import org.campusedge.cloud.messages.CloudMessageSchemas;
import org.campusedge.store.files.EventStoreFile;
import org.campusedge.store.files.OutboxFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's end of the cloud link's contract: every message it queues for the city, made by the
 * real summariser and alarm forwarder from a real event store into a real outbox, fits the JSON
 * Schemas of cloud-bridge/messages (the envelope and its type's data), and every type is made.
 */
class CloudMessagesContractTest {

    @TempDir
    Path dir;
    private EventStoreFile store;
    private OutboxFile outbox;
    private final Device meter = MemoryRegistry.device("meter-a", "energy", "Teaching");
    private final Device gate = MemoryRegistry.device("card-gate", "card", "Gate");
    private final Device lab = MemoryRegistry.device("lab-1", "lab", "Science");
    private final Device camera = MemoryRegistry.device("cam-gate-1", "camera", "Gate");
    private final MemoryRegistry registry = new MemoryRegistry(List.of(meter, gate, lab, camera));
    private final Instant from = Instant.parse("2026-11-23T01:00:00Z");
    private final Instant to = from.plusSeconds(300);

    @BeforeEach
    void open() throws Exception {
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        outbox = OutboxFile.open(dir.resolve("outbox.db"), 10_000_000);
    }

    @AfterEach
    void close() throws Exception {
        outbox.close();
        store.close();
    }

    private CampusEvent alarm(String kind, int second, Map<String, String> extra) {
        Map<String, String> a = new java.util.HashMap<>(Map.of("alarm", "night:cam-gate-1", "rule", "night-intrusion",
                "alarmSeverity", "CRITICAL", "message", "intrusion at the gate"));
        a.putAll(extra);
        return CampusEvent.builder().device(camera).kind(kind).severity(Severity.CRITICAL).occurredAt(from.plusSeconds(second))
                .attributes(a).build();
    }

    @Test
    void everyMessageTheGatewayQueuesFitsTheSchemas() throws Exception {
        List<CampusEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Instant t = from.plusSeconds(10 + i * 60);
            events.add(CampusEvent.builder().device(meter).kind("energy.reading").occurredAt(t)
                    .measurements(List.of(Measurement.numeric("energy", "kWh", 100.0 + i, t), Measurement.numeric("power", "kW", 12.5, t))).build());
            events.add(CampusEvent.builder().device(lab).kind("lab.reading").occurredAt(t)
                    .measurements(List.of(Measurement.numeric("temperature", "Cel", 21.0 + i, t))).build());
            events.add(CampusEvent.builder().device(gate).kind(i == 2 ? "card.denied" : "card.swipe").occurredAt(t)
                    .attributes(Map.of("card", "pseudonym-" + i, "direction", "in")).build());
        }
        events.add(alarm("alarm.raised", 20, Map.of("trigger", "ev-1", "triggerKind", "camera.intrusion",
                "triggerOccurredAt", from.plusSeconds(19).toString(), "triggerReceivedAt", from.plusSeconds(19).toString(),
                "triggerStoredAt", from.plusSeconds(20).toString())));
        events.add(alarm("alarm.acknowledged", 30, Map.of("by", "guard-wang", "byRole", "security", "note", "Wang went to the gate")));
        events.add(alarm("alarm.cleared", 40, Map.of("by", "rule:night-intrusion")));
        store.append(events).toCompletableFuture().get();

        Summariser summariser = new Summariser(store, registry, () -> () -> List.of(
                new DeviceHealth.State("lab-1", "lab", DeviceHealth.Presence.ONLINE, to, from),
                new DeviceHealth.State("cam-gate-1", "camera", DeviceHealth.Presence.OFFLINE, null, from)), List::of);
        SummaryScheduler summaries = new SummaryScheduler(summariser, outbox, "sch-t", new StateFile(dir.resolve("summaries")),
                java.time.Duration.ofMinutes(5), 1);
        assertEquals(1, summaries.runDue(to.plusSeconds(60)));
        AlarmForwarder alarms = new AlarmForwarder(store, outbox, "sch-t", new StateFile(dir.resolve("cursor")), () -> null, from);
        assertEquals(3, alarms.poll());

        Map<String, Integer> types = new TreeMap<>();
        for (Outbox.Lane lane : Outbox.Lane.values()) {
            for (Outbox.Message m : outbox.peek(lane, 100)) {
                assertEquals(List.of(), CloudMessageSchemas.problems(m.payload()), new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8));
                CloudEvent e = new io.cloudevents.jackson.JsonFormat().deserialize(m.payload());
                assertEquals(m.eventId(), e.getId());
                assertEquals("sch-t", e.getExtension(CloudEvents.SCHOOL));
                types.merge(e.getType(), 1, Integer::sum);
            }
        }
        Map<String, Integer> expected = new TreeMap<>();
        CloudMessageSchemas.TYPES.forEach(t -> expected.put(t, t.equals(CloudEvents.ALARM) ? 3 : 1));
        assertEquals(expected, types, "one summary of each kind and the three transitions of the CRITICAL alarm");
    }
}
