package org.campusedge.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.SelectorManager;

/**
 * Per-address connection slots for a Jetty connector ({@link SourceGuard#opened}), taken when a
 * connection is accepted and given back to the same entry when it closes. Jetty has no per-address
 * cap of its own. A connection over its address's share, or from an address in its penalty, is
 * closed at once: the cheapest answer there is.
 */
final class PerSourceConnections implements SelectorManager.AcceptListener {

    private final SourceGuard sources;
    private final Map<SelectableChannel, SourceGuard.Slot> open = new ConcurrentHashMap<>();

    PerSourceConnections(SourceGuard sources) {
        this.sources = sources;
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        InetAddress source;
        try {
            source = ((InetSocketAddress) ((SocketChannel) channel).getRemoteAddress()).getAddress();
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            return;
        }
        SourceGuard.Slot slot = sources.opened(source);
        if (slot == null) {
            closeQuietly(channel);
            return;
        }
        open.put(channel, slot);
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        release(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        release(channel);
    }

    private void release(SelectableChannel channel) {
        SourceGuard.Slot slot = open.remove(channel);
        if (slot != null) {
            slot.close();
        }
    }

    private static void closeQuietly(SelectableChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
