package org.campusedge.camel.coap;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;
import org.campusedge.net.SourceGuard;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;

/**
 * The UDP connector with a gate between the socket and Californium's protocol threads, on the
 * receiving thread itself, before any datagram is queued: a source address in its penalty, or over
 * its rate while the protocol threads are behind ({@link SourceGuard}), is not listened to, and when
 * the protocol threads already have {@code maxQueued} datagrams waiting, new ones are dropped as a
 * full socket buffer would drop them.
 * Both are counted. Dropping is UDP's own answer to overload: a confirmable request is sent again
 * by its device, and one that is over its rate costs the gateway nothing but this check.
 */
final class GuardedConnector implements Connector {

    private final Connector udp;
    private final SourceGuard sources;
    private final ThreadPoolExecutor protocolThreads;
    private final int maxQueued;
    private final LongAdder droppedFull = new LongAdder();

    GuardedConnector(Connector udp, SourceGuard sources, ThreadPoolExecutor protocolThreads, int maxQueued) {
        this.udp = udp;
        this.sources = sources;
        this.protocolThreads = protocolThreads;
        this.maxQueued = maxQueued;
    }

    @Override
    public void setRawDataReceiver(RawDataChannel receiver) {
        udp.setRawDataReceiver(raw -> {
            InetSocketAddress peer = raw.getInetSocketAddress();
            int queued = protocolThreads.getQueue().size();
            // per-source rates only under pressure (a quarter of the queue): a forged flood in a device's name must
            // not use up its allowance while there is room for both
            if (peer == null || !sources.admit(peer.getAddress(), queued > maxQueued / 4)) {
                return;
            }
            if (queued >= maxQueued) {
                droppedFull.increment();
                return;
            }
            receiver.receiveData(raw);
        });
    }

    /** Datagrams dropped because the protocol threads were this far behind. */
    long droppedFull() {
        return droppedFull.sum();
    }

    @Override
    public void start() throws IOException {
        udp.start();
    }

    @Override
    public void stop() {
        udp.stop();
    }

    @Override
    public void destroy() {
        udp.destroy();
    }

    @Override
    public void send(RawData msg) {
        udp.send(msg);
    }

    @Override
    public void setEndpointContextMatcher(EndpointContextMatcher matcher) {
        udp.setEndpointContextMatcher(matcher);
    }

    @Override
    public InetSocketAddress getAddress() {
        return udp.getAddress();
    }

    @Override
    public String getProtocol() {
        return udp.getProtocol();
    }

    @Override
    public boolean isRunning() {
        return udp.isRunning();
    }

    @Override
    public void processDatagram(DatagramPacket datagram) {
        udp.processDatagram(datagram);
    }
}
