using System.Data.Common;
using Quartz;
using Quartz.Impl.AdoJobStore;

namespace Tasks.Quartz;

/// <summary>
/// The driver delegate of the enqueue-side scheduler only (built, never started, so it never fires or completes
/// anything): Quartz's PostgreSQL delegate, except that the INSERT of a task's job row is preceded, in the same command,
/// by the check that the task id has no result row yet (<see cref="QuartzResultRows.NewIdCheckSql"/>): Quartz refuses
/// an id whose job still exists, the check one whose task has finished. No result row is written: until a task
/// changes, its job stands for its Ready result (<see cref="QuartzJobResults"/>). So enqueue costs exactly Quartz's
/// round trips and writes. Worker schedulers keep the stock delegate: Quartz batches the statements of firing rounds and
/// completions only for the delegates it ships, not for a subclass.
/// </summary>
/// <param name="resultsTable">The quoted results table.</param>
internal sealed class QuartzResultsDelegate(string resultsTable) : PostgreSQLDelegate
{
    private readonly string _checkSql = QuartzResultRows.NewIdCheckSql(resultsTable);

    /// <summary>The task id to check with the command the current job insert prepares next (flows with the call).</summary>
    private readonly AsyncLocal<string?> _pending = new();

    /// <inheritdoc />
    public override async ValueTask<int> InsertJobDetail(ConnectionAndTransactionHolder conn, IJobDetail job, CancellationToken cancellationToken = default)
    {
        if (job.Key.Group != QuartzTaskMapping.Group || !Guid.TryParse(job.Key.Name, out _))
        {
            return await base.InsertJobDetail(conn, job, cancellationToken).ConfigureAwait(false);
        }

        _pending.Value = job.Key.Name;
        try
        {
            return await base.InsertJobDetail(conn, job, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.Value = null;
        }
    }

    /// <inheritdoc />
    public override DbCommand PrepareCommand(ConnectionAndTransactionHolder cth, string commandText)
    {
        if (_pending.Value is not { } id)
        {
            return base.PrepareCommand(cth, commandText);
        }

        // The job insert's command (the first one it prepares): the check goes first in the same round trip.
        _pending.Value = null;
        var cmd = base.PrepareCommand(cth, _checkSql + ";\n" + commandText);
        QuartzResultRows.AddNewIdCheck((Npgsql.NpgsqlParameterCollection)cmd.Parameters, id);
        return cmd;
    }
}
