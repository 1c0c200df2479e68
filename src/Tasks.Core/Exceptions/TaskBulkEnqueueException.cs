namespace Tasks;

/// <summary>A bulk enqueue was refused because some items are invalid; nothing was enqueued. <see cref="Errors"/> says which and why.</summary>
public sealed class TaskBulkEnqueueException : InvalidTaskException
{
    /// <summary>Creates the exception from the per-item errors (item index and error).</summary>
    public TaskBulkEnqueueException(IReadOnlyList<KeyValuePair<int, InvalidTaskException>> errors)
        : base($"{errors.Count} item(s) of the bulk enqueue are invalid and nothing was enqueued. First: item {errors[0].Key}: {errors[0].Value.Message}", errors[0].Value.Option, errors[0].Value.Backend)
    {
        Errors = errors;
    }

    /// <summary>Each invalid item's index in the input and its error.</summary>
    public IReadOnlyList<KeyValuePair<int, InvalidTaskException>> Errors { get; }
}
