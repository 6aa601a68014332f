package org.campusedge.simulators.attack;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.campusedge.simulators.card.ReaderWire;

/** Attacks on the card readers' TCP port: idle connections, garbage, frames in another reader's name. */
public final class TcpAttacks {

    private TcpAttacks() {
    }

    /**
     * Opens {@code connections} TCP connections spread over {@code sources} and sends nothing on
     * them; re-opens the ones the gateway closes, every second, for as long as the attack runs.
     */
    public static Attack idleConnections(List<InetAddress> sources, InetSocketAddress target, int connections) {
        List<Socket> open = new CopyOnWriteArrayList<>();
        return new Attack("tcp-idle") {
            @Override
            protected void loop(int thread) throws Exception {
                Socket[] slots = new Socket[connections];
                while (running) {
                    int alive = 0;
                    for (int i = 0; i < connections && running; i++) {
                        Socket s = slots[i];
                        if (s != null && !closedByPeer(s)) {
                            alive++;
                            continue;
                        }
                        if (s != null) {
                            count("closed by the gateway");
                            open.remove(s);
                            s.close();
                        }
                        try {
                            s = new Socket();
                            s.bind(new InetSocketAddress(sources.get(i % sources.size()), 0));
                            s.connect(target, 2000);
                            s.setSoTimeout(1);
                            slots[i] = s;
                            open.add(s);
                            count("opened");
                            alive++;
                        } catch (IOException e) {
                            count("connect refused/failed");
                            slots[i] = null;
                            s.close();
                        }
                    }
                    held = alive;
                    Thread.sleep(1000);
                }
            }

            private volatile int held;

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

            @Override
            public String toString() {
                return super.toString() + " held " + held;
            }
        };
    }

    /** True when the peer has closed the connection (or sent something, which an idle attacker ignores). */
    private static boolean closedByPeer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
                // the gateway said something (a NAK); an idle attacker reads it and stays
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * A noisy connection: random bytes, now and then a well-formed frame naming {@code victimReader}
     * (a reader of the inventory) with a swipe that never happened, at {@code perSecond} writes.
     */
    public static Attack garbageAndImpostor(InetAddress source, InetSocketAddress target, String victimReader, double perSecond) {
        return new Attack("card-garbage") {
            @Override
            protected void loop(int thread) throws Exception {
                Random r = new Random(4);
                long start = System.nanoTime();
                long n = 0;
                while (running) {
                    try (Socket s = new Socket()) {
                        s.bind(new InetSocketAddress(source, 0));
                        s.connect(target, 2000);
                        s.setSoTimeout(1);
                        count("connected");
                        for (; running; n++) {
                            pace(start, n, perSecond);
                            byte[] junk;
                            if (n % 10 == 0) {
                                junk = ReaderWire.frame(ReaderWire.swipe(victimReader, 4_000_000_000L + n, "99999999", 'I', true,
                                        System.currentTimeMillis()));
                            } else {
                                junk = new byte[1 + r.nextInt(600)];
                                r.nextBytes(junk);
                            }
                            s.getOutputStream().write(junk);
                            count("sent");
                            drain(s);
                        }
                    } catch (IOException e) {
                        count("connection lost");
                        Thread.sleep(200);
                    }
                }
            }
        };
    }

    private static void drain(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] b = new byte[4096];
            while (in.read(b) > 0) {
                // answers are NAKs; read them so the gateway's writes never block on us
            }
        } catch (IOException e) {
            // timeout: nothing more to read now
        }
    }
}
