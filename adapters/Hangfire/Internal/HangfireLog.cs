using Microsoft.Extensions.Logging;

namespace Tasks.Hangfire.Internal;

/// <summary>Log messages of the Hangfire adapter; event ids 5100-5199.</summary>
internal static partial class HangfireLog
{
    [LoggerMessage(5101, LogLevel.Warning, "Hangfire job {JobId} of task {TaskName} hit an infrastructure error; it runs again at {RetryAt:O}")]
    public static partial void Rescheduled(ILogger logger, Exception exception, string jobId, string taskName, DateTimeOffset retryAt);

    [LoggerMessage(5102, LogLevel.Error, "Hangfire job {JobId} could not be read as a Tasks job; Hangfire marks it failed")]
    public static partial void BadEnvelope(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(5103, LogLevel.Warning, "Hangfire job {JobId} of cancelled task {TaskId} could not be deleted; the worker will skip it")]
    public static partial void DeleteFailed(ILogger logger, Exception exception, string jobId, string taskId);

    [LoggerMessage(5104, LogLevel.Warning, "Removing expired task results failed")]
    public static partial void PurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(5105, LogLevel.Information, "Hangfire worker {WorkerId} of backend {Backend} listens on {Queues} with {WorkerCount} worker thread(s)")]
    public static partial void WorkerStarted(ILogger logger, string workerId, string backend, string queues, int workerCount);

    [LoggerMessage(5106, LogLevel.Warning, "Hangfire backend {Backend}: the Running record of task {TaskId} could not be written; its next record is written over whichever is stored")]
    public static partial void RunningWriteFailed(ILogger logger, Exception exception, string backend, string taskId);
}
