package org.campusedge.simulators.lab;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MessageObserver;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Response;

/**
 * What became of the packs a simulator sent: acknowledged (2.04 Changed), refused (any other
 * answer) or lost (no answer: timed out, rejected, cancelled, not sendable).
 */
public final class PackOutcomes {

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final java.util.Map<String, AtomicLong> refusedByCode = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An observer for one request: counts it as sent now and its outcome once (Californium may
     * report more than one end for an exchange), calls {@code onAcknowledged} for a 2.04 and
     * {@code onEnd} after any outcome.
     */
    MessageObserver observe(Consumer<Response> onAcknowledged, Runnable onEnd) {
        sent.incrementAndGet();
        return new MessageObserverAdapter() {
            private final AtomicBoolean ended = new AtomicBoolean();

            @Override
            public void onResponse(Response response) {
                if (ended.compareAndSet(false, true)) {
                    if (response.getCode() == CoAP.ResponseCode.CHANGED) {
                        acknowledged.incrementAndGet();
                        onAcknowledged.accept(response);
                    } else {
                        refused.incrementAndGet();
                        refusedByCode.computeIfAbsent(response.getCode().text, k -> new AtomicLong()).incrementAndGet();
                    }
                    onEnd.run();
                }
            }

            @Override
            public void onTimeout() {
                lost();
            }

            @Override
            public void onSendError(Throwable error) {
                lost();
            }

            @Override
            public void onReject() {
                lost();
            }

            @Override
            public void onCancel() {
                lost();
            }

            @Override
            public void onResponseHandlingError(Throwable cause) {
                lost();
            }

            private void lost() {
                if (ended.compareAndSet(false, true)) {
                    lost.incrementAndGet();
                    onEnd.run();
                }
            }
        };
    }

    public long sent() {
        return sent.get();
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long refused() {
        return refused.get();
    }

    public long lost() {
        return lost.get();
    }

    /** Packs answered with this code ("5.03", "4.00", ...). */
    public long refused(String code) {
        AtomicLong n = refusedByCode.get(code);
        return n == null ? 0 : n.get();
    }

    @Override
    public String toString() {
        return "sent " + sent() + ", stored (2.04) " + acknowledged() + ", refused " + refused() + " " + refusedByCode
                + ", no answer " + lost();
    }
}
