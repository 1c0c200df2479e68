using Microsoft.Extensions.Logging;

namespace Tasks.Diagnostics;

/// <summary>High-performance log messages of the pipeline and workers; event ids are stable.</summary>
internal static partial class TasksLog
{
    [LoggerMessage(1, LogLevel.Debug, "Enqueued task {TaskName} {TaskId} on backend {Backend}, queue {Queue}")]
    public static partial void Enqueued(ILogger logger, string taskName, string taskId, string backend, string queue);

    [LoggerMessage(2, LogLevel.Debug, "Task {TaskName} {TaskId} attempt {Attempt} started on worker {WorkerId}")]
    public static partial void Started(ILogger logger, string taskName, string taskId, int attempt, string workerId);

    [LoggerMessage(3, LogLevel.Debug, "Task {TaskName} {TaskId} succeeded in {ElapsedMs} ms")]
    public static partial void Succeeded(ILogger logger, string taskName, string taskId, double elapsedMs);

    [LoggerMessage(4, LogLevel.Warning, "Task {TaskName} {TaskId} attempt {Attempt} failed; retrying at {RetryAt:O}")]
    public static partial void Retrying(ILogger logger, Exception exception, string taskName, string taskId, int attempt, DateTimeOffset retryAt);

    [LoggerMessage(5, LogLevel.Error, "Task {TaskName} {TaskId} failed after attempt {Attempt}")]
    public static partial void Failed(ILogger logger, Exception exception, string taskName, string taskId, int attempt);

    [LoggerMessage(6, LogLevel.Debug, "Task {TaskId} skipped: its status is {Status}")]
    public static partial void Skipped(ILogger logger, string taskId, TaskResultStatus status);

    [LoggerMessage(7, LogLevel.Information, "Task {TaskName} {TaskId} attempt {Attempt} abandoned because the worker is stopping; it goes back to its queue")]
    public static partial void Abandoned(ILogger logger, string taskName, string taskId, int attempt);

    [LoggerMessage(8, LogLevel.Warning, "Observer {Observer} threw; ignored")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer);

    [LoggerMessage(9, LogLevel.Warning, "Task {TaskId}: its result changed while the attempt ran (another delivery?); this attempt's outcome was not recorded")]
    public static partial void LostUpdate(ILogger logger, string taskId);

    [LoggerMessage(10, LogLevel.Error, "Worker {WorkerId} could not receive or settle a task; retrying in {DelayMs} ms")]
    public static partial void WorkerError(ILogger logger, Exception exception, string workerId, double delayMs);

    [LoggerMessage(11, LogLevel.Information, "Worker {WorkerId} started on backend {Backend}, queues {Queues}, concurrency {Concurrency}")]
    public static partial void WorkerStarted(ILogger logger, string workerId, string backend, string queues, int concurrency);

    [LoggerMessage(12, LogLevel.Information, "Worker {WorkerId} stopped")]
    public static partial void WorkerStopped(ILogger logger, string workerId);

    [LoggerMessage(13, LogLevel.Warning, "Task {TaskId}: attempt {Attempt} was lost with its worker (killed or crashed); running it again")]
    public static partial void LostAttempt(ILogger logger, string taskId, int attempt);
}
