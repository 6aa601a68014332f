package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.campusedge.web.Sessions;

/**
 * The dashboard's JSON API under {@code /api/} for a logged-in user (the web server checks the session and
 * the CSRF token before it gets here).
 */
final class Api {

    /** A JSON reply. */
    record Reply(int status, Object body) {
    }

    private final CityDashboard dashboard;
    private final DashboardViews views;
    private final Users users;
    private final Sessions<String> sessions;

    Api(CityDashboard dashboard, DashboardViews views, Users users, Sessions<String> sessions) {
        this.dashboard = dashboard;
        this.views = views;
        this.users = users;
        this.sessions = sessions;
    }

    /**
     * The least role a request needs: looking is for everyone; a broadcast, a drill or a status question
     * is an operator's; a rule set (it changes what every school does) and the users are an admin's.
     */
    static Users.Role needed(String method, String[] p) {
        if (method.equals("GET") && !p[0].equals("users")) {
            return Users.Role.VIEWER;
        }
        if (p[0].equals("broadcast") || p[0].equals("schools") && p.length == 3 && (p[2].equals("status") || p[2].equals("drill"))) {
            return Users.Role.OPERATOR;
        }
        return Users.Role.ADMIN;
    }

    Reply handle(String method, String path, Map<String, String> query, JsonNode body, String user, Users.Role role) throws Exception {
        long now = System.currentTimeMillis();
        String[] p = path.substring("/api/".length()).split("/");
        boolean get = method.equals("GET");
        Users.Role needed = needed(method, p);
        if (role.compareTo(needed) < 0) {
            return new Reply(403, Json.MAPPER.createObjectNode().put("error", "a " + role.label() + " may not do this; it needs "
                    + needed.label()));
        }
        switch (p[0]) {
            case "users":
                if (get) {
                    ObjectNode o = Json.MAPPER.createObjectNode();
                    users.roles().forEach((n, r) -> o.put(n, r.label()));
                    return ok(o);
                }
                if (p.length == 1) {
                    String name = text(body, "name");
                    String password = text(body, "password");
                    if (name == null || password == null) {
                        throw new IllegalArgumentException("a user needs a name, a password and a role");
                    }
                    users.put(name, password.toCharArray(), Users.Role.parse(String.valueOf(text(body, "role"))));
                    sessions.closeWhere(name::equals); // a new password or role ends the user's sessions
                    return ok(Json.MAPPER.createObjectNode().put("user", name).put("role", users.role(name).orElseThrow().label()));
                }
                break;
            case "overview":
                if (get) {
                    ObjectNode o = Json.MAPPER.createObjectNode();
                    o.put("connected", dashboard.connected());
                    o.put("tenant", dashboard.config().tenant());
                    o.put("quietMinutes", dashboard.config().quietMinutes());
                    o.set("stats", Json.MAPPER.valueToTree(dashboard.stats()));
                    o.set("messages", Json.MAPPER.valueToTree(dashboard.database().countsByType()));
                    return ok(o);
                }
                break;
            case "energy":
                return get ? ok(views.energy(query.getOrDefault("range", "24h"), now)) : notAllowed();
            case "safety":
                return get ? ok(views.safety(now)) : notAllowed();
            case "health":
                return get ? ok(views.health()) : notAllowed();
            case "quiet":
                return get ? ok(views.quiet(now, dashboard.config().quietMinutes())) : notAllowed();
            case "commands":
                return get ? ok(dashboard.database().commands().recent(intParam(query, "limit", 50))) : notAllowed();
            case "schools":
                if (p.length == 1) {
                    return get ? ok(views.schools()) : notAllowed();
                }
                if (p.length == 3 && method.equals("POST")) {
                    return command(p[1], p[2], body, user);
                }
                break;
            case "broadcast":
                if (p.length == 1 && method.equals("POST")) {
                    BroadcastResult r = dashboard.broadcast(order(body), user);
                    ObjectNode o = Json.MAPPER.createObjectNode().put("batch", r.batch());
                    o.set("schools", Json.MAPPER.valueToTree(r.schools()));
                    return new Reply(202, o);
                }
                if (p.length == 2 && get) {
                    List<CommandRecord> rows = dashboard.database().commands().ofBatch(p[1]);
                    if (rows.isEmpty()) {
                        return new Reply(404, Json.MAPPER.createObjectNode().put("error", "no such broadcast"));
                    }
                    // every try, and per school where it stands: confirmed, refused, pending (tried again) or expired
                    List<BroadcastTarget> targets = dashboard.database().commands().targets(p[1]);
                    ArrayNode shown = Json.MAPPER.createArrayNode();
                    for (BroadcastTarget t : targets) {
                        ObjectNode row = Json.MAPPER.valueToTree(t);
                        row.put("shown", t.shown(now));
                        shown.add(row);
                    }
                    boolean settled = targets.isEmpty() ? rows.stream().allMatch(CommandRecord::done)
                            : targets.stream().noneMatch(t -> t.shown(now).equals("pending"));
                    ObjectNode o = Json.MAPPER.createObjectNode().put("batch", p[1]).put("done", settled);
                    dashboard.database().commands().expiry(p[1]).ifPresent(e -> o.put("expiresAtMs", e));
                    o.set("targets", shown);
                    o.set("results", Json.MAPPER.valueToTree(rows));
                    return ok(o);
                }
                break;
            default:
                return new Reply(404, Json.MAPPER.createObjectNode().put("error", "not found"));
        }
        return notAllowed();
    }

