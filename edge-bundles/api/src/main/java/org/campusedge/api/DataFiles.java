package org.campusedge.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the gateway's data files (YAML) and validates them against a JSON Schema of
 * {@code device-profiles/schema}, with problems worded as the registry words them:
 * {@code FILE: FIELD: REASON}. Rule sets and school calendars are read this way.
 */
public interface DataFiles {

    /**
     * A file's content (plain maps, lists, strings, numbers, booleans) and its problems; when there
     * are problems the content must not be used.
     */
    record Checked(Map<String, Object> content, List<String> problems) {
        public Checked {
            content = content == null ? Map.of() : content;
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** @param schema a schema's file name in device-profiles/schema, e.g. {@code rules.schema.json} */
    Checked read(Path file, String schema);
}
