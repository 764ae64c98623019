package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.broker.CancelResult;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code conveyor jobs cancel ID...}: pending jobs never run; running ones are interrupted by their worker. */
@Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Cancels jobs.",
            "",
            "A job that has not started is CANCELLED at once and never runs. A running job's worker learns at its "
                    + "next heartbeat (10 s by default), interrupts the handler, and the job ends CANCELLED (unless "
                    + "it succeeds first). Exits 1 if any id was not found."
        },
        footer = {"", "Example:", "  conveyor jobs cancel 0197a3c2-5d1e-7c4a-9f00-1b2c3d4e5f60"})
final class JobsCancelCommand extends BrokerCommand {
    @Parameters(paramLabel = "ID", arity = "1..*", description = "Ids of the jobs to cancel.")
    List<String> ids;

    @Override
    protected int run() {
        List<CancelResult> results;
        try (Conveyor conveyor = open()) {
            store(conveyor);
            try {
                results = conveyor.cancel(ids);
            } catch (IllegalStateException e) {
                throw CliException.failure(Errors.message(e));
            }
        }
        boolean missing = false;
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            out().println(switch (results.get(i)) {
                case CANCELLED -> id + ": cancelled (it had not started; it will not run)";
                case REQUESTED -> id + ": running; its worker will interrupt it at its next heartbeat";
                case FINISHED -> id + ": already finished; nothing to cancel";
                case NOT_FOUND -> id + ": not found";
            });
            missing |= results.get(i) == CancelResult.NOT_FOUND;
        }
        return missing ? ExitCodes.FAILURE : ExitCodes.OK;
    }
}
