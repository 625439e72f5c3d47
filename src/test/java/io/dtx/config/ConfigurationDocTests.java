package io.dtx.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import io.smallrye.config.WithDefault;

/** The README's configuration table lists every key of the mapping, with its environment variable and default. */
class ConfigurationDocTests {

    record Key(String name, String defaultValue) {
        String env() {
            return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        }
    }

    @Test
    void everyKeyIsInTheReadmeTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<Key> keys = new ArrayList<>();
        collect(DtxConfig.class, "dtx", keys);
        assertThat(keys).hasSizeGreaterThan(15);
        for (Key k : keys) {
            String row = readme.lines().filter(l -> l.startsWith("| `" + k.name() + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("README has no row for " + k.name()));
            assertThat(row).as(k.name()).contains("`" + k.env() + "`");
            if (k.defaultValue() != null) {
                assertThat(row).as(k.name()).contains("`" + k.defaultValue() + "`");
            }
        }
    }

    private static void collect(Class<?> type, String prefix, List<Key> out) {
        for (Method m : type.getDeclaredMethods()) {
            String name = prefix + "." + kebab(m.getName());
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getEnclosingClass() == DtxConfig.class) {
                collect(r, name, out);
            } else {
                WithDefault d = m.getAnnotation(WithDefault.class);
                out.add(new Key(name, d == null ? null : d.value()));
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
