package io.dtx.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTests {

    @Test
    void readsEveryUsualSpelling() {
        DatabaseUrl a = DatabaseUrl.parse("postgresql://dtx:s%40cret@db.internal:5433/dtx?sslmode=require");
        assertThat(a.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/dtx?sslmode=require");
        assertThat(a.reactiveUrl()).isEqualTo("postgresql://db.internal:5433/dtx?sslmode=require");
        assertThat(a.user()).contains("dtx");
        assertThat(a.password()).contains("s@cret");

        assertThat(DatabaseUrl.parse("jdbc:postgresql://h/db").reactiveUrl()).isEqualTo("postgresql://h/db");
        assertThat(DatabaseUrl.parse("postgres://h:1/db").jdbcUrl()).isEqualTo("jdbc:postgresql://h:1/db");
        assertThat(DatabaseUrl.parse("vertx-reactive:postgresql://h/db").user()).isEmpty();
    }

    @Test
    void refusesWhatIsNotPostgres() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/db")).hasMessageContaining("not a PostgreSQL URL");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db")).hasMessageContaining("no host");
    }
}
