package org.campusedge.web;

import java.io.IOException;
import org.campusedge.net.BoundedHttpServer;
import org.campusedge.net.TlsIdentity;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** A started {@link BoundedHttpServer} whose requests reach the application as {@link WebExchange}s. */
public final class ExchangeServer {

    /** What answers one request, in the blocking style, on a thread of the server's own. */
    public interface Application {
        void handle(WebExchange ex) throws IOException;
    }

    private ExchangeServer() {
    }

    /** @param tls the key and certificate; null: plain HTTP */
    public static BoundedHttpServer start(String name, String host, int port, BoundedHttpServer.Limits limits, TlsIdentity tls,
                                          Application application) throws IOException {
        BoundedHttpServer server = new BoundedHttpServer(name, host, port, limits, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                try {
                    application.handle(new WebExchange(request, response));
                    callback.succeeded();
                } catch (IOException | RuntimeException e) {
                    callback.failed(e);
                }
                return true;
            }
        }, tls);
        try {
            server.start();
        } catch (Exception e) {
            server.close();
            throw new IOException(name + " could not start: " + e.getMessage(), e);
        }
        return server;
    }
}
