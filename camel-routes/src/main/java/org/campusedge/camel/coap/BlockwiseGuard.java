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
 * Unavailable with Max-Age, which a real sensor takes as "retry later"; a later block of a transfer
 * that is not open is answered 4.08 here (Californium would allocate a transfer for it first); a
 * transfer that does not finish in time stops counting (the block-wise layer's own lifetime, set to
 * the same, drops its buffer). A body's size is capped by the block-wise layer itself (4.13).
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
        // what Californium keys a transfer by (its KeyUri): the peer, the method and the whole URI, query included; a
        // key of fewer parts would let one guard slot open many transfers
        String key = peer + " " + request.getCode() + " " + request.getOptions().getUriPathString() + "?"
                + request.getOptions().getUriQueryString();
        if (block1.getNum() == 0 && block1.isM() && !begin(key, peer.getAddress())) {
            refused.increment();
            refusals.refused(peer.getAddress());
            answer(exchange, request, ResponseCode.SERVICE_UNAVAILABLE, "too many block-wise uploads in progress; retry later");
            return;
        }
        if (block1.getNum() > 0 && !isOpen(key)) {
            // a later block of no transfer we know (never begun, or expired): Californium would set up a transfer,
            // buffer and all, only to refuse it; refuse it here instead
            answer(exchange, request, ResponseCode.REQUEST_ENTITY_INCOMPLETE, "no block-wise upload in progress for this block");
            return;
        }
        if (!block1.isM()) {
            end(key);
        } else if (block1.getNum() > 0) {
            touch(key); // its lifetime counts from its last block, as Californium's does
        }
        super.receiveRequest(exchange, request);
    }

    /** Counts a new transfer, or one that begins again (the same key: a retransmitted first block); false over the limits. */
    private synchronized boolean begin(String key, InetAddress source) {
        expire();
        if (open.containsKey(key)) {
            return true;
        }
        if (open.size() >= total || perAddress.getOrDefault(source, 0) >= perSource) {
            return false;
        }
        open.put(key, new Transfer(source, System.nanoTime()));
        perAddress.merge(source, 1, Integer::sum);
        return true;
    }

    private void answer(Exchange exchange, Request request, ResponseCode code, String why) {
        Response r = Response.createResponse(request, code);
        if (code == ResponseCode.SERVICE_UNAVAILABLE) {
            r.getOptions().setMaxAge(5);
        }
        r.setPayload(why);
        r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        exchange.sendResponse(r);
    }

    private synchronized void touch(String key) {
        Transfer t = open.get(key);
        if (t != null) {
            open.put(key, new Transfer(t.source(), System.nanoTime()));
        }
    }

    private synchronized boolean isOpen(String key) {
        expire();
        return open.containsKey(key);
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
