package org.campusedge.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wall screens' logins: tokens that survive a restart, are kept only as hashes, and stop working when revoked; their QR codes. */
class ScreensTest {

    @TempDir
    Path dir;

    @Test
    void aScreensTokenWorksAcrossARestartIsKeptOnlyAsAHashAndStopsWhenRevoked() throws Exception {
        Path file = dir.resolve("console-screens");
        Screens screens = new Screens(file);
        String token = screens.add("office-wall", "admin");
        assertEquals(43, token.length(), "256 random bits, URL-safe Base64");
        assertEquals(Optional.of("office-wall"), screens.check(token));
        String stored = Files.readString(file);
        assertFalse(stored.contains(token), "the token itself is in the file");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Screens afterRestart = new Screens(file);
        assertEquals(Optional.of("office-wall"), afterRestart.check(token), "the login did not survive a restart");
        // what a hostile browser might send instead
        char last = token.charAt(42);
        assertEquals(Optional.empty(), afterRestart.check(token.substring(0, 42) + (last == 'A' ? 'B' : 'A')), "one character off");
        assertEquals(Optional.empty(), afterRestart.check(stored.split("\t")[1]), "the stored hash itself");
        assertEquals(Optional.empty(), afterRestart.check(""));
        assertEquals(Optional.empty(), afterRestart.check(null));
        assertEquals(Optional.empty(), afterRestart.check(token + token), "a long value");

        assertThrows(IllegalArgumentException.class, () -> afterRestart.add("office-wall", "admin"), "a second link under one name");
        assertThrows(IllegalArgumentException.class, () -> afterRestart.add("Office Wall\tx", "admin"), "a name that breaks the file");
        assertTrue(afterRestart.revoke("office-wall"));
        assertFalse(afterRestart.revoke("office-wall"));
        assertEquals(Optional.empty(), afterRestart.check(token));
        assertEquals(Optional.empty(), new Screens(file).check(token), "revoked, yet back after a restart");
    }

    @Test
    void makingScreensStopsAtTheLimit() throws Exception {
        Screens screens = new Screens(dir.resolve("s"));
        for (int i = 0; i < Screens.MAX; i++) {
            screens.add("screen-" + i, "admin");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> screens.add("one-more", "admin"));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
    }

    @Test
    void theQrCodeReadsBackAsTheLink() throws Exception {
        String link = "https://192.168.10.2:8443/screen#" + "x".repeat(43);
        String svg = QrSvg.of(link);
        // the SVG's squares drawn into a picture, 4 pixels a module, and read by ZXing as a phone's camera app would
        Matcher size = Pattern.compile("viewBox=\"0 0 (\\d+) \\1\"").matcher(svg);
        assertTrue(size.find(), svg.substring(0, 120));
        int side = Integer.parseInt(size.group(1));
        int width = side * 4;
        int[] pixels = new int[width * width];
        java.util.Arrays.fill(pixels, 0xffffff);
        Matcher square = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z").matcher(svg);
        int squares = 0;
        while (square.find()) {
            squares++;
            int mx = Integer.parseInt(square.group(1)), my = Integer.parseInt(square.group(2));
            for (int dx = 0; dx < 4; dx++) {
                for (int dy = 0; dy < 4; dy++) {
                    pixels[(my * 4 + dy) * width + mx * 4 + dx] = 0;
                }
            }
        }
        assertTrue(squares > 100, "hardly anything drawn: " + squares);
        String read = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(width, width, pixels))),
                Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE, DecodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name())).getText();
        assertEquals(link, read);
        assertFalse(svg.contains("<script") || svg.contains("on"), "the SVG carries more than shapes");
    }
}
