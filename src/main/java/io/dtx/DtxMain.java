package io.dtx;

import io.dtx.store.DatabaseBootstrap;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Entry point: settles which PostgreSQL to use (starting an embedded one if none is configured), then starts dtx. */
@QuarkusMain
public class DtxMain {

    public static void main(String... args) {
        DatabaseBootstrap.prepare();
        Quarkus.run(args);
    }
}
