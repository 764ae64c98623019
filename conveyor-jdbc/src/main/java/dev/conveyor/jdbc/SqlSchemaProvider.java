package dev.conveyor.jdbc;

import java.time.Clock;
import java.util.Set;

/**
 * Implemented by the SQL brokers' providers so tools ({@code conveyor migrate}) can see and apply the schema
 * without starting a broker.
 */
public interface SqlSchemaProvider {
    Set<String> schemes();

    /** Connects to the URL's database for schema work; the caller closes the session. */
    SchemaSession openSchema(String url, Clock clock);

    /** A migrator and the connections it uses. */
    record SchemaSession(SqlDialect dialect, SchemaMigrator migrator, ConnectionSource connections) implements AutoCloseable {
        @Override
        public void close() {
            connections.close();
        }
    }
}