    private Reply command(String school, String name, JsonNode body, String user) throws Exception {
        String json;
        switch (name) {
            case "status" -> json = "{}";
            case "rules" -> {
                String rules = text(body, "name");
                String yaml = text(body, "yaml");
                if (rules == null || yaml == null) {
                    throw new IllegalArgumentException("rules needs a name and a yaml");
                }
                json = Json.MAPPER.createObjectNode().put("name", rules).put("yaml", yaml).toString();
            }
            case "drill" -> {
                // start ({minutes, name}) or stop ({stop: true}) the school's drill; the school picks the camera
                ObjectNode d = Json.MAPPER.createObjectNode();
                if (body != null && body.path("stop").asBoolean(false)) {
                    d.put("stop", true);
                } else {
                    d.put("minutes", body == null ? 10 : body.path("minutes").asInt(10));
                    d.put("name", body == null || text(body, "name") == null ? "district drill" : text(body, "name"));
                }
                json = d.toString();
            }
            default -> {
                return new Reply(404, Json.MAPPER.createObjectNode().put("error", "unknown command " + name));
            }
        }
        try {
            return ok(dashboard.command(school, name, json, user)
                    .get(dashboard.config().commandTimeout().toMillis() + 6_000, TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return new Reply(504, Json.MAPPER.createObjectNode().put("error", "no outcome"));
        }
    }

    private static BroadcastOrder order(JsonNode b) {
        List<String> zones = strings(b.get("zones"));
        List<String> schools = strings(b.get("schools"));
        JsonNode pr = b.get("priority");
        int priority = pr == null || pr.isNull() ? BroadcastOrder.EMERGENCY : pr.asInt(-1);
        JsonNode minutes = b.get("validForMinutes");
        java.time.Duration validFor = null;
        if (minutes != null && !minutes.isNull()) {
            if (!minutes.isNumber() || minutes.asDouble() <= 0) {
                throw new IllegalArgumentException("validForMinutes is a positive number of minutes");
            }
            validFor = java.time.Duration.ofSeconds(Math.round(minutes.asDouble() * 60));
        }
        return new BroadcastOrder(text(b, "text"), text(b, "clip"), zones, priority, schools, validFor);
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(v -> {
                if (v.isTextual() && !v.asText().isBlank()) {
                    out.add(v.asText().trim());
                }
            });
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    private static int intParam(Map<String, String> q, String name, int dflt) {
        try {
            return Integer.parseInt(q.getOrDefault(name, Integer.toString(dflt)));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static Reply ok(Object body) {
        return new Reply(200, body);
    }

    private static Reply notAllowed() {
        return new Reply(405, Json.MAPPER.createObjectNode().put("error", "method not allowed"));
    }
}
