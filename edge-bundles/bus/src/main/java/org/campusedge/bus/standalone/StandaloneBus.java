package org.campusedge.bus.standalone;

import org.campusedge.api.EventBus;
import org.campusedge.api.EventStore;
import org.campusedge.bus.internal.RxEventBus;

/**
 * The gateway's event bus outside the OSGi framework, over a store: the published door for the
 * other modules' tests and tools that wire the real bus (in the gateway it is a DS component).
 */
public interface StandaloneBus extends EventBus, AutoCloseable {

    /** A bus that appends to {@code store} before it fans out, as the gateway's does. */
    static StandaloneBus over(EventStore store) {
        return new RxEventBus(store);
    }

    /** Stops the subscribers' threads. */
    @Override
    void close();
}
