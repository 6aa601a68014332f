package org.campusedge.simulators.school;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the gateway's device report ({@code run/devices.tsv}) into online/total counts per family. */
final class DeviceReport {

    private DeviceReport() {
    }

    /** Family to {online, total, rejected}; empty until the gateway wrote the report. */
    static Map<String, int[]> byFamily(Path tsv) {
        Map<String, int[]> out = new TreeMap<>();
        try {
            List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] c = line.split("\t", -1);
                int[] n = out.computeIfAbsent(c[1], f -> new int[3]);
                n[0] += c[2].equals("ONLINE") ? 1 : 0;
                n[1]++;
                n[2] += Integer.parseInt(c[5]);
            }
        } catch (IOException | RuntimeException e) {
            // not written yet, or being replaced: the next round reads it
        }
        return out;
    }

    static String online(Map<String, int[]> byFamily, String family) {
        int[] n = byFamily.get(family);
        return n == null ? "-" : n[0] + "/" + n[1] + (n[2] > 0 ? " (" + n[2] + " bad messages)" : "");
    }
}
