package io.dtx.api;

import org.eclipse.microprofile.config.ConfigProvider;

/** dtx's own version, from the build. */
final class DtxVersion {
    private DtxVersion() {
    }

    static String get() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("dev");
    }
}
