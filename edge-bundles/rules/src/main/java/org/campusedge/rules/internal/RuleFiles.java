package org.campusedge.rules.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.campusedge.api.DataFiles;

/**
 * Reads the rule sets (every {@code *.yaml} of the rules folder), the school calendar and the
 * broadcast schedule through
 * {@link DataFiles}, and notices when any of them changes. A load with problems yields the problems
 * and no rules: the caller keeps what it had.
 */
final class RuleFiles {

    /** What a load found: the rules and calendar, or the problems (FILE: FIELD: REASON). */
    record Loaded(List<Rule> rules, SchoolCalendar calendar, BroadcastSchedule schedule, List<String> problems) {
    }

    private final DataFiles files;
    private final Path rulesDir;
    private final Path calendarFile;
    private final Path scheduleFile;
    private Map<Path, Long> stamps = Map.of();

    /** @param calendarFile the school calendar, or null; @param scheduleFile the broadcast schedule, or null */
    RuleFiles(DataFiles files, Path rulesDir, Path calendarFile, Path scheduleFile) {
        this.files = files;
        this.rulesDir = rulesDir;
        this.calendarFile = calendarFile;
        this.scheduleFile = scheduleFile;
    }

    /** True when a file was added, removed or modified since the last {@link #load}. */
    boolean changed() {
        return !stamps().equals(stamps);
    }

    Loaded load(ZoneId zone) {
        stamps = stamps();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(rulesDir)) {
            // a missing folder (a rename, a mount that did not come up) must not switch every rule off unnoticed
            problems.add(rulesDir + ": /: the rules folder does not exist");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path f : ruleFiles()) {
            DataFiles.Checked c = files.read(f, "rules.schema.json");
            problems.addAll(c.problems());
            if (c.ok()) {
                for (Rule r : RuleSetReader.rules(c.content())) {
                    if (!ids.add(r.id())) {
                        problems.add(f.getFileName() + ": /rules: duplicate rule id '" + r.id() + "'");
                    }
                    rules.add(r);
                }
            }
        }
        SchoolCalendar calendar = SchoolCalendar.none(zone);
        if (calendarFile != null && !Files.exists(calendarFile)) {
            problems.add(calendarFile + ": /: the calendar file does not exist");
        }
        if (calendarFile != null && Files.exists(calendarFile)) {
            DataFiles.Checked c = files.read(calendarFile, "calendar.schema.json");
            problems.addAll(c.problems());
            if (c.ok()) {
                calendar = SchoolCalendar.of(c.content(), zone);
            }
        }
        BroadcastSchedule schedule = BroadcastSchedule.none(zone);
        if (scheduleFile != null && !Files.exists(scheduleFile)) {
            problems.add(scheduleFile + ": /: the schedule file does not exist");
        }
        if (scheduleFile != null && Files.exists(scheduleFile)) {
            DataFiles.Checked c = files.read(scheduleFile, "schedule.schema.json");
            problems.addAll(c.problems());
            if (c.ok()) {
                schedule = BroadcastSchedule.of(c.content(), zone);
            }
        }
        return new Loaded(problems.isEmpty() ? List.copyOf(rules) : List.of(), calendar, schedule, List.copyOf(problems));
    }

    private List<Path> ruleFiles() {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(rulesDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(rulesDir, "*.{yaml,yml}")) {
            ds.forEach(out::add);
        } catch (IOException e) {
            // listed as missing by load(); the next check tries again
        }
        out.sort(null);
        return out;
    }

    /**
     * Each file's SHA-256 (rule sets, calendar, schedule: file name to hex), as read now: what an audit
     * record of a change in force names, so that the trail says which version of the rules was.
     */
    Map<String, String> fingerprints() {
        Map<String, String> out = new TreeMap<>();
        for (Path p : stamps().keySet()) {
            try {
                out.put(p.getFileName().toString(), Files.exists(p)
                        ? java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                        : "missing");
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                out.put(p.getFileName().toString(), "unreadable");
            }
        }
        return out;
    }

    /** Who owns the rules folder (who can change the rules), or "unknown". */
    String owner() {
        try {
            return Files.getOwner(rulesDir).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    private Map<Path, Long> stamps() {
        Map<Path, Long> m = new TreeMap<>();
        List<Path> all = new ArrayList<>(ruleFiles());
        if (calendarFile != null) {
            all.add(calendarFile);
        }
        if (scheduleFile != null) {
            all.add(scheduleFile);
        }
        for (Path p : all) {
            try {
                m.put(p, Files.exists(p) ? Files.getLastModifiedTime(p).toMillis() + Files.size(p) : -1L);
            } catch (IOException e) {
                m.put(p, -2L);
            }
        }
        return m;
    }
}
