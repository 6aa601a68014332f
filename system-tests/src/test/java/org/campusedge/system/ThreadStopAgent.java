package org.campusedge.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A Java agent that kills one thread of a running JVM by name ({@link Thread#stop()}, still there in
 * Java 17): loaded into the gateway through the attach API, it lets a test kill the store writer's
 * thread in the middle of its work, the way an {@link Error} would, with no hook in the gateway.
 */
public final class ThreadStopAgent {

    private ThreadStopAgent() {
    }

    /** Stops every thread named {@code name} in the JVM the agent is loaded into. */
    @SuppressWarnings("removal")
    public static void agentmain(String name, Instrumentation instrumentation) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                t.stop();
            }
        }
    }

    /** The agent as a jar (its one class and a manifest naming it), written to {@code dir}. */
    static Path jar(Path dir) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(new Attributes.Name("Agent-Class"), ThreadStopAgent.class.getName());
        Path jar = dir.resolve("thread-stop-agent.jar");
        String entry = ThreadStopAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m);
             InputStream in = ThreadStopAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            out.write(b.toByteArray());
            out.closeEntry();
        }
        return jar;
    }

    /** Loads the agent into the JVM of process {@code pid}, stopping its threads named {@code name}. */
    static void stopThread(long pid, String name, Path dir) throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
        try {
            vm.loadAgent(jar(dir).toString(), name);
        } finally {
            vm.detach();
        }
    }
}
