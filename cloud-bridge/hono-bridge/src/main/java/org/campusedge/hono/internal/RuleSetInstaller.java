package org.campusedge.hono.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.campusedge.api.DataFiles;
import org.campusedge.api.RuleStatus;

/**
 * Puts a rule set the city sent in force: checked against the rules schema before it goes near the
 * rules folder, then put there atomically; when the rules component's next load finds a problem in
 * it (a reference the schema cannot check, a duplicate rule id), the previous file is put back. A bad
 * rule set never takes effect: the rules component keeps its rules when a load has problems.
 */
final class RuleSetInstaller {

    /** What became of it: an HTTP-like status and a reason or the number of rules in force. */
    record Outcome(int status, String message, int rules) {
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,47}");
    private static final int MAX_BYTES = 256 * 1024;

    private final DataFiles files;
    private final Supplier<RuleStatus> status;
    private final Duration waitForLoad;

    RuleSetInstaller(DataFiles files, Supplier<RuleStatus> status, Duration waitForLoad) {
        this.files = files;
        this.status = status;
        this.waitForLoad = waitForLoad;
    }

    synchronized Outcome install(String name, String yaml) throws IOException, InterruptedException {
        if (name == null || !NAME.matcher(name).matches()) {
            return new Outcome(400, "name must be 1-48 of a-z, 0-9 and -, starting with a letter or digit", 0);
        }
        if (yaml == null || yaml.isBlank()) {
            return new Outcome(400, "yaml is empty", 0);
        }
        byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            return new Outcome(400, "yaml is larger than " + MAX_BYTES + " bytes", 0);
        }
        RuleStatus rules = status.get();
        if (rules == null || rules.rulesFolder() == null) {
            return new Outcome(503, "the rules component is not running", 0);
        }
        Path rulesDir = rules.rulesFolder(); // the rules component's own folder: one setting, not two
        Path staging = rulesDir.resolveSibling(".rules-staging");
        Files.createDirectories(staging);
        Path candidate = staging.resolve(name + ".yaml");
        Files.write(candidate, bytes);
        DataFiles.Checked checked = files.read(candidate, "rules.schema.json");
        if (!checked.ok()) {
            Files.deleteIfExists(candidate);
            return new Outcome(400, String.join("; ", checked.problems()).replace(candidate.toString(), name + ".yaml"), 0);
        }
        Path target = rulesDir.resolve(name + ".yaml");
        byte[] previous = Files.exists(target) ? Files.readAllBytes(target) : null;
        Instant before = Instant.now();
        Files.move(candidate, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + waitForLoad.toNanos();
        while (loadedAfter(rules, before) == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (loadedAfter(rules, before) == null) {
            return new Outcome(504, "written; the rules component has not reloaded within " + waitForLoad.toSeconds() + " s", 0);
        }
        List<String> errors = rules.loadErrors();
        List<String> ours = errors.stream().filter(e -> e.contains(name + ".yaml")).toList();
        if (!ours.isEmpty()) {
            if (previous == null) {
                Files.deleteIfExists(target);
            } else {
                Files.write(target, previous);
            }
            return new Outcome(400, String.join("; ", ours), 0);
        }
        if (!errors.isEmpty()) {
            return new Outcome(409, "in place, but not in force: other rule files have problems: " + String.join("; ", errors), 0);
        }
        return new Outcome(200, "in force", rules.rules());
    }

    private static Instant loadedAfter(RuleStatus rules, Instant before) {
        Instant at = rules.lastLoadAt();
        return at != null && !at.isBefore(before) ? at : null;
    }
}
