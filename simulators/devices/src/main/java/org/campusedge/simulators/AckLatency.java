package org.campusedge.simulators;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Time from a device sending a message to hearing the gateway's acknowledgement (CoAP 2.04, HTTP
 * 200, the card reader's ACK), which the gateway gives only once the events are durable: the
 * ingest latency a device sees. Thread-safe; the benchmark takes intervals of it.
 */
public final class AckLatency {

    private final Recorder recorder = new Recorder(3);

    public void record(long startNanos) {
        recorder.recordValue(Math.max(0, (System.nanoTime() - startNanos) / 1000)); // microseconds
    }

    /** The latencies recorded since the last call, in microseconds. */
    public Histogram interval() {
        return recorder.getIntervalHistogram();
    }
}
