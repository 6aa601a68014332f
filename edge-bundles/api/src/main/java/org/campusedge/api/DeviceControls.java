package org.campusedge.api;

import java.util.concurrent.CompletionStage;

/**
 * Writes to devices' control points through their families' command routes ({@code energy-command}
 * for meters). Every write and its result is stored as a {@code <family>.control} event.
 */
public interface DeviceControls {

    /** Completes when the device answered or was given up on; never exceptionally for a device fault. */
    CompletionStage<ControlResult> write(ControlRequest request);
}
