package org.campusedge.registry.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.campusedge.api.DataFiles;
import org.campusedge.api.Device;
import org.campusedge.api.Profile;

/**
 * Loads the device profiles (every *.yaml / *.yml in a directory) and one school inventory,
 * validates them against the JSON Schemas shipped in this bundle and checks what a schema cannot
 * (unique ids, known profiles, sane ranges). Used by the registry component and by the data tests
 * of device-profiles. Thread-safe; create one and reuse it, since compiling the schemas costs.
 */
public final class RegistryLoader {

    static final String PROFILE_SCHEMA = "schema/profile.schema.json";
    static final String INVENTORY_SCHEMA = "schema/inventory.schema.json";

    private final YAMLMapper yaml = YAMLMapper.builder()
            // YAML lets a key appear twice and the last one silently wins; a typo like that must be an error
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final ObjectMapper json = new ObjectMapper();
    private final SchemaCheck profileSchema;
    private final SchemaCheck inventorySchema;

    public RegistryLoader() {
        profileSchema = SchemaCheck.fromResource(json, PROFILE_SCHEMA);
        inventorySchema = SchemaCheck.fromResource(json, INVENTORY_SCHEMA);
    }

    private final Map<String, SchemaCheck> dataSchemas = new ConcurrentHashMap<>();

