using Microsoft.Extensions.Logging;

namespace Tasks.MassTransit;

/// <summary>Log messages of the MassTransit adapter (event ids 7100-7199). Connection strings and passwords never appear.</summary>
internal static partial class MassTransitLog
{
    [LoggerMessage(7101, LogLevel.Information, "MassTransit worker {WorkerId} started on backend {Backend} ({Transport}), queues {Queues}, concurrency {Concurrency}")]
    public static partial void WorkerStarted(ILogger logger, string workerId, string backend, MassTransitTransport transport, string queues, int concurrency);

    [LoggerMessage(7102, LogLevel.Information, "MassTransit worker {WorkerId} stopped")]
    public static partial void WorkerStopped(ILogger logger, string workerId);

    [LoggerMessage(7103, LogLevel.Error, "MassTransit worker {WorkerId} could not run or settle task {TaskId}; it goes back to its queue in {DelayMs} ms")]
    public static partial void ConsumeFailed(ILogger logger, Exception exception, string workerId, string taskId, double delayMs);

    [LoggerMessage(7104, LogLevel.Debug, "Task {TaskId} arrived {EarlyMs} ms before its run-after time; delayed again")]
    public static partial void Redelayed(ILogger logger, string taskId, double earlyMs);

    [LoggerMessage(7105, LogLevel.Warning, "MassTransit worker {WorkerId} overran its shutdown timeout; interrupting running tasks, which go back to their queues")]
    public static partial void ShutdownTimeout(ILogger logger, string workerId);

    [LoggerMessage(7106, LogLevel.Warning, "RabbitMQ topology connection of backend {Backend} failed; it is opened again on next use")]
    public static partial void AdminConnectionFailed(ILogger logger, Exception exception, string backend);

    [LoggerMessage(7107, LogLevel.Error, "MassTransit worker {WorkerId} received message {MessageId}, which is not a Tasks envelope; it goes to the endpoint's _error queue")]
    public static partial void NotATask(ILogger logger, string workerId, string messageId);
}
