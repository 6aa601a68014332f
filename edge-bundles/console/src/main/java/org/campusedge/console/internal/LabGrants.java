package org.campusedge.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The labs the admin let a teacher watch at any time, beyond her own lessons (a head of science, a
 * lab technician): one {@code user TAB room} line each, in a file only the gateway's user can read.
 */
final class LabGrants {

    /** One grant. */
    record Grant(String user, String room) {
    }

    private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("\\p{Cntrl}");

    private final Path file;
    private final Set<String> lines = new TreeSet<>();

    LabGrants(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.indexOf('\t') > 0 && !line.startsWith("#")) {
                    lines.add(line);
                }
            }
        }
    }

    synchronized boolean has(String user, String room) {
        return room != null && lines.contains(user + "\t" + room);
    }

    synchronized List<Grant> list() {
        List<Grant> out = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.split("\t", 2);
            out.add(new Grant(f[0], f[1]));
        }
        return out;
    }

    /** Adds (true) or removes (false) a grant; false when there was nothing to change. */
    synchronized boolean set(String user, String room, boolean granted) throws IOException {
        if (CONTROL.matcher(user).find() || CONTROL.matcher(room).find() || user.isEmpty() || room.isEmpty()) {
            throw new IllegalArgumentException("an empty name or room, or one with a control character (tab, line break)");
        }
        String line = user + "\t" + room;
        boolean changed = granted ? lines.add(line) : lines.remove(line);
        if (changed) {
            org.campusedge.net.OwnerOnlyFiles.write(file, (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"))
                    .getBytes(StandardCharsets.UTF_8));
        }
        return changed;
    }

    /** Removes every grant of a user (she was removed). */
    synchronized void forget(String user) throws IOException {
        for (Grant g : list()) {
            if (g.user().equals(user)) {
                set(g.user(), g.room(), false);
            }
        }
    }
}
