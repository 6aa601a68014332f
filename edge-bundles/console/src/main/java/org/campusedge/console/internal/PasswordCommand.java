package org.campusedge.console.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code bin/campus-edge console-password USER}: the recovery of a lost console password on the box
 * itself: gives the user a new generated password in the console's users file and prints it, on a
 * running gateway (the console reads the file again at the next login) or a stopped one. A user that
 * does not exist is made an admin, so a school whose every admin password is lost gets one back.
 * Whoever can run this as the gateway's user can read its data anyway: the box is the trust anchor.
 */
public final class PasswordCommand {

    private PasswordCommand() {
    }

    public static void main(String[] args) throws IOException {
        Path home = Path.of(System.getProperty("campus.home", "."));
        Path file = usersFile(home);
        if (args.length == 3 && args[0].equals("--file")) {
            file = Path.of(args[1]);
            args = new String[] {args[2]};
        }
        if (args.length != 1 || !args[0].matches("[a-z0-9][a-z0-9._-]{0,31}")) {
            System.err.println("usage: bin/campus-edge console-password [--file USERS-FILE] USER   (a new password for USER;"
                    + " a new admin if there is none)");
            System.exit(2);
        }
        String owner = org.campusedge.api.CampusHome.ownerProblem(file, "bin/campus-edge console-password " + args[0]);
        if (owner != null) {
            System.err.println(owner);
            System.exit(1);
        }
        Users users = new Users(file);
        Users.Role role = users.role(args[0]).orElse(Users.Role.ADMIN);
        char[] password = Users.generatePassword();
        users.put(args[0], role, password);
        System.out.println(args[0] + " (" + role.name().toLowerCase() + "): new password " + new String(password)
                + "  (sessions of this user end at their next request; change it on the console)");
    }

    /** The users file of this home: {@code console.usersFile} of conf/gateway.properties, else its default. */
    static Path usersFile(Path home) {
        return org.campusedge.api.CampusHome.configuredPath(home, "console.usersFile", "data/console-users");
    }
}
