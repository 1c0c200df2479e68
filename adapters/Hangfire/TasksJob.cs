using System.Reflection;
using Hangfire;
using Tasks.Hangfire.Internal;

namespace Tasks.Hangfire;

/// <summary>
/// The one Hangfire job behind every task: Hangfire stores a call to <see cref="RunAsync"/> whose arguments are plain
/// strings (task name, task id, the task's JSON arguments, the envelope), so the dashboard shows the task name as the
/// job name and the arguments readably, and the task id finds the job. Created by the Tasks worker's job activator; not for use by application code.
/// </summary>
public sealed class TasksJob
{
    /// <summary>The method every Tasks job calls.</summary>
    internal static readonly MethodInfo RunMethod = typeof(TasksJob).GetMethod(nameof(RunAsync))!;

    private readonly HangfireJobRunner _runner;
    private readonly string _jobId;
    private readonly CancellationToken _shutdown;

    // The shutdown token comes from the activator rather than as a job argument: an argument would put a
    // CancellationToken's type name and a null into every job's row.
    internal TasksJob(HangfireJobRunner runner, string jobId, CancellationToken shutdown)
    {
        _runner = runner;
        _jobId = jobId;
        _shutdown = shutdown;
    }

    /// <summary>Runs the task through the Tasks pipeline. Hangfire never retries it: the pipeline owns retries.</summary>
    /// <param name="taskName">The task's name (the job's display name in the dashboard).</param>
    /// <param name="taskId">The task's id (with PostgreSQL storage, indexed: it finds the task's job).</param>
    /// <param name="arguments">The task's arguments as JSON.</param>
    /// <param name="envelope">The rest of the task envelope (queue, priority, attempts, trace) as JSON. The attempt is put back when Hangfire's shutdown token fires.</param>
    /// <returns>With PostgreSQL storage, the task's result once it succeeded (Hangfire keeps it in the Succeeded state, where Tasks reads it); otherwise <see langword="null"/>.</returns>
    [JobDisplayName("{0}")]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public Task<string?> RunAsync(string taskName, string taskId, string arguments, string envelope) =>
        _runner.RunAsync(_jobId, taskName, taskId, arguments, envelope, _shutdown);
}
