package org.campusedge.registry.internal;

import java.nio.file.Path;
import org.campusedge.api.DataFiles;
import org.osgi.service.component.annotations.Component;

/** {@link DataFiles} with the registry's loader and the schemas this bundle carries. */
@Component(service = DataFiles.class)
public final class DataFilesService implements DataFiles {

    private final RegistryLoader loader = new RegistryLoader();

    @Override
    public Checked read(Path file, String schema) {
        return loader.readData(file, schema);
    }
}