    /**
     * Reads any data file (a rule set, a calendar) and validates it against {@code schema/<schema>};
     * problems name the file relative to its folder.
     */
    public DataFiles.Checked readData(Path file, String schema) {
        Problems problems = new Problems(file.toAbsolutePath().normalize().getParent());
        JsonNode doc = parse(file, problems);
        if (doc == null) {
            return new DataFiles.Checked(null, problems.list());
        }
        SchemaCheck check = dataSchemas.computeIfAbsent(schema, s -> SchemaCheck.fromResource(json, "schema/" + s));
        for (SchemaCheck.Issue issue : check.validate(doc)) {
            problems.add(file, issue.pointer(), issue.reason());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> content = problems.isEmpty() ? json.convertValue(doc, Map.class) : null;
        return new DataFiles.Checked(content, problems.list());
    }

    /** Loads with file names in problems given relative to the deepest directory holding both inputs. */
    public LoadResult load(Path profilesDir, Path inventoryFile) {
        return load(profilesDir, inventoryFile, Problems.commonRoot(profilesDir, inventoryFile.toAbsolutePath().getParent()));
    }

    /** Loads with file names in problems given relative to dataRoot (null: absolute names). */
    public LoadResult load(Path profilesDir, Path inventoryFile, Path dataRoot) {
        Problems problems = new Problems(dataRoot == null ? null : dataRoot.toAbsolutePath().normalize());
        Map<String, Profile> profiles = new LinkedHashMap<>();
        // ids of profiles whose file is broken: devices naming them get no second, misleading error
        Set<String> brokenProfiles = new HashSet<>();
        loadProfiles(profilesDir, problems, profiles, brokenProfiles);

        Map<String, Device> devices = new LinkedHashMap<>();
        School school = loadInventory(inventoryFile, profiles, brokenProfiles, problems, devices);
        return new LoadResult(school, profiles, devices, problems.list());
    }

    /** The profile files of a directory, sorted by name; hidden files (editor leftovers) are skipped. */
    public static List<Path> profileFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (!name.startsWith(".") && (lower.endsWith(".yaml") || lower.endsWith(".yml"))
                        && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        return files;
    }

    private void loadProfiles(Path dir, Problems problems, Map<String, Profile> profiles, Set<String> broken) {
        List<Path> files;
        try {
            files = profileFiles(dir);
        } catch (NoSuchFileException e) {
            problems.add(dir, Problems.WHOLE_FILE, "profiles directory does not exist");
            return;
        } catch (IOException e) {
            problems.add(dir, Problems.WHOLE_FILE, "cannot list profiles directory: " + e);
            return;
        }
        Map<String, Path> definedIn = new HashMap<>();
        for (Path file : files) {
            JsonNode doc = parse(file, problems);
            if (doc == null) {
                // unreadable, so its id is unknown; by convention it is the file name
                broken.add(stem(file));
                continue;
            }
            int before = problems.size();
            for (SchemaCheck.Issue issue : profileSchema.validate(doc)) {
                problems.add(file, issue.pointer(), issue.reason());
            }
            String id = doc.path("id").isTextual() ? doc.get("id").asText() : null;
            if (id != null && definedIn.containsKey(id)) {
                problems.add(file, "/id", "duplicate profile id '" + id + "', already defined in "
                        + problems.display(definedIn.get(id)));
                continue;
            }
            if (id != null) {
                definedIn.put(id, file);
            }
            if (problems.size() == before) {
                checkProfile(file, doc, problems);
            }
            if (problems.size() == before) {
                profiles.put(id, Models.profile(doc));
            } else if (id != null) {
                broken.add(id);
            }
        }
    }

    /** What the profile schema cannot say. Only called on schema-valid documents. */
    private static void checkProfile(Path file, JsonNode doc, Problems problems) {
        JsonNode offline = doc.get("offlineAfter");
        if (offline != null) {
            try {
                Duration d = Duration.parse(offline.asText());
                if (d.isNegative() || d.isZero()) {
                    problems.add(file, "/offlineAfter", "must be a positive duration");
                }
            } catch (DateTimeParseException e) {
                problems.add(file, "/offlineAfter", "not an ISO-8601 duration such as PT5M: '" + offline.asText() + "'");
            }
        }
        Map<String, Integer> pointIndex = new HashMap<>();
        JsonNode points = doc.path("points");
        for (int i = 0; i < points.size(); i++) {
            JsonNode p = points.get(i);
            String at = "/points/" + i;
            Integer first = pointIndex.putIfAbsent(p.get("name").asText(), i);
            if (first != null) {
                problems.add(file, at + "/name", "duplicate point name '" + p.get("name").asText()
                        + "', already at /points/" + first);
            }
            Double min = Models.number(p, "min");
            Double max = Models.number(p, "max");
            if (min != null && max != null && min > max) {
                problems.add(file, at + "/min", "min " + p.get("min").asText() + " is greater than max "
                        + p.get("max").asText());
            }
            if (!"number".equals(p.get("type").asText()) && (min != null || max != null)) {
                problems.add(file, at + (min != null ? "/min" : "/max"), "a range only applies to number points");
            }
        }
    }

    private School loadInventory(Path file, Map<String, Profile> profiles, Set<String> brokenProfiles,
                                 Problems problems, Map<String, Device> devices) {
        JsonNode doc = parse(file, problems);
        if (doc == null) {
            return null;
        }
        int before = problems.size();
        for (SchemaCheck.Issue issue : inventorySchema.validate(doc)) {
            problems.add(file, issue.pointer(), issue.reason());
        }
        boolean schemaValid = problems.size() == before;
        ZoneId zone = zone(file, doc.path("school"), problems);
        School school = schemaValid && zone != null ? Models.school(doc.get("school"), zone) : null;

        // The semantic checks read only textual ids, so they run on a schema-invalid file too and
        // the whole list of problems comes out in one go.
        Map<String, Integer> firstIndex = new HashMap<>();
        JsonNode list = doc.path("devices");
        for (int i = 0; i < list.size(); i++) {
            JsonNode d = list.get(i);
            String at = "/devices/" + i;
            String id = d.path("id").isTextual() ? d.get("id").asText() : null;
            String profileId = d.path("profile").isTextual() ? d.get("profile").asText() : null;
            boolean good = true;
            if (id != null) {
                Integer first = firstIndex.putIfAbsent(id, i);
                if (first != null) {
                    problems.add(file, at + "/id", "duplicate device id '" + id + "', already at /devices/" + first + "/id");
                    good = false;
                }
            }
            Profile profile = profileId == null ? null : profiles.get(profileId);
            if (profileId != null && profile == null) {
                good = false;
                if (!brokenProfiles.contains(profileId)) {
                    problems.add(file, at + "/profile", "unknown profile '" + profileId + "'");
                }
            }
            if (good && school != null && id != null && profile != null) {
                devices.put(id, Models.device(d, school.id(), profile.family()));
            }
        }
        return school;
    }

    private static ZoneId zone(Path file, JsonNode school, Problems problems) {
        JsonNode tz = school.get("timezone");
        if (tz == null || !tz.isTextual()) {
            return School.DEFAULT_TIMEZONE;
        }
        try {
            return ZoneId.of(tz.asText());
        } catch (DateTimeException e) {
            problems.add(file, "/school/timezone", "unknown time zone '" + tz.asText() + "' (expected an IANA name such as Asia/Shanghai)");
            return null;
        }
    }

    /** Reads one YAML file into a tree; on any problem reports it and returns null. */
    private JsonNode parse(Path file, Problems problems) {
        JsonNode doc;
        try (InputStream in = Files.newInputStream(file)) {
            doc = yaml.readTree(in);
        } catch (NoSuchFileException e) {
            problems.add(file, Problems.WHOLE_FILE, "file does not exist");
            return null;
        } catch (JacksonException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null || loc.getLineNr() < 0 ? Problems.WHOLE_FILE
                    : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            problems.add(file, where, "not valid YAML: " + firstLine(e.getOriginalMessage()));
            return null;
        } catch (IOException e) {
            problems.add(file, Problems.WHOLE_FILE, "cannot read: " + e);
            return null;
        }
        if (doc == null || doc.isMissingNode() || doc.isNull()) {
            problems.add(file, Problems.WHOLE_FILE, "file is empty");
            return null;
        }
        if (!doc.isObject()) {
            problems.add(file, Problems.WHOLE_FILE, "expected a mapping (key: value lines) at the top level");
            return null;
        }
        return doc;
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
