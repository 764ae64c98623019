package dev.conveyor.cli;

import dev.conveyor.broker.BrokerProvider;
import dev.conveyor.broker.Brokers;
import dev.conveyor.jdbc.Migration;
import dev.conveyor.jdbc.SqlSchemaProvider;
import java.time.Clock;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code conveyor migrate}: shows or applies the SQL brokers' schema migrations. */
@Command(name = "migrate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Brings a SQL broker's schema to the version this Conveyor needs (sqlite:, postgresql://, mariadb://).",
            "",
            "Migrations are applied once each, in order, under a lock, and recorded in <prefix>schema_version.",
            "PostgreSQL and MariaDB brokers only check the version on start (unless their URL says migrate=auto),",
            "so a DBA can review the SQL first with --sql."
        },
        footer = {"", "Examples:",
            "  conveyor migrate --broker postgresql://app@db:5432/app?schema=jobs --sql   # print the SQL",
            "  conveyor migrate --broker postgresql://app@db:5432/app?schema=jobs         # apply it",
            "  conveyor migrate --check                                                    # exit 1 if behind"})
final class MigrateCommand extends BrokerCommand {
    @Option(names = "--sql", description = "Print every migration's SQL, marking those not yet applied; change nothing.")
    boolean sql;

    @Option(names = "--check", description = "Change nothing; exit 1 if migrations are pending.")
    boolean check;

    @Override
    protected int run() {
        String url = brokerUrl();
        String scheme = Brokers.scheme(url);
        SqlSchemaProvider provider = null;
        for (BrokerProvider p : ServiceLoader.load(BrokerProvider.class)) {
            if (p instanceof SqlSchemaProvider s && s.schemes().contains(scheme)) provider = s;
        }
        if (provider == null) {
            throw new CliException(ExitCodes.USAGE, "broker " + Brokers.redact(url)
                    + " has no SQL schema to migrate (migrate works on sqlite:, postgresql:// and mariadb:// brokers)");
        }
        try (SqlSchemaProvider.SchemaSession session = provider.openSchema(url, Clock.systemUTC())) {
            int current = session.migrator().current();
            int latest = session.migrator().latest();
            if (sql) {
                for (Migration m : session.dialect().migrations()) {
                    out().printf("-- version %d: %s%s%n", m.version(), m.description(),
                            m.version() <= current ? " (applied)" : " (pending)");
                    for (String statement : m.statements()) out().println(statement + ";");
                    out().println();
                }
                return ExitCodes.OK;
            }
            if (check) {
                out().printf("schema of %s is at version %d; this Conveyor needs %d%n", Brokers.redact(url), current, latest);
                return current == latest ? ExitCodes.OK : ExitCodes.FAILURE;
            }
            List<Migration> applied = session.migrator().migrate();
            if (applied.isEmpty()) {
                out().printf("schema of %s is up to date (version %d)%n", Brokers.redact(url), latest);
            } else {
                for (Migration m : applied) out().printf("applied version %d: %s%n", m.version(), m.description());
                out().printf("schema of %s is now at version %d%n", Brokers.redact(url), latest);
            }
            return ExitCodes.OK;
        } catch (CliException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CliException(ExitCodes.FAILURE, cannotOpen(url, e), e);
        }
    }
}
