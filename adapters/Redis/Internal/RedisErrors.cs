using StackExchange.Redis;

namespace Tasks.Redis.Internal;

/// <summary>Sorts Redis failures: which mean "the server could not be reached or could not serve the call now".</summary>
internal static class RedisErrors
{
    /// <summary>Whether <paramref name="exception"/> is a connection, timeout or transient server state error (worth retrying later).</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        TaskBackendUnavailableException => true,
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => IsTransientServerError(server.Message),
        _ => false,
    };

    /// <summary>Whether a script refused a batch because a task id exists already.</summary>
    public static bool IsDuplicate(Exception exception) =>
        exception is RedisServerException server && server.Message.Contains("TASKS_DUPLICATE", StringComparison.Ordinal);

    /// <summary>Wraps a failure the caller must see as "did not happen"; other exceptions pass through unchanged.</summary>
    public static Exception Translate(Exception exception, string backend, string operation) =>
        exception is TaskBackendUnavailableException ? exception
        : IsUnavailable(exception) ? new TaskBackendUnavailableException(backend, operation, exception)
        : exception;

    private static bool IsTransientServerError(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal) || message.StartsWith("BUSY", StringComparison.Ordinal) ||
        message.StartsWith("MASTERDOWN", StringComparison.Ordinal) || message.StartsWith("READONLY", StringComparison.Ordinal) ||
        message.StartsWith("TRYAGAIN", StringComparison.Ordinal) || message.StartsWith("OOM", StringComparison.Ordinal);
}
