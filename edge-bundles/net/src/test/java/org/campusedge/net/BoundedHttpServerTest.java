package org.campusedge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attacks the bounds are for, each against a real server on loopback while a good client on
 * another address is served: slow senders (headers and bodies), too many connections from one
 * address, more requests in flight than the server takes.
 */
class BoundedHttpServerTest {

    private BoundedHttpServer server;
    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static InetAddress ip(int c, int d) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) c, (byte) d});
    }

    /** Echoes the body's length; blocking, as the console's handlers are. */
    private static final Handler ECHO = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Object body = request.getAttribute(BoundedHttpServer.BODY);
            BoundedHttpServer.answer(response, callback, 200, "got " + (body instanceof byte[] b ? b.length : -1));
            return true;
        }
    };

    private BoundedHttpServer start(BoundedHttpServer.Limits limits, Handler handler) throws Exception {
        server = new BoundedHttpServer("test server", "127.0.0.1", 0, limits, handler);
        server.start();
        return server;
    }

    private static BoundedHttpServer.Limits limits(int perSource, int inFlight) {
        return new BoundedHttpServer.Limits(64, perSource, Duration.ofSeconds(2), Duration.ofSeconds(30), 8192, 8, inFlight, 1000,
                1000, 0, 30, true, Duration.ofSeconds(2), 1024);
    }

    private Socket connect(InetAddress from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
        s.setSoTimeout(10_000);
        held.add(s);
        return s;
    }

    /** A whole request from a good client; the status code. */
    private int post(InetAddress from, String body) throws IOException {
        try (Socket s = connect(from)) {
            s.getOutputStream().write(("POST /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            return status(s.getInputStream());
        }
    }

    private static int status(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        String[] f = line.toString().split(" ");
        return f.length > 1 ? Integer.parseInt(f[1]) : -1;
    }

    /** True once the server has closed the connection (reads to the end of the stream, answer or not). */
    private static boolean closedWithin(Socket s, int seconds) throws IOException {
        s.setSoTimeout(seconds * 1000);
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // an answer (408) may come first
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void aSenderTricklingItsHeadersIsCutOffAndTheOthersAreServed() throws Exception {
        start(limits(64, 64), ECHO);
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket s = connect(ip(2, 1 + i % 4));
            s.getOutputStream().write("POST /x HTTP/1.1\r\nHost: t\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
        }
        long t0 = System.nanoTime();
        // a byte a second: the idle timeout (30 s) never fires, the header deadline (2 s) does
        for (int second = 0; second < 4; second++) {
            for (Socket s : slow) {
                try {
                    s.getOutputStream().write('X');
                } catch (IOException closed) {
                    // cut off already
                }
            }
            assertEquals(200, post(ip(0, 1), "hello"), "a good client was not served while the slow ones trickled");
            Thread.sleep(1000);
        }
        for (Socket s : slow) {
            assertTrue(closedWithin(s, 5), "a slow sender kept its connection");
        }
        assertTrue(server.slowSenders() >= 20, "cut off: " + server.slowSenders());
        System.out.printf("20 header tricklers cut off within %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void aStalledBodyHoldsNoThreadAndGets408() throws Exception {
        start(limits(64, 64), ECHO); // 8 threads
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 32; i++) { // four times the server's threads
            Socket s = connect(ip(3, 1 + i % 8));
            s.getOutputStream().write(("POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nabc")
                    .getBytes(StandardCharsets.US_ASCII));
            stalled.add(s);
        }
        assertEquals(200, post(ip(0, 1), "hello"), "stalled bodies took the threads");
        for (Socket s : stalled) {
            s.setSoTimeout(6000);
            assertEquals(408, status(s.getInputStream()));
        }
    }

    @Test
    void oneAddressGetsItsShareOfConnectionsAndNoMore() throws Exception {
        start(limits(4, 64), ECHO);
        List<Socket> mine = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            mine.add(connect(ip(4, 1)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.sources().connectionsRefused() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the refusals happen on the server's accept thread
        }
        int closed = 0;
        for (Socket s : mine) {
            // short: the four open ones are waited on one after the other, all within the 2 s header deadline
            s.setSoTimeout(150);
            try {
                if (s.getInputStream().read() < 0) {
                    closed++;
                }
            } catch (java.net.SocketTimeoutException open) {
                // still open: one of its four
            } catch (IOException reset) {
                closed++;
            }
        }
        assertEquals(6, closed, "connections beyond four from one address");
        assertEquals(200, post(ip(0, 1), "hello"), "another address was refused too");
        assertTrue(server.sources().connectionsRefused() >= 6);
    }

    @Test
    void beyondItsRequestsInFlightTheServerAnswers503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Handler stuck = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                release.await(20, TimeUnit.SECONDS);
                BoundedHttpServer.answer(response, callback, 200, null);
                return true;
            }
        };
        start(limits(64, 3), stuck);
        List<Socket> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = connect(ip(5, 1 + i));
            s.getOutputStream().write("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            waiting.add(s);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.inFlight() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        try (Socket s = connect(ip(5, 9))) {
            OutputStream out = s.getOutputStream();
            out.write("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(503, status(s.getInputStream()));
        }
        release.countDown();
        for (Socket s : waiting) {
            assertEquals(200, status(s.getInputStream()));
        }
        assertEquals(1, server.busy());
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        start(limits(64, 64), ECHO);
        assertEquals(413, post(ip(0, 1), "x".repeat(2000)));
        assertEquals(200, post(ip(0, 1), "x".repeat(1000)));
    }
}
