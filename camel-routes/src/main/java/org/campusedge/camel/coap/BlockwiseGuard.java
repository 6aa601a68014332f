package org.campusedge.camel.coap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.stack.AbstractLayer;

/**
 * A layer just below Californium's block-wise layer that decides whether a block-wise upload may
 * begin, before the layer above allocates a body buffer for it and keeps it: at most
 * {@code perSource} transfers open per source address and {@code total} in all, each given
 * {@code lifetimeNanos} to finish. A first block over those limits is answered 5.03 Service
 * Unavailable with Max-Age, which a real sensor takes as "retry later"; a transfer that does not
 * finish in time stops counting (the block-wise layer's own lifetime, set to the same, drops its
 * buffer). A body's size is capped by the block-wise layer itself (4.13).
 */
final class BlockwiseGuard extends AbstractLayer {

    private record Transfer(InetAddress source, long startedNanos) {
    }

    private final int perSource;
    private final int total;
    private final long lifetimeNanos;
    private final Map<String, Transfer> open = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();
    private final RefusalListener refusals;

    /** Told about every transfer refused, with its source, for the per-source counters. */
    interface RefusalListener {
        void refused(InetAddress source);
    }

    BlockwiseGuard(int perSource, int total, long lifetimeNanos, RefusalListener refusals) {
        this.perSource = perSource;
        this.total = total;
        this.lifetimeNanos = lifetimeNanos;
        this.refusals = refusals;
    }

    @Override
    public void receiveRequest(Exchange exchange, Request request) {
        BlockOption block1 = request.getOptions().getBlock1();
        if (block1 == null) {
            super.receiveRequest(exchange, request);
            return;
        }
        InetSocketAddress peer = request.getSourceContext().getPeerAddress();
        String key = peer + " " + request.getOptions().getUriPathString();
        if (block1.getNum() == 0 && block1.isM() && !open.containsKey(key) && !begin(key, peer.getAddress())) {
            refused.increment();
            refusals.refused(peer.getAddress());
            Response busy = Response.createResponse(request, ResponseCode.SERVICE_UNAVAILABLE);
            busy.getOptions().setMaxAge(5);
            busy.setPayload("too many block-wise uploads in progress; retry later");
            busy.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
            exchange.sendResponse(busy);
            return;
        }
        if (!block1.isM()) {
            end(key);
        }
        super.receiveRequest(exchange, request);
    }

    private synchronized boolean begin(String key, InetAddress source) {
        expire();
        if (open.size() >= total || perAddress.getOrDefault(source, 0) >= perSource) {
            return false;
        }
        open.put(key, new Transfer(source, System.nanoTime()));
        perAddress.merge(source, 1, Integer::sum);
        return true;
    }

    private synchronized void end(String key) {
        Transfer t = open.remove(key);
        if (t != null) {
            perAddress.computeIfPresent(t.source(), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    private void expire() {
        long now = System.nanoTime();
        open.entrySet().removeIf(e -> {
            boolean stale = now - e.getValue().startedNanos() > lifetimeNanos;
            if (stale) {
                perAddress.computeIfPresent(e.getValue().source(), (k, n) -> n <= 1 ? null : n - 1);
            }
            return stale;
        });
    }

    /** Transfers open now. */
    synchronized int open() {
        expire();
        return open.size();
    }

    long refused() {
        return refused.sum();
    }
}
