package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySettingsTest {

    @TempDir
    Path home;

    @Test
    void prefixesBecomePidsPathsBecomeAbsoluteAndOverridesWin() throws Exception {
        Path conf = Files.writeString(home.resolve("gateway.properties"), """
                store.path = data/x.db
                store.retentionDays = 30
                registry.inventoryFile = /etc/campus/school.yaml
                camel.coapPort = 5683
                camel.templatesDir =
                """);
        GatewaySettings s = GatewaySettings.load(home, conf, List.of("camel.coapPort=0", "store.synchronous=NORMAL"));
        Map<String, Hashtable<String, Object>> c = s.configurations();
        assertEquals(home.resolve("data/x.db").toString(), c.get("org.campusedge.store").get("path"));
        assertEquals("30", c.get("org.campusedge.store").get("retentionDays"));
        assertEquals("NORMAL", c.get("org.campusedge.store").get("synchronous"));
        assertEquals("/etc/campus/school.yaml", c.get("org.campusedge.registry").get("inventoryFile"));
        assertEquals("0", c.get("org.campusedge.camel").get("coapPort"));
        assertEquals("", c.get("org.campusedge.camel").get("templatesDir"), "an empty path stays empty");
    }

    @Test
    void anUnknownPrefixOrAMalformedOverrideIsRefusedWithTheKey() throws Exception {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> GatewaySettings.load(home, null, List.of("stroe.path=x")));
        assertTrue(unknown.getMessage().contains("stroe.path"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GatewaySettings.load(home, null, List.of("camel.coapPort")));
    }

    @Test
    void everyPidGetsAConfigurationEvenWithoutSettings() throws Exception {
        assertEquals(GatewaySettings.PIDS.size(), GatewaySettings.load(home, null, List.of()).configurations().size());
    }
}
