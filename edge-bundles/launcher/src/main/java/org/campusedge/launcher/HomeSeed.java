package org.campusedge.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Makes what is missing of a home's {@code conf/} from the running release's {@code defaults/}: the
 * settings, the (empty) inventory, the example rules, calendar and schedule, the log configuration.
 * Only what is missing, and only once: a file or folder the school has is never touched, so a new
 * release never overwrites a school's settings; and what was made once is listed in
 * {@code conf/.seeded}, so a school that removed it (the example rules, say) does not get it back.
 * The systemd units in {@code defaults/systemd/} are the installer's, not the home's. Called with
 * the home's lock held.
 */
final class HomeSeed {

    private HomeSeed() {
    }

    /** Copies each top-level entry of {@code app/defaults} that {@code home/conf} lacks; returns what it made. */
    static List<Path> seed(Path app, Path home) throws IOException {
        Path defaults = app.resolve("defaults");
        List<Path> made = new ArrayList<>();
        if (!Files.isDirectory(defaults)) {
            return made;
        }
        Path conf = home.resolve("conf");
        Files.createDirectories(conf);
        Path ledger = conf.resolve(".seeded");
        java.util.Set<String> seeded = new java.util.TreeSet<>(Files.exists(ledger) ? Files.readAllLines(ledger) : List.of());
        try (Stream<Path> entries = Files.list(defaults)) {
            for (Path from : entries.sorted().toList()) {
                String name = from.getFileName().toString();
                Path to = conf.resolve(name);
                if (name.equals("systemd") || Files.exists(to) || seeded.contains(name)) {
                    continue;
                }
                copy(from, to);
                made.add(to);
                seeded.add(name);
            }
        }
        if (!made.isEmpty()) {
            Path tmp = conf.resolve(".seeded.tmp");
            Files.write(tmp, seeded);
            Files.move(tmp, ledger, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return made;
    }

    private static void copy(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to);
            return;
        }
        // into a temporary folder renamed at the end: a start killed halfway leaves no half folder that would count as the school's
        Path tmp = to.resolveSibling("." + to.getFileName() + ".seeding");
        if (Files.exists(tmp)) {
            try (Stream<Path> old = Files.walk(tmp)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : tree.sorted().toList()) {
                Path target = tmp.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Files.move(tmp, to);
    }
}
