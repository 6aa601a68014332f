package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** The settings the gateway's bundles define, read from them as they are on this test's class path. */
    static final SettingsCatalog CATALOG = fromClassPath();

    static SettingsCatalog fromClassPath() {
        try {
            return SettingsCatalog.read(java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .map(Path::of).filter(Files::exists).toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

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
        GatewaySettings s = GatewaySettings.load(home, conf, List.of("camel.coapPort=0", "store.synchronous=NORMAL"), CATALOG);
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
                () -> GatewaySettings.load(home, null, List.of("stroe.path=x"), CATALOG));
        assertTrue(unknown.getMessage().contains("stroe.path"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GatewaySettings.load(home, null, List.of("camel.coapPort"), CATALOG));
        // a typo in a known configuration was taken and ignored before; now it is refused, with the keys there are
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> GatewaySettings.load(home, null, List.of("store.retentionDay=3"), CATALOG));
        assertTrue(typo.getMessage().contains("store.retentionDay") && typo.getMessage().contains("retentionDays"), typo.getMessage());
    }

    @Test
    void everyPidTheBundlesDefineGetsAConfigurationEvenWithoutSettings() throws Exception {
        Map<String, Hashtable<String, Object>> c = GatewaySettings.load(home, null, List.of(), CATALOG).configurations();
        assertEquals(CATALOG.pids().size(), c.size());
        for (String pid : List.of("org.campusedge.store", "org.campusedge.registry", "org.campusedge.credentials", "org.campusedge.camel",
                "org.campusedge.health", "org.campusedge.rules", "org.campusedge.notify", "org.campusedge.console", "org.campusedge.outbox",
                "org.campusedge.cloud", "org.campusedge.watchdog")) {
            assertTrue(c.containsKey(pid), pid + " is not among " + c.keySet());
        }
    }

    /** A home apart from the program: ${app}/ names the release's files; an older home's device-profiles/ path still finds them. */
    @Test
    void appPathsNameTheReleaseAndOlderSettingsStillFindItsProfiles() throws Exception {
        Path app = Files.createDirectories(home.resolve("app"));
        Files.createDirectories(app.resolve("device-profiles/profiles"));
        Path h = Files.createDirectories(home.resolve("h"));
        var c = GatewaySettings.load(h, app, null, List.of("registry.profilesDir=${app}/device-profiles/profiles",
                "registry.inventoryFile=conf/school.yaml", "rules.rulesDir=device-profiles/profiles"), CATALOG).configurations();
        assertEquals(app.resolve("device-profiles/profiles").toString(), c.get("org.campusedge.registry").get("profilesDir"));
        assertEquals(h.resolve("conf/school.yaml").toString(), c.get("org.campusedge.registry").get("inventoryFile"));
        assertEquals(app.resolve("device-profiles/profiles").toString(), c.get("org.campusedge.rules").get("rulesDir"),
                "not in the home, in the release: an older home's setting");
    }

    /** The home's conf/ is made from defaults/ once: what the school has, or removed, stays as it is. */
    @Test
    void theHomeIsSeededWithWhatItLacksOnlyOnce() throws Exception {
        Path app = Files.createDirectories(home.resolve("app"));
        Files.createDirectories(app.resolve("defaults/rules"));
        Files.createDirectories(app.resolve("defaults/systemd"));
        Files.writeString(app.resolve("defaults/gateway.properties"), "store.path = data/x.db\n");
        Files.writeString(app.resolve("defaults/rules/example.yaml"), "rules: []\n");
        Files.writeString(app.resolve("defaults/systemd/campus-edge.service"), "[Unit]\n");
        Path h = home.resolve("h");
        Files.createDirectories(h.resolve("conf"));
        Files.writeString(h.resolve("conf/gateway.properties"), "# the school's own\n");
        assertEquals(List.of(h.resolve("conf/rules")), HomeSeed.seed(app, h));
        assertEquals("# the school's own\n", Files.readString(h.resolve("conf/gateway.properties")));
        assertTrue(Files.exists(h.resolve("conf/rules/example.yaml")));
        assertFalse(Files.exists(h.resolve("conf/systemd")), "the units are the installer's");
        // the school removes the example rules: a restart (or a new release) does not bring them back
        Files.delete(h.resolve("conf/rules/example.yaml"));
        Files.delete(h.resolve("conf/rules"));
        assertEquals(List.of(), HomeSeed.seed(app, h));
        assertFalse(Files.exists(h.resolve("conf/rules")));
    }
}
