package org.campusedge.registry.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.campusedge.api.DeviceCredentials.Secret;

/**
 * {@code bin/campus-edge credentials ...}: adds, rotates, revokes, shows and lists device credentials
 * in the secrets file, on a running gateway or a stopped one (the gateway itself issues a credential to
 * every device of the inventory that has none, so {@code show} is what an installer mostly needs) (a running gateway picks the change up
 * within its reload interval; a connection proven with a rotated or revoked secret is dropped).
 *
 * <pre>
 *   credentials list                 devices with a credential, and when it was made (never the secrets)
 *   credentials add DEVICE           makes a secret for a device that has none, prints it once
 *   credentials rotate DEVICE        replaces the device's secret, prints the new one
 *   credentials revoke DEVICE        revokes it: the device can no longer prove who it is (add issues a new one)
 *   credentials show DEVICE          prints the secret, to configure the device with
 * </pre>
 */
public final class CredentialsCommand {

    private CredentialsCommand() {
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("campus.home", "."));
        Path file = configuredFile(home);
        int i = 0;
        if (args.length > 1 && args[0].equals("--file")) {
            file = Path.of(args[1]);
            i = 2;
        }
        String owner = org.campusedge.api.CampusHome.ownerProblem(file, "bin/campus-edge credentials ...");
        if (owner != null) {
            System.err.println(owner);
            System.exit(1);
        }
        String[] rest = java.util.Arrays.copyOfRange(args, i, args.length);
        System.exit(run(new SecretsFile(file), rest, System.out, System.err));
    }

    /** The secrets file the gateway of this home reads: {@code credentials.secretsFile} of conf/gateway.properties, else its default. */
    static Path configuredFile(Path home) {
        return org.campusedge.api.CampusHome.configuredPath(home, "credentials.secretsFile", "conf/device-secrets");
    }

    /** Runs one command; returns the exit status (0 done, 1 refused, 2 usage). */
    public static int run(SecretsFile file, String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: campus-edge credentials list | add DEVICE | rotate DEVICE | revoke DEVICE | show DEVICE");
            return 2;
        }
        String cmd = args[0];
        if (cmd.equals("list")) {
            SecretsFile.Content c = file.read();
            c.problems().forEach(p -> err.println("warning: " + p));
            out.println(c.secrets().size() + " device credential(s) in " + file.path());
            c.secrets().forEach((id, s) -> out.println("  " + id + "\t" + (s.value().equals(SecretsFile.REVOKED) ? "revoked " : "created ")
                    + (s.created().equals(Instant.EPOCH) ? "(unknown)" : s.created())));
            return 0;
        }
        if (args.length != 2) {
            err.println("campus-edge credentials " + cmd + ": expected one device id");
            return 2;
        }
        String device = args[1];
        if (!SecretsFile.validDeviceId(device)) {
            err.println("'" + device + "' is not a device id (lower-case letters, digits and '-')");
            return 2;
        }
        switch (cmd) {
            case "add", "rotate" -> {
                boolean rotate = cmd.equals("rotate");
                String result = file.update(m -> {
                    if (rotate != usable(m.get(device))) {
                        return null;
                    }
                    String secret = SecretsFile.newSecret();
                    m.put(device, new Secret(secret, now()));
                    return secret;
                });
                if (result == null) {
                    err.println(rotate ? device + " has no credential to rotate (use add)" : device + " already has a credential (use rotate)");
                    return 1;
                }
                out.println(device + "\t" + result);
                out.println((rotate ? "rotated: the old secret no longer works; " : "added; ")
                        + "configure the device with this secret (DTLS PSK identity '" + device + "', key as printed)");
                file.ensureOwnerOnly();
                return 0;
            }
            case "revoke" -> {
                boolean removed = file.update(m -> {
                    if (!usable(m.get(device))) {
                        return false;
                    }
                    m.put(device, new Secret(SecretsFile.REVOKED, now())); // kept, so the gateway does not issue it a new one
                    return true;
                });
                if (!removed) {
                    err.println(device + " has no credential");
                    return 1;
                }
                out.println(device + ": credential revoked; the device can no longer prove who it is");
                return 0;
            }
            case "show" -> {
                Secret s = file.read().secrets().get(device);
                if (!usable(s)) {
                    err.println(device + " has no credential");
                    return 1;
                }
                out.println(device + "\t" + s.value());
                return 0;
            }
            default -> {
                err.println("unknown credentials command '" + cmd + "' (list, add, rotate, revoke, show)");
                return 2;
            }
        }
    }

    private static boolean usable(Secret s) {
        return s != null && !s.value().equals(SecretsFile.REVOKED);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }
}
