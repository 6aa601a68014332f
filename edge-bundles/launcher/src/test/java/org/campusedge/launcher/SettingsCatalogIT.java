package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One source of settings: the bundles' Metatype. The reference (docs/SETTINGS.md) is what {@code
 * bin/campus-edge settings} prints from the distribution's bundles; the shipped defaults name only
 * settings that exist, with the bundles' own defaults; the READMEs' settings tables name only
 * settings that exist. Any of them drifting from the bundles fails here, saying how to mend it.
 */
class SettingsCatalogIT {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    /** The distribution this module's package phase built (the failsafe configuration names it). */
    private static final Path DISTRIBUTION = Path.of(System.getProperty("campus.distribution", "target/campus-edge/campus-edge"));

    /** What {@code bin/campus-edge settings} prints. */
    private static String settingsPrinted() throws Exception {
        Process p = new ProcessBuilder(DISTRIBUTION.resolve("bin/campus-edge").toString(), "settings").redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("bin/campus-edge settings failed: " + said);
        }
        return said;
    }

    @Test
    void theReferenceIsWhatTheBundlesDefine() throws Exception {
        String printed = settingsPrinted();
        SettingsCatalog catalog = SettingsCatalog.read(DISTRIBUTION.resolve("bundles"));
        assertEquals(catalog.markdown(), printed, "bin/campus-edge settings prints the catalog");
        String doc = Files.readString(REPO.resolve("docs/SETTINGS.md"), StandardCharsets.UTF_8);
        if (!doc.equals(printed)) {
            Path fresh = Path.of("target/SETTINGS.md");
            Files.writeString(fresh, printed, StandardCharsets.UTF_8);
            fail("docs/SETTINGS.md differs from the bundles' settings: cp edge-bundles/launcher/" + fresh + " docs/SETTINGS.md"
                    + " (or bin/campus-edge settings > docs/SETTINGS.md)");
        }
        assertTrue(catalog.sections().size() >= 11 && printed.contains("`store.path`") && printed.contains("`cloud.host`"), printed);
    }

    @Test
    void theShippedDefaultsAreSettingsWithTheBundlesDefaults() throws Exception {
        SettingsCatalog catalog = SettingsCatalog.read(DISTRIBUTION.resolve("bundles"));
        Properties shipped = new Properties();
        try (var in = Files.newBufferedReader(DISTRIBUTION.resolve("defaults/gateway.properties"), StandardCharsets.UTF_8)) {
            shipped.load(in);
        }
        List<String> wrong = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(shipped.stringPropertyNames())) {
            String value = shipped.getProperty(key).trim();
            catalog.problem(key).ifPresentOrElse(wrong::add, () -> {
                String dflt = catalog.find(key).orElseThrow().defaultValue();
                if (!dflt.equals(value)) {
                    wrong.add(key + " = " + value + " in defaults/gateway.properties, but the bundle's default is '" + dflt + "'");
                }
            });
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void theReadmesNameOnlySettingsThatExist() throws Exception {
        SettingsCatalog catalog = SettingsCatalog.read(DISTRIBUTION.resolve("bundles"));
        Pattern key = Pattern.compile("`((" + String.join("|", catalog.pids().keySet()) + ")\\.[a-z][A-Za-z]*)`");
        List<String> wrong = new ArrayList<>();
        int named = 0;
        List<String> docs = new ArrayList<>(List.of("README.md", "README.zh-CN.md"));
        try (java.util.stream.Stream<Path> files = Files.list(REPO.resolve("docs"))) {
            files.map(f -> "docs/" + f.getFileName()).filter(f -> f.endsWith(".md") && !f.equals("docs/SETTINGS.md")).sorted().forEach(docs::add);
        }
        for (String readme : docs) {
            for (String line : Files.readAllLines(REPO.resolve(readme), StandardCharsets.UTF_8)) {
                if (!line.startsWith("| `")) {
                    continue; // the settings tables' rows; prose names files too (`outbox.db`)
                }
                Matcher m = key.matcher(line.substring(0, line.indexOf('|', 1)));
                while (m.find()) {
                    named++;
                    catalog.problem(m.group(1)).ifPresent(p -> wrong.add(readme + ": " + p));
                }
            }
        }
        assertTrue(named > 40, "the READMEs' settings tables were not found: " + named + " keys");
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
