namespace Tasks.Hangfire.Internal;

/// <summary>Where a Hangfire backend keeps <see cref="TaskResult"/>s, with the two steps around creating Hangfire jobs.</summary>
internal interface IHangfireResultStore : ITaskResultStore, IAsyncDisposable
{
    /// <summary>Called before the Hangfire jobs are created (results without engine ids); a store writes the results here or in <see cref="AfterCreateAsync"/>.</summary>
    Task BeforeCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken);

    /// <summary>Called once the Hangfire jobs exist; <see cref="TaskResult.EngineId"/> holds each job id. Must not overwrite progress a fast worker already recorded (it only sets the job id of a result that exists).</summary>
    Task AfterCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken);

    /// <summary>The results of <paramref name="ids"/> that exist, by id (one round trip where the storage allows).</summary>
    Task<IReadOnlyDictionary<string, TaskResult>> FindManyAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a task's status is read from its Hangfire job's state (so cancelling is moving the job to Deleted, and a
    /// run's result is its Succeeded state) rather than kept by the store alone.
    /// </summary>
    bool StatusFromJobs { get; }

    /// <summary>
    /// The result store as one run of a task's job sees it, and the result as the run may assume it without reading
    /// (<see langword="null"/>: read it).
    /// </summary>
    (ITaskResultStore Results, TaskResult? AsEnqueued) ForRun(TaskEnvelope envelope, string jobId, bool recovering, Action<Exception> onRunningWriteFailed);

    /// <summary>Removes what is left of a task removed before it started, whose job was moved to Deleted.</summary>
    Task ForgetRemovedAsync(string id, string jobId, CancellationToken cancellationToken);

    /// <summary>Removes expired results the storage does not expire by itself; returns how many.</summary>
    Task<int> PurgeExpiredAsync(CancellationToken cancellationToken);
}
