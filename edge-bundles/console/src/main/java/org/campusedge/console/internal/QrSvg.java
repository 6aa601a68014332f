package org.campusedge.console.internal;

import io.nayuki.qrcodegen.QrCode;

/**
 * A QR code as an SVG image, for a link a wall screen's browser opens (a phone or a tablet scans it
 * off the admin's screen): one unit square per dark module, a quiet zone of four modules, black on
 * white whatever the page's colours, sharp at any size.
 */
final class QrSvg {

    static final int QUIET_ZONE = 4;

    private QrSvg() {
    }

    static String of(String text) {
        QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        int side = qr.size + 2 * QUIET_ZONE;
        StringBuilder path = new StringBuilder();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    path.append('M').append(x + QUIET_ZONE).append(',').append(y + QUIET_ZONE).append("h1v1h-1z");
                }
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + side + " " + side + "\" width=\"" + side * 6
                + "\" height=\"" + side * 6 + "\" shape-rendering=\"crispEdges\" role=\"img\"><rect width=\"" + side + "\" height=\""
                + side + "\" fill=\"#fff\"/><path d=\"" + path + "\" fill=\"#000\"/></svg>";
    }
}
