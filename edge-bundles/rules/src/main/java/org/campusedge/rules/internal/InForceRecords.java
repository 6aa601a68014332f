package org.campusedge.rules.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Severity;

/**
 * Records in the tamper-evident trail what configuration was in force: the rule sets, calendar and
 * schedule (each file's SHA-256, and who owns the folder: who could have written them) and the
 * inventory (a digest of every device as loaded, with the devices added, removed or changed), once
 * at start ({@code audit.rules-in-force}, {@code audit.inventory-in-force}) and whenever an edit
 * comes into force ({@code audit.rules-changed}, {@code audit.inventory-changed}). After an
 * incident the school can show which rules and devices were in force, and that nobody changed them
 * silently: the files are edited on the box, outside the console, so this is their only record.
 */
final class InForceRecords {

    /** How many device ids a change record names (the count is always whole). */
    static final int MAX_NAMED = 20;

    private final Consumer<CampusEvent> sink;
    private final String schoolId;
    private Map<String, String> rules = Map.of();
    private Map<String, String> devices;

    InForceRecords(Consumer<CampusEvent> sink, String schoolId) {
        this.sink = sink;
        this.schoolId = schoolId;
    }

    /** The rule files now in force (file name to SHA-256); recorded when they differ from the last recorded. */
    synchronized void rules(Map<String, String> fingerprints, int ruleCount, String owner) {
        if (fingerprints.equals(rules)) {
            return;
        }
        boolean first = rules.isEmpty();
        Map<String, String> a = new TreeMap<>();
        fingerprints.forEach((file, sha) -> a.put("sha256 " + file, sha));
        Set<String> changed = changedKeys(rules, fingerprints);
        a.put("changed", first ? "" : String.join(",", changed));
        a.put("rules", Integer.toString(ruleCount));
        a.put("owner", owner);
        rules = Map.copyOf(fingerprints);
        record(first ? "audit.rules-in-force" : "audit.rules-changed", first, a);
    }

    /** The inventory now in force; recorded when a device was added, removed or changed since the last record. */
    synchronized void inventory(DeviceRegistry registry) {
        Map<String, String> now = new TreeMap<>();
        for (Device d : registry.devices()) {
            now.put(d.id(), sha256(d.toString()));
        }
        if (now.equals(devices)) {
            return;
        }
        boolean first = devices == null;
        Map<String, String> a = new TreeMap<>();
        a.put("devices", Integer.toString(now.size()));
        a.put("sha256", sha256(now.toString()));
        if (!first) {
            Set<String> added = new TreeSet<>(now.keySet());
            added.removeAll(devices.keySet());
            Set<String> removed = new TreeSet<>(devices.keySet());
            removed.removeAll(now.keySet());
            Set<String> changed = new TreeSet<>();
            now.forEach((id, sha) -> {
                if (devices.containsKey(id) && !devices.get(id).equals(sha)) {
                    changed.add(id);
                }
            });
            a.put("added", named(added));
            a.put("removed", named(removed));
            a.put("changed", named(changed));
        }
        devices = now;
        record(first ? "audit.inventory-in-force" : "audit.inventory-changed", first, a);
    }

    private void record(String kind, boolean first, Map<String, String> attributes) {
        sink.accept(CampusEvent.builder().schoolId(schoolId).deviceId("gateway").profileId("gateway").kind(kind)
                .severity(first ? Severity.INFO : Severity.NOTICE).attributes(attributes).build());
    }

    private static Set<String> changedKeys(Map<String, String> before, Map<String, String> now) {
        Set<String> out = new TreeSet<>();
        now.forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                out.add(k);
            }
        });
        before.keySet().stream().filter(k -> !now.containsKey(k)).forEach(out::add);
        return out;
    }

    /** "n: a,b,c" with at most {@link #MAX_NAMED} names, "…" beyond. */
    static String named(Set<String> ids) {
        List<String> list = List.copyOf(ids);
        String names = String.join(",", list.subList(0, Math.min(MAX_NAMED, list.size())));
        return list.size() + (list.isEmpty() ? "" : ": " + names + (list.size() > MAX_NAMED ? ",…" : ""));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
