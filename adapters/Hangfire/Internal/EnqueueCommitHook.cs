using Hangfire.States;
using Hangfire.Storage;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Sends an enqueue's result write while Hangfire commits the enqueue's last job, instead of after it.
/// <para>
/// Hangfire creates a job in two steps: the job row (which gives its id), then a transaction that applies the initial
/// state. This filter sees that second step for each job the current enqueue creates (<see cref="Begin"/> marks the
/// enqueue, for the calling flow only), records the job id in the enqueue's result, and for the last job starts the
/// store's <see cref="IHangfireResultStore.AfterCreateAsync"/> before Hangfire commits. The write then travels on its own
/// connection while Hangfire's commit does, so an enqueue costs about Hangfire's own time rather than that plus one
/// more round trip. Jobs created by anything else (workers' state changes, an app's own jobs) pass through untouched.
/// With PostgreSQL the store has nothing to write (the job is the record), so enqueues do not use the hook.
/// </para>
/// </summary>
internal sealed class EnqueueCommitHook(IHangfireResultStore store) : IApplyStateFilter
{
    private readonly AsyncLocal<Enqueue?> _current = new();

    /// <summary>Marks the calling flow's next job creations as the creation of <paramref name="results"/>' jobs, in order.</summary>
    public Enqueue Begin(TaskResult[] results, CancellationToken cancellationToken)
    {
        var enqueue = new Enqueue(results, cancellationToken);
        _current.Value = enqueue;
        return enqueue;
    }

    /// <summary>Ends what <see cref="Begin"/> marked.</summary>
    public void End() => _current.Value = null;

    /// <inheritdoc />
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        // Only a job's initial state, applied by the creation of the job this enqueue is creating now.
        if (_current.Value is not { } enqueue || context.OldStateName is not null || enqueue.Index >= enqueue.Results.Length)
        {
            return;
        }

        var i = enqueue.Index;
        enqueue.Results[i] = enqueue.Results[i] with { EngineId = context.BackgroundJob.Id };
        if (i == enqueue.Results.Length - 1 && enqueue.Written is null)
        {
            try
            {
                enqueue.Written = store.AfterCreateAsync(enqueue.Results, enqueue.CancellationToken);
            }
            catch (Exception ex)
            {
                // Never fail Hangfire's transaction from here: the enqueue sees the error when it awaits the write.
                enqueue.Written = Task.FromException(ex);
            }
        }
    }

    /// <inheritdoc />
    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }

    /// <summary>One enqueue's results, the index of the job being created, and the write once it is sent.</summary>
    internal sealed class Enqueue(TaskResult[] results, CancellationToken cancellationToken)
    {
        /// <summary>The enqueue's results; the hook fills in each one's job id.</summary>
        public TaskResult[] Results { get; } = results;

        /// <summary>The enqueue's token, passed to the write.</summary>
        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>The result whose job is being created (set by the enqueue before each creation).</summary>
        public int Index { get; set; }

        /// <summary>The write sent during the last job's commit; <see langword="null"/> if none was sent.</summary>
        public Task? Written { get; set; }
    }
}
