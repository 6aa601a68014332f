package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a browser test script (node + playwright-core driving Debian's headless Chromium) from its
 * folder with the given environment, fails with its output unless every check passed, and returns the
 * output. The screenshots it takes go to {@link #SCREENSHOTS}.
 */
final class BrowserScript {

    static final Path SCREENSHOTS = Path.of("target/screenshots").toAbsolutePath();

    private BrowserScript() {
    }

    static String run(Path folder, String script, Map<String, String> environment) throws Exception {
        assertTrue(Files.isDirectory(folder.resolve("node_modules/playwright-core")),
                "playwright-core is not installed in " + folder + "; run .ci/install-test-tools");
        ProcessBuilder pb = new ProcessBuilder("node", script).directory(folder.toFile()).redirectErrorStream(true);
        pb.environment().putAll(environment);
        pb.environment().put("SCREENSHOTS", SCREENSHOTS.toString());
        Process node = pb.start();
        String output;
        try {
            boolean ended = node.waitFor(180, TimeUnit.SECONDS);
            output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ended, "the browser test did not finish in 180 s:\n" + output);
        } finally {
            node.destroyForcibly();
        }
        System.out.println(output);
        assertEquals(0, node.exitValue(), output);
        assertTrue(output.contains("ALL PASSED"), output);
        return output;
    }

    /** Fails unless each screenshot was written and is not empty. */
    static void assertScreenshots(String... names) throws Exception {
        for (String shot : names) {
            assertTrue(Files.size(SCREENSHOTS.resolve(shot)) > 2_000, shot + " is missing or empty");
        }
    }
}
