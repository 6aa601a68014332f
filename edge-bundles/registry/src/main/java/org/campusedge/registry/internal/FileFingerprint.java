package org.campusedge.registry.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last-modified time and size of every file a load reads, so a poll can tell cheaply whether
 * anything changed (edited, added or removed) without parsing.
 */
record FileFingerprint(Map<Path, Entry> files) {

    record Entry(FileTime lastModified, long size) {
    }

    static FileFingerprint of(Path profilesDir, Path inventoryFile) {
        Map<Path, Entry> files = new TreeMap<>();
        try {
            List<Path> profiles = RegistryLoader.profileFiles(profilesDir);
            for (Path p : profiles) {
                put(files, p);
            }
        } catch (IOException e) {
            // a missing or unreadable directory is a state like any other; the load reports it
        }
        put(files, inventoryFile);
        return new FileFingerprint(Map.copyOf(files));
    }

    private static void put(Map<Path, Entry> files, Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            files.put(p, new Entry(a.lastModifiedTime(), a.size()));
        } catch (IOException e) {
            // absent: removing a file is a change too, seen as a key that is no longer there
        }
    }
}
