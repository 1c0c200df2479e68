namespace Tasks;

/// <summary>What a handler knows about the attempt it is running.</summary>
public sealed class TaskContext
{
    /// <summary>Creates a context; the execution pipeline does this, and tests of handlers may too.</summary>
    public TaskContext(string taskId, string taskName, int attempt, int maxAttempts, string backend, string queue, string workerId, IServiceProvider services, CancellationToken cancellationToken)
    {
        TaskId = taskId;
        TaskName = taskName;
        Attempt = attempt;
        MaxAttempts = maxAttempts;
        Backend = backend;
        Queue = queue;
        WorkerId = workerId;
        Services = services;
        CancellationToken = cancellationToken;
    }

    /// <summary>The task's id, the same one <c>EnqueueAsync</c> returned.</summary>
    public string TaskId { get; }

    /// <summary>The task's stable name.</summary>
    public string TaskName { get; }

    /// <summary>This attempt's number, starting at 1.</summary>
    public int Attempt { get; }

    /// <summary>How many attempts the task has in all.</summary>
    public int MaxAttempts { get; }

    /// <summary>Alias of the backend running it.</summary>
    public string Backend { get; }

    /// <summary>The queue it came from.</summary>
    public string Queue { get; }

    /// <summary>The id of the worker running it.</summary>
    public string WorkerId { get; }

    /// <summary>The DI scope of this attempt.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Signalled on timeout or when the worker must stop.</summary>
    public CancellationToken CancellationToken { get; }
}
