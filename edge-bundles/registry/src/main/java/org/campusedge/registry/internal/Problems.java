package org.campusedge.registry.internal;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects load problems as "FILE: FIELD: REASON", naming files relative to the data root. */
final class Problems {

    /** The FIELD of a problem with a whole file (missing, empty, not a mapping). */
    static final String WHOLE_FILE = "/";

    private final Path root;
    private final List<String> list = new ArrayList<>();

    /** @param root the data root file names are given relative to, or null for absolute names */
    Problems(Path root) {
        this.root = root;
    }

    void add(Path file, String field, String reason) {
        list.add(display(file) + ": " + (field == null || field.isEmpty() ? WHOLE_FILE : field) + ": " + reason);
    }

    List<String> list() {
        return List.copyOf(list);
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    int size() {
        return list.size();
    }

    String display(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path shown = root != null && abs.startsWith(root) && !abs.equals(root) ? root.relativize(abs) : abs;
        return shown.toString().replace(File.separatorChar, '/');
    }

    /**
     * The deepest directory holding both paths, or null when that is the file-system root (an
     * absolute name says more than a path relative to "/").
     */
    static Path commonRoot(Path a, Path b) {
        Path x = a.toAbsolutePath().normalize();
        Path y = b.toAbsolutePath().normalize();
        while (x != null && !y.startsWith(x)) {
            x = x.getParent();
        }
        return x == null || x.getNameCount() == 0 ? null : x;
    }
}
