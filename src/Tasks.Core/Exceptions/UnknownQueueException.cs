namespace Tasks;

/// <summary>The queue is not one the backend serves.</summary>
public sealed class UnknownQueueException : InvalidTaskException
{
    /// <summary>Creates the exception for <paramref name="queue"/> on <paramref name="backend"/>.</summary>
    public UnknownQueueException(string queue, string backend, IEnumerable<string> known)
        : base($"Backend '{backend}' has no queue '{queue}'. Its queues: {string.Join(", ", known.Select(k => $"'{k}'"))}.", "Queue", backend)
    {
        Queue = queue;
    }

    /// <summary>The queue that was asked for.</summary>
    public string Queue { get; }
}
