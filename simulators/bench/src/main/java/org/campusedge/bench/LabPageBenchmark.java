package org.campusedge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.school.SchoolSize;
import org.campusedge.simulators.school.SimulatedSchool;

/**
 * Is the teacher's lab page smooth on a school laptop? The simulated school (its physics lab: 8
 * benches, 7 quantities each, one pack a second per bench) and its gateway run here; Debian's
 * Chromium opens the lab page with the charts on the last 45 minutes, filled with 45 minutes of
 * readings, and times every redraw for a minute, at this machine's speed and with Chromium's CPU
 * throttled 4x (a school laptop). Prints the medians and 95th percentiles of the redraw time, the long
 * tasks (over 50 ms) and the slow frames (over 100 ms).
 *
 * <pre>./campus-edge.sh bench lab-page [--seconds 60] [--throttle 4]</pre>
 */
public final class LabPageBenchmark {

    private LabPageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 60;
        int throttle = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--throttle" -> throttle = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench lab-page [--seconds S] [--throttle K]");
                    System.exit(2);
                }
            }
        }
        Path browser = Path.of("edge-bundles/console/src/test/browser").toAbsolutePath();
        if (!Files.isDirectory(browser.resolve("node_modules/playwright-core"))) {
            throw new IllegalStateException("playwright-core is missing: run .ci/install-test-tools");
        }
        Path home = Files.createTempDirectory("campus-lab-page-bench");
        System.out.printf(Locale.ROOT, "Lab page benchmark: the simulated school (%s), the physics lab's 8 benches x 7 quantities at one"
                + " pack a second; the lab page on the last 45 minutes, %d s measured, CPU x1 and x%d%n%n", SchoolSize.standard(), seconds, throttle);
        try (SimulatedSchool school = SchoolBenchmark.provisioned(SimulatedSchool.prepare(home.resolve("school"), "sch-bench",
                SchoolSize.standard(), SimulatedSchool.morningClock(1)), home.resolve("gateway"));
             GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home.resolve("gateway"),
                     List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0",
                             "registry.inventoryFile=" + school.inventoryFile()), LabBenchmark.gatewayJvmOptions("256m"))) {
            school.attach(gw, 1000);
            Thread.sleep(20_000); // the labs' kits connect, a first history to draw
            Matcher admin = Pattern.compile("user 'admin', password (\\S+)").matcher(gw.console());
            if (!admin.find()) {
                throw new IllegalStateException("no admin password in the gateway's output");
            }
            String room = labRoom(school.inventoryFile());
            ProcessBuilder pb = new ProcessBuilder("node", "lab-page.bench.mjs").directory(browser.toFile()).redirectErrorStream(true);
            pb.environment().put("CONSOLE_URL", gw.consoleUrl());
            pb.environment().put("ADMIN_PASSWORD", admin.group(1));
            pb.environment().put("LAB_ROOM", room);
            pb.environment().put("SECONDS", Integer.toString(seconds));
            pb.environment().put("THROTTLE", Integer.toString(throttle));
            Process node = pb.start();
            List<String> lines = new ArrayList<>();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(node.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            }
            if (!node.waitFor(10L * seconds + 300, TimeUnit.SECONDS) || node.exitValue() != 0) {
                node.destroyForcibly();
                throw new IllegalStateException("the browser run failed:\n" + String.join("\n", lines));
            }
            System.out.println("CPU | series | points filled | redraws | redraw median ms | redraw p95 ms | redraw max ms | of which thinning"
                    + " / ECharts setOption ms | long tasks (>50 ms) | slow frames (>100 ms) / frames | temperature points on screen");
            for (String line : lines) {
                if (!line.startsWith("{")) {
                    System.out.println("  " + line);
                    continue;
                }
                System.out.printf(Locale.ROOT, "x%s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f / %.1f | %s | %s / %s | %s%n",
                        field(line, "throttle"), field(line, "series"), field(line, "points"), field(line, "renders"), num(line, "renderMedianMs"),
                        num(line, "renderP95Ms"), num(line, "renderMaxMs"), num(line, "thinMsPerRedraw"), num(line, "setOptionMsPerRedraw"),
                        field(line, "longTasks"), field(line, "slowFrames"),
                        field(line, "frames"), field(line, "temperaturePointsShown"));
            }
        }
    }

    /** The physics lab's room as the generated inventory names it (the first lab kit's room). */
    private static String labRoom(Path inventory) throws Exception {
        Matcher m = Pattern.compile("id: lab-phys-1-s1\\n(?:.*\\n){0,6}?\\s+room: \"?([^\"\\n]+)\"?").matcher(Files.readString(inventory));
        if (!m.find()) {
            throw new IllegalStateException("no physics lab in " + inventory);
        }
        return m.group(1).strip();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":([^,}]+)").matcher(json);
        return m.find() ? m.group(1) : "-";
    }

    private static double num(String json, String name) {
        String v = field(json, name);
        return v.equals("-") || v.equals("null") ? Double.NaN : Double.parseDouble(v);
    }
}
