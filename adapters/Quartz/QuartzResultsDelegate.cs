using System.Data.Common;
using Quartz;
using Quartz.Impl.AdoJobStore;

namespace Tasks.Quartz;

/// <summary>
/// The driver delegate of the enqueue-side scheduler only (built, never started, so it never fires or completes
/// anything): Quartz's PostgreSQL delegate, except that the INSERT of a task's job row also inserts the task's Ready
/// result row, in the same command. So enqueue costs exactly Quartz's own round trips, and the result and the job commit
/// together or not at all. The row is built from the envelope in the job data, so a Quartz retry of the whole
/// transaction writes it again. Worker schedulers keep the stock delegate: Quartz batches the statements of firing
/// rounds and completions only for the delegates it ships, not for a subclass.
/// </summary>
/// <param name="resultsTable">The quoted results table.</param>
/// <param name="alias">The backend alias recorded in new results.</param>
internal sealed class QuartzResultsDelegate(string resultsTable, string alias) : PostgreSQLDelegate
{
    private readonly string _insertSql = QuartzResultRows.InsertOneSql(resultsTable);

    /// <summary>The result to insert with the command the current job insert prepares next (flows with the call).</summary>
    private readonly AsyncLocal<TaskResult?> _pending = new();

    /// <inheritdoc />
    public override async ValueTask<int> InsertJobDetail(ConnectionAndTransactionHolder conn, IJobDetail job, CancellationToken cancellationToken = default)
    {
        if (job.Key.Group != QuartzTaskMapping.Group || job.JobDataMap.GetString(QuartzTaskMapping.EnvelopeKey) is not { } json)
        {
            return await base.InsertJobDetail(conn, job, cancellationToken).ConfigureAwait(false);
        }

        _pending.Value = TaskResult.ForEnqueued(TaskJson.DeserializeEnvelope(json), alias);
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
        if (_pending.Value is not { } result)
        {
            return base.PrepareCommand(cth, commandText);
        }

        // The job insert's command (the first one it prepares): our INSERT goes first in the same round trip.
        _pending.Value = null;
        var cmd = base.PrepareCommand(cth, _insertSql + ";\n" + commandText);
        QuartzResultRows.AddOne((Npgsql.NpgsqlParameterCollection)cmd.Parameters, result);
        return cmd;
    }
}
