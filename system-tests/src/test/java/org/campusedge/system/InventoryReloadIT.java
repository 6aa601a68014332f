package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory is data the school edits while the gateway runs: a new device's route starts
 * without a restart, a removed one's stops, and a broken edit is refused while the last good
 * inventory stays in force.
 */
class InventoryReloadIT {

    @TempDir
    Path dir;

    private static final String PACK = "[{\"n\":\"ph\",\"v\":7.2}]";
    private static final String NEW_KIT = """
              - id: lab-bio-2-s9
                profile: lab-sensor-kit
                location:
                  building: 科学楼 Science Building
                  floor: "4F"
                  room: "402 生物实验室 Biology Lab 2"
            """;

    @Test
    void devicesComeAndGoWithTheInventoryAndABrokenEditChangesNothing() throws Exception {
        Path inventory = dir.resolve("school.yaml");
        String original = Files.readString(GatewayFixture.distribution().resolve("device-profiles/schools/example-school.yaml"));
        Files.writeString(inventory, original);
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + inventory)) {
            assertEquals(ResponseCode.NOT_FOUND, GatewayFixture.post(gw, "lab-bio-2-s9", PACK).getCode());

            Files.writeString(inventory, original + NEW_KIT);
            assertTrue(awaitCode(gw, "lab-bio-2-s9", ResponseCode.CHANGED, 15), "the new kit's route did not start");
            assertEquals("402 生物实验室 Biology Lab 2", GatewayFixture.rows(gw.storePath(),
                    "SELECT room FROM event_log WHERE device_id = 'lab-bio-2-s9' AND kind = 'lab.reading'").get(0));

            // a typo in a field name: refused, and the inventory in force (with the new kit) stays
            Files.writeString(inventory, original + NEW_KIT.replace("profile:", "profil:"));
            assertTrue(awaitLog(gw, "profil", 15), "the broken inventory was not reported:\n" + gw.console());
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-bio-2-s9", PACK).getCode());
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-chem-1-s1", PACK).getCode());

            Files.writeString(inventory, original);
            assertTrue(awaitCode(gw, "lab-bio-2-s9", ResponseCode.NOT_FOUND, 15), "the removed kit's route still runs");
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-chem-1-s1", PACK).getCode());
            // each inventory in force is in the trail: at start, the kit added, (the broken edit: nothing), the kit removed
            assertTrue(GatewayFixture.eventually(10, () -> GatewayFixture.rows(gw.storePath(), "SELECT kind || ' ' ||"
                    + " ifnull(json_extract(attributes, '$.added'), '-') || ' ' || ifnull(json_extract(attributes, '$.removed'), '-')"
                    + " FROM events WHERE kind GLOB 'audit.inventory-*' ORDER BY occurred_at, id").equals(List.of("audit.inventory-in-force - -",
                    "audit.inventory-changed 1: lab-bio-2-s9 0", "audit.inventory-changed 0 1: lab-bio-2-s9"))),
                    "inventory records: " + GatewayFixture.rows(gw.storePath(), "SELECT kind, attributes FROM events WHERE kind GLOB 'audit.inventory-*'"));
        }
    }

    private static boolean awaitCode(GatewayProcess gw, String device, ResponseCode code, int seconds) throws Exception {
        return GatewayFixture.eventually(seconds, () -> GatewayFixture.post(gw, device, PACK).getCode() == code);
    }

    private static boolean awaitLog(GatewayProcess gw, String text, int seconds) throws Exception {
        return GatewayFixture.eventually(seconds, () -> gw.console().contains(text));
    }
}
