package org.campusedge.hono.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.campusedge.api.DataFiles;
import org.campusedge.api.RuleStatus;

/**
 * Puts a rule set the city sent in force: checked against the rules schema before it goes near the
 * rules folder and its rule ids checked against the other rule sets, then put in the rules
 * component's folder atomically; unless the rules component's next load takes it without a problem,
 * the previous file is put back (atomically) and the answer says why. A bad rule set never takes
 * effect: the rules component keeps its rules when a load has problems.
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

    /** Prefix of the rule files the city owns: a city rule set is only ever one of these, never a school's own file. */
    static final String CITY_PREFIX = "city-";

    private final boolean controlAllowed;

    /** @param controlAllowed whether the school lets the city's rule sets switch devices (control actions) */
    RuleSetInstaller(DataFiles files, Supplier<RuleStatus> status, Duration waitForLoad, boolean controlAllowed) {
        this.controlAllowed = controlAllowed;
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
        String fileName = CITY_PREFIX + name + ".yaml"; // the city's own file: it can never replace or remove a school's
        Path candidate = staging.resolve(fileName);
        Files.write(candidate, bytes);
        DataFiles.Checked checked = files.read(candidate, "rules.schema.json");
        if (!checked.ok()) {
            Files.deleteIfExists(candidate);
            return new Outcome(400, String.join("; ", checked.problems()).replace(candidate.toString(), fileName), 0);
        }
        if (!controlAllowed && hasControl(checked.content())) {
            Files.deleteIfExists(candidate);
            return new Outcome(403, fileName + ": control actions (switching devices) are not taken from the city at this school"
                    + " (cloud.cityControl=false)", 0);
        }
        Path target = rulesDir.resolve(fileName);
        byte[] previous = Files.exists(target) ? Files.readAllBytes(target) : null;
        // rule ids must be unique across the school's files: check against the rules in force but this file's own
        Set<String> taken = new HashSet<>();
        for (String line : rules.ruleSummaries()) {
            int sep = line.indexOf(" · ");
            taken.add(sep < 0 ? line : line.substring(0, sep));
        }
        if (previous != null) {
            taken.removeAll(ids(files.read(target, "rules.schema.json").content()));
        }
        List<String> clash = ids(checked.content()).stream().filter(taken::contains).sorted().toList();
        if (!clash.isEmpty()) {
            Files.deleteIfExists(candidate);
            return new Outcome(400, fileName + ": /rules: rule id(s) already used by another rule set: " + String.join(", ", clash), 0);
        }
        Instant before = Instant.now();
        Files.move(candidate, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + waitForLoad.toNanos();
        while (loadedAfter(rules, before) == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (loadedAfter(rules, before) == null) {
            restore(target, previous, staging);
            return new Outcome(504, "the rules component did not reload within " + waitForLoad.toSeconds() + " s; the previous rule set is back", 0);
        }
        List<String> errors = rules.loadErrors();
        Pattern ours = Pattern.compile("(^|[/\\\\])" + Pattern.quote(fileName) + ":");
        List<String> mine = errors.stream().filter(e -> ours.matcher(e).find()).toList();
        if (!errors.isEmpty()) {
            restore(target, previous, staging);
            return mine.isEmpty()
                    ? new Outcome(409, "not put in force: other rule files have problems: " + String.join("; ", errors), 0)
                    : new Outcome(400, String.join("; ", mine), 0);
        }
        return new Outcome(200, "in force", rules.rules());
    }

    /** Puts the previous version back (or removes the new file), atomically. */
    private static void restore(Path target, byte[] previous, Path staging) throws IOException {
        if (previous == null) {
            Files.deleteIfExists(target);
            return;
        }
        Path tmp = staging.resolve(target.getFileName() + ".restore");
        Files.write(tmp, previous);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whether any rule of the set has a {@code control} action. */
    private static boolean hasControl(Map<String, Object> content) {
        if (content.get("rules") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("actions") instanceof List<?> actions) {
                    for (Object a : actions) {
                        if (a instanceof Map<?, ?> am && am.containsKey("control")) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /** The rule ids of a rule set as read through the schema ({@code rules[].id}). */
    private static List<String> ids(Map<String, Object> content) {
        List<String> out = new ArrayList<>();
        if (content.get("rules") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("id") != null) {
                    out.add(m.get("id").toString());
                }
            }
        }
        return out;
    }

    private static Instant loadedAfter(RuleStatus rules, Instant before) {
        Instant at = rules.lastLoadAt();
        return at != null && !at.isBefore(before) ? at : null;
    }
}
