using Microsoft.Extensions.Logging;

namespace Tasks.Redis.Internal;

/// <summary>The adapter's log messages. They name endpoints, never connection strings or passwords.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(100, LogLevel.Warning, "Redis backend {Backend} could not connect to {Endpoints} ({Error})")]
    public static partial void ConnectFailed(ILogger logger, string backend, string endpoints, string error);

    [LoggerMessage(101, LogLevel.Warning, "Redis backend {Backend} lost its {ConnectionType} connection to {Endpoint} ({FailureType}); reconnecting")]
    public static partial void ConnectionLost(ILogger logger, string backend, string endpoint, string connectionType, string failureType);

    [LoggerMessage(102, LogLevel.Information, "Redis backend {Backend} restored its {ConnectionType} connection to {Endpoint}")]
    public static partial void ConnectionRestored(ILogger logger, string backend, string endpoint, string connectionType);

    [LoggerMessage(103, LogLevel.Warning, "Redis backend {Backend}: put {Count} task(s) of dead or stalled workers back in their queues")]
    public static partial void Reaped(ILogger logger, string backend, long count);

    [LoggerMessage(104, LogLevel.Warning, "Redis backend {Backend}: task {TaskId} was taken back from worker {WorkerId} because its lease expired (visibility timeout {VisibilityTimeout}); it may run again elsewhere")]
    public static partial void LeaseLost(ILogger logger, string backend, string taskId, string workerId, TimeSpan visibilityTimeout);

    [LoggerMessage(105, LogLevel.Warning, "Redis backend {Backend}: worker {WorkerId} could not renew its tasks or look for dead workers' tasks; retrying")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string backend, string workerId);

    [LoggerMessage(106, LogLevel.Error, "Redis backend {Backend}: task {TaskId} in queue {Queue} cannot be read ({Reason}); moved to dead-letter list {DeadLetterKey} and marked Failed")]
    public static partial void DeadLettered(ILogger logger, string backend, string taskId, string queue, string reason, string deadLetterKey);

    [LoggerMessage(107, LogLevel.Warning, "Redis backend {Backend}: worker {WorkerId} could not settle task {TaskId}; it goes back to its queue after the visibility timeout")]
    public static partial void SettleFailed(ILogger logger, Exception exception, string backend, string workerId, string taskId);

    [LoggerMessage(108, LogLevel.Warning, "Redis backend {Backend}: could not subscribe to wake-up messages; idle workers poll every {Interval} until it works")]
    public static partial void SubscribeFailed(ILogger logger, Exception exception, string backend, TimeSpan interval);

    [LoggerMessage(109, LogLevel.Warning, "Redis backend {Backend}: the start of task {TaskId} could not be recorded; its final write will be refused and the task goes back to its queue after the visibility timeout")]
    public static partial void StartWriteFailed(ILogger logger, Exception exception, string backend, string taskId);

    [LoggerMessage(110, LogLevel.Information, "Redis backend {Backend}: worker {WorkerId} put back {Count} task(s) that a take whose reply was lost had leased")]
    public static partial void LostTakeReleased(ILogger logger, string backend, string workerId, long count);

    [LoggerMessage(111, LogLevel.Warning, "Redis backend {Backend}: worker {WorkerId} could not put back what a take whose reply was lost may have leased; those tasks go back to their queue after the visibility timeout")]
    public static partial void LostTakeNotReleased(ILogger logger, Exception exception, string backend, string workerId);
}
