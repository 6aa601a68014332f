package org.campusedge.store.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A backup as one file ({@code campus-edge backup FILE.zip}, {@code restore FILE.zip}): the backup
 * folder's few flat files in a zip, easy to copy off the box or hand to the bureau's IT. Zip rather
 * than tar.gz because the JDK writes and reads it, and the school's Windows machines open it. An
 * archive holds only the names a backup has: nothing of it can land outside the folder it is
 * unpacked into.
 */
final class BackupArchive {

    /** What a backup folder holds; nothing else is packed or unpacked. */
    static final Set<String> NAMES = Set.of("backup.properties", "events.db", "outbox.db", "notifications.db");

    private BackupArchive() {
    }

    static boolean isArchive(Path p) {
        return p.getFileName().toString().endsWith(".zip");
    }

    /** Packs a backup folder into {@code zip} (written beside, synced, then renamed into place). */
    static void pack(Path folder, Path zip) throws IOException {
        Path partial = zip.resolveSibling(zip.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial); ZipOutputStream z = new ZipOutputStream(out);
                Stream<Path> files = Files.list(folder)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!NAMES.contains(name)) {
                    continue;
                }
                z.putNextEntry(new ZipEntry(name));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(partial, zip, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Unpacks an archive into the empty folder {@code into}; refuses any entry that is not a backup's file. */
    static void unpack(Path zip, Path into) throws IOException {
        Files.createDirectories(into);
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.isDirectory() || !NAMES.contains(e.getName())) {
                    throw new IOException(zip + " holds '" + e.getName() + "', which no backup has: refused");
                }
                Files.copy(z, into.resolve(e.getName()));
            }
        }
    }

    /** Deletes a folder and what is in it (a backup's, or the work folder beside an archive); nothing when it is not there. */
    static void delete(Path tree) throws IOException {
        if (!Files.exists(tree)) {
            return;
        }
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The folder a backup is taken into before it is packed, or unpacked into before it is restored. */
    static Path workFolder(Path zip) {
        return zip.resolveSibling("." + zip.getFileName() + ".d");
    }
}
