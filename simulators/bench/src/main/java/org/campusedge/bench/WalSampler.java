package org.campusedge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Watches the size of the gateway's SQLite write-ahead log twice a second and keeps the peak. */
final class WalSampler implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakBytes;

    WalSampler(Path wal) {
        thread = new Thread(() -> {
            while (running) {
                try {
                    peakBytes = Math.max(peakBytes, Files.size(wal));
                } catch (IOException e) {
                    // no WAL at this moment (between checkpoints and truncation)
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "wal-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    double peakMb() {
        return peakBytes / 1e6;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
