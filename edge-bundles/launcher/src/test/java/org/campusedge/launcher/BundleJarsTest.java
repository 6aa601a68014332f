package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An archive unpacked over an older release leaves the old bundle jars beside the new ones (the
 * new ones have other file names): the launcher installs one jar per bundle, the highest version.
 */
class BundleJarsTest {

    @TempDir
    Path dir;

    private void jar(String file, String bsn, String version) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(file)); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
    }

    @Test
    void onlyTheNewestJarOfEachBundleIsInstalled() throws Exception {
        jar("campus-edge-store-0.1.0.jar", "org.campusedge.store", "0.1.0.202611301200");
        jar("campus-edge-store-0.2.0.jar", "org.campusedge.store", "0.2.0.202612031200");
        jar("campus-edge-api-0.2.0.jar", "org.campusedge.api", "0.2.0");
        jar("campus-edge-api-0.1.0.jar", "org.campusedge.api;singleton:=true", "0.1.0");
        jar("campus-edge-sql-0.2.0.jar", "org.campusedge.sql", "0.2.0");
        jar("plain.jar", null, null);
        List<String> chosen = GatewayRuntime.newestOfEach(dir).stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("campus-edge-api-0.2.0.jar", "campus-edge-sql-0.2.0.jar", "campus-edge-store-0.2.0.jar", "plain.jar"), chosen);
    }
}
