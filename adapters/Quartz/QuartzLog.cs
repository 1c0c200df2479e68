using Microsoft.Extensions.Logging;

namespace Tasks.Quartz;

/// <summary>Log messages of the Quartz adapter; event ids 6100-6199.</summary>
internal static partial class QuartzLog
{
    [LoggerMessage(6100, LogLevel.Error, "Quartz backend {Backend}: a firing of task {TaskId} could not be run through the pipeline; it is put back to run again in {DelayMs} ms")]
    public static partial void DeliveryFailed(ILogger logger, Exception exception, string backend, string taskId, double delayMs);

    [LoggerMessage(6101, LogLevel.Critical, "Quartz backend {Backend}: task {TaskId} could not be put back (its next trigger was not stored)")]
    public static partial void PutBackFailed(ILogger logger, Exception exception, string backend, string taskId);

    [LoggerMessage(6102, LogLevel.Error, "Quartz backend {Backend}: a firing of job {JobKey} carries no readable task envelope; it is dropped")]
    public static partial void NoEnvelope(ILogger logger, Exception exception, string backend, string jobKey);

    [LoggerMessage(6103, LogLevel.Information, "Quartz backend {Backend}: worker {WorkerId} started scheduler {SchedulerName}/{InstanceId} on queues {Queues} with {Threads} thread(s)")]
    public static partial void WorkerStarted(ILogger logger, string backend, string workerId, string schedulerName, string instanceId, string queues, int threads);

    [LoggerMessage(6104, LogLevel.Information, "Quartz backend {Backend}: worker {WorkerId} stopped")]
    public static partial void WorkerStopped(ILogger logger, string backend, string workerId);

    [LoggerMessage(6105, LogLevel.Warning, "Quartz backend {Backend}: worker {WorkerId} interrupts {Count} running task(s) after the shutdown timeout; they go back to their queue")]
    public static partial void Interrupting(ILogger logger, string backend, string workerId, int count);

    [LoggerMessage(6106, LogLevel.Warning, "Quartz backend {Backend}: pending task {TaskId} was removed (its result is Cancelled, so it never runs) but its Quartz job or result could not be deleted")]
    public static partial void RemoveCleanupFailed(ILogger logger, Exception exception, string backend, string taskId);

    [LoggerMessage(6107, LogLevel.Warning, "Quartz backend {Backend}: task {TaskId} runs, but its Running status could not be recorded; its final result is written as usual")]
    public static partial void RunningWriteFailed(ILogger logger, Exception exception, string backend, string taskId);

    [LoggerMessage(6108, LogLevel.Warning, "Quartz backend {Backend}: expired results and their Quartz jobs could not be purged now; the next purge tries again")]
    public static partial void PurgeFailed(ILogger logger, Exception exception, string backend);

    [LoggerMessage(6109, LogLevel.Warning, "Quartz backend {Backend}: the firing of task {TaskId} keeps the task (it could be neither recorded nor put back) and runs again in {DelayMs} ms")]
    public static partial void Refiring(ILogger logger, string backend, string taskId, double delayMs);
}
