package org.campusedge.simulators.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Samples another JVM's heap twice a second with {@code jstat -gc}: the peak of the whole used
 * heap (garbage included, what -Xmx must hold) and the peak of the old generation (what survives).
 */
public final class HeapSampler implements AutoCloseable {

    private final Process jstat;
    private final Thread reader;
    private volatile double peakUsedMb;
    private volatile double peakOldMb;
    private volatile double lastOldMb;

    public HeapSampler(long pid) throws IOException {
        jstat = new ProcessBuilder("jstat", "-gc", Long.toString(pid), "500").redirectErrorStream(true).start();
        reader = new Thread(this::read, "heap-sampler");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
            String header = in.readLine();
            if (header == null) {
                return;
            }
            String[] names = header.trim().split("\\s+");
            int s0u = index(names, "S0U"), s1u = index(names, "S1U"), eu = index(names, "EU"), ou = index(names, "OU");
            String line;
            while ((line = in.readLine()) != null) {
                String[] v = line.trim().split("\\s+");
                if (v.length != names.length) {
                    continue;
                }
                double old = Double.parseDouble(v[ou]) / 1024;
                double used = (Double.parseDouble(v[s0u]) + Double.parseDouble(v[s1u]) + Double.parseDouble(v[eu])) / 1024 + old;
                peakUsedMb = Math.max(peakUsedMb, used);
                peakOldMb = Math.max(peakOldMb, old);
                lastOldMb = old;
            }
        } catch (IOException | RuntimeException e) {
            // the gateway stopped; the peaks so far stand
        }
    }

    private static int index(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("jstat printed no " + name + " column");
    }

    public double peakUsedMb() {
        return peakUsedMb;
    }

    public double peakOldMb() {
        return peakOldMb;
    }

    public double lastOldMb() {
        return lastOldMb;
    }

    @Override
    public void close() {
        jstat.destroy();
    }

    /**
     * The live data of another JVM at this moment: {@code jcmd GC.class_histogram} collects in full
     * and then counts what is still reachable (its total line), what the JVM's limits must hold, as
     * opposed to the peaks above, which include garbage not yet collected. (Reading "used" after a
     * separate {@code GC.run} is not it: under load the heap fills with new garbage in between.)
     */
    public static double liveAfterFullGcMb(long pid) throws IOException, InterruptedException {
        String histogram = run("jcmd", Long.toString(pid), "GC.class_histogram");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(histogram);
        if (!m.find()) {
            throw new IOException("no total in the class histogram of " + pid);
        }
        return Long.parseLong(m.group(1)) / (1024.0 * 1024.0);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        return out;
    }
}
